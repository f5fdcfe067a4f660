import { AuthorizationError } from '@nats-io/nats-core';

/** Base of every error the messaging module raises: a stable `code` to branch on, the cause kept. */
export abstract class MessagingError extends Error {
  abstract readonly code: string;
}

/** Why a publish did not get a positive PubAck for every message. */
export type PublishFailureReason =
  /** JetStream answered with an error (stream full, wrong sequence, …). */
  | 'rejected'
  /** Nobody listens on the subject: no stream binds it, or JetStream is unavailable. */
  | 'no-responders'
  /** No PubAck arrived within the publish timeout. */
  | 'timeout'
  /** The connection to NATS was lost or is closed. */
  | 'disconnected'
  /** The client refused a message before sending it (bad header, payload too large, bad subject). */
  | 'invalid-message';

export interface PublishProgress {
  /** Messages handed to publish. */
  total: number;
  /** New messages the stream confirmed. */
  stored: number;
  /** Messages the stream confirmed as duplicates. */
  duplicates: number;
}

/**
 * Not every message of a publish was confirmed. Confirmed ones are stored; the rest may or may not be,
 * so callers retry the whole batch with the same message ids and let the duplicate window sort it out.
 */
export class PublishError extends MessagingError {
  override readonly name = 'PublishError';
  readonly code: 'MESSAGING.PUBLISH_FAILED' | 'MESSAGING.PUBLISH_TIMEOUT';
  /** Messages confirmed (stored or duplicate) before the failure. */
  readonly confirmed: number;

  constructor(
    readonly reason: PublishFailureReason,
    readonly progress: PublishProgress,
    detail: string,
    options?: { cause?: unknown },
  ) {
    const confirmed = progress.stored + progress.duplicates;
    super(`publish ${reason}: ${detail} (${confirmed} of ${progress.total} confirmed)`, options);
    this.code = reason === 'timeout' ? 'MESSAGING.PUBLISH_TIMEOUT' : 'MESSAGING.PUBLISH_FAILED';
    this.confirmed = confirmed;
  }
}

/** A header name or value that NATS cannot carry (control characters, a colon in a name). */
export class InvalidHeaderError extends MessagingError {
  override readonly name = 'InvalidHeaderError';
  readonly code = 'MESSAGING.INVALID_HEADER';

  constructor(readonly header: string) {
    super(`header ${JSON.stringify(header)} has a name or value NATS cannot carry`);
  }
}

/** The module options are invalid; each problem names the option path. */
export class MessagingOptionsError extends MessagingError {
  override readonly name = 'MessagingOptionsError';
  readonly code = 'MESSAGING.INVALID_OPTIONS';

  constructor(readonly problems: ReadonlyArray<{ option: string; message: string }>) {
    super(`Invalid JetStream module options:\n${problems.map((p) => `  - ${p.option}: ${p.message}`).join('\n')}`);
  }
}

/** The first connection to NATS failed; a refusal of the credentials says so and names the identity. */
export class ConnectError extends MessagingError {
  override readonly name = 'ConnectError';
  readonly code: 'MESSAGING.CONNECT_FAILED' | 'MESSAGING.AUTHENTICATION_FAILED';

  constructor(servers: readonly string[], options: { cause: unknown; identity?: string }) {
    const refused = options.cause instanceof AuthorizationError;
    const what = refused
      ? `NATS at ${servers.join(', ')} refused the credentials of ${options.identity ?? 'this connection'}`
      : `could not connect to NATS at ${servers.join(', ')}`;
    super(`${what}: ${messageOf(options.cause)}`, { cause: options.cause });
    this.code = refused ? 'MESSAGING.AUTHENTICATION_FAILED' : 'MESSAGING.CONNECT_FAILED';
  }
}

/** A stream or consumer could not be created or brought to the declared configuration. */
export class ProvisioningError extends MessagingError {
  override readonly name = 'ProvisioningError';
  readonly code = 'MESSAGING.PROVISIONING_FAILED';

  constructor(what: string, options: { cause: unknown }) {
    super(`could not provision ${what}: ${messageOf(options.cause)}`, options);
  }
}

/** A batch handler was registered for a durable the module does not declare, or twice for one durable. */
export class HandlerRegistrationError extends MessagingError {
  override readonly name = 'HandlerRegistrationError';
  readonly code = 'MESSAGING.HANDLER_REGISTRATION';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

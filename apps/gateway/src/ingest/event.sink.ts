import { type DeadLetter, type OutgoingMessage } from '@evp/messaging';

/** How the broker took a message: stored it, or recognised its id inside the duplicate window. */
export type PublishOutcome = 'stored' | 'duplicate';

/**
 * Where accepted and rejected events go. The ingest logic codes against this port; the JetStream adapter
 * is the production implementation.
 */
export interface EventSink {
  /** Largest message the broker takes, headers included, in bytes. */
  readonly maxPayload: number;
  /** Resolves once the broker acknowledged the message; rejects with `EventSinkUnavailableError` otherwise. */
  publish(message: OutgoingMessage): Promise<PublishOutcome>;
  /** Resolves once every dead letter is stored; rejects with `EventSinkUnavailableError` otherwise. */
  deadLetter(letters: readonly DeadLetter[]): Promise<void>;
}

/** The broker did not acknowledge (down, timing out, refusing): the request must not get a 2xx. */
export class EventSinkUnavailableError extends Error {
  override readonly name = 'EventSinkUnavailableError';
  readonly code = 'GATEWAY.BROKER_UNAVAILABLE';
}

import { type DeadLetter, type OutgoingMessage, type PublishReport } from '@evp/messaging';

/**
 * Where accepted and rejected events go. The ingest logic codes against this port; the JetStream adapter
 * is the production implementation.
 */
export interface EventSink {
  /** Resolves once the broker acknowledged every message; rejects with `EventSinkUnavailableError` otherwise. */
  publish(messages: readonly OutgoingMessage[]): Promise<PublishReport>;
  /** Resolves once every dead letter is stored; rejects with `EventSinkUnavailableError` otherwise. */
  deadLetter(letters: readonly DeadLetter[]): Promise<void>;
}

/** The broker did not acknowledge (down, timing out, refusing): the request must not get a 2xx. */
export class EventSinkUnavailableError extends Error {
  override readonly name = 'EventSinkUnavailableError';
  readonly code = 'GATEWAY.BROKER_UNAVAILABLE';

  constructor(
    message: string,
    /** Messages of the failed call the broker confirmed (stored or duplicate) before it failed. */
    readonly acknowledged: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

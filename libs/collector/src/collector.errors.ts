/** Collector options are missing or invalid; the message names each bad option. */
export class CollectorOptionsError extends Error {
  override readonly name = 'CollectorOptionsError';
  readonly code = 'COLLECTOR.INVALID_OPTIONS';

  constructor(readonly problems: readonly { option: string; message: string }[]) {
    super(
      `Invalid collector options: ${problems.map((problem) => `${problem.option}: ${problem.message}`).join('; ')}`,
    );
  }
}

/**
 * A valid event that the table cannot hold as it is (e.g. a follower count beyond a 32-bit integer column).
 * Normalisers throw it; the collector dead-letters the message with this message as the reason.
 */
export class UnstorableEventError extends Error {
  override readonly name = 'UnstorableEventError';
  readonly code = 'COLLECTOR.UNSTORABLE_EVENT';
}

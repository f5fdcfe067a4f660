import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { PreparedBatch } from './batch.factory';

/** The three files of a ledger, derived from the path given with `--ledger`. */
export function ledgerPaths(path: string): { acknowledged: string; unacknowledged: string; corrupted: string } {
  return { acknowledged: path, unacknowledged: `${path}.unacked`, corrupted: `${path}.corrupted` };
}

/**
 * Records the fate of every event id, so a test can prove that nothing acknowledged was lost:
 * - `<path>`: one id per line for each valid event of a batch that got a 2xx. A duplicate appears
 *   once per acknowledged copy, so the set of unique lines is the set of ids that must be stored.
 * - `<path>.unacked`: the same for batches that got a non-2xx or no reply: these may be missing.
 * - `<path>.corrupted`: one line per corrupted event sent: `<eventId or ->\t<kind>\t<valid|invalid>\t<acked|unacked>`.
 *   A corrupted event that still passes the contract is also in one of the files above.
 * Files are created empty (truncated) at start and appended to as replies come in; `close()` flushes them.
 */
export class LedgerWriter {
  private failure: Error | undefined;

  private constructor(
    private readonly acknowledged: WriteStream,
    private readonly unacknowledged: WriteStream,
    private readonly corrupted: WriteStream,
  ) {
    // A write error must not crash the run mid-flight; it is reported when the ledger is closed.
    for (const stream of [acknowledged, unacknowledged, corrupted]) {
      stream.on('error', (error) => {
        this.failure ??= error;
      });
    }
  }

  /** Creates (truncates) the three files; fails at once when they cannot be written. */
  static async open(path: string): Promise<LedgerWriter> {
    const paths = ledgerPaths(path);
    const streams = [paths.acknowledged, paths.unacknowledged, paths.corrupted].map((file) => createWriteStream(file));
    try {
      await Promise.all(streams.map((stream) => once(stream, 'open')));
    } catch (error) {
      for (const stream of streams) stream.destroy();
      throw new LedgerError(`Cannot create the ledger at ${path}: ${(error as Error).message}`, { cause: error });
    }
    const [acknowledged, unacknowledged, corrupted] = streams as [WriteStream, WriteStream, WriteStream];
    return new LedgerWriter(acknowledged, unacknowledged, corrupted);
  }

  record(batch: PreparedBatch, acknowledged: boolean): void {
    if (batch.validIds.length > 0) {
      (acknowledged ? this.acknowledged : this.unacknowledged).write(`${batch.validIds.join('\n')}\n`);
    }
    const corruption = batch.corruption;
    if (corruption) {
      const verdict = corruption.valid ? 'valid' : 'invalid';
      this.corrupted.write(
        `${corruption.eventId ?? '-'}\t${corruption.kind}\t${verdict}\t${acknowledged ? 'acked' : 'unacked'}\n`,
      );
    }
  }

  /** Flushes and closes the files; rejects with the first write error, if any happened. */
  async close(): Promise<void> {
    await Promise.all(
      [this.acknowledged, this.unacknowledged, this.corrupted].map(
        (stream) => new Promise<void>((resolve) => stream.end(resolve)),
      ),
    );
    if (this.failure)
      throw new LedgerError(`Writing the ledger failed: ${this.failure.message}`, { cause: this.failure });
  }
}

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly code = 'PUBLISHER.LEDGER';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

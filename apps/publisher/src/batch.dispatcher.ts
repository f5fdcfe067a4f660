import type { PreparedBatch } from './batch.factory';
import type { HttpSender, SendOutcome } from './http.sender';
import type { LedgerWriter } from './ledger.writer';
import { type LineSink, requestLine } from './progress.reporter';
import { type PublisherStats, isSuccess } from './publisher.stats';

/**
 * Sends a batch and settles its fate: counts it, writes its ids to the ledger as acknowledged (2xx)
 * or not, logs the request line. Keeps the set of requests in flight so a stop can wait for them.
 */
export class BatchDispatcher {
  private readonly inFlight = new Set<Promise<SendOutcome>>();

  constructor(
    private readonly sender: HttpSender,
    private readonly stats: PublisherStats,
    private readonly ledger: LedgerWriter | undefined,
    private readonly requestLog: LineSink | undefined,
  ) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Resolves once the batch is settled; never rejects (a failure is an outcome, and the batch is dropped). */
  dispatch(batch: PreparedBatch): Promise<SendOutcome> {
    this.stats.sent(batch);
    const settled = this.sender.send(batch.body).then((outcome) => {
      this.stats.settled(batch, outcome);
      this.ledger?.record(batch, outcome.kind === 'reply' && isSuccess(outcome.status));
      this.requestLog?.(requestLine(batch, outcome));
      this.inFlight.delete(settled);
      return outcome;
    });
    this.inFlight.add(settled);
    return settled;
  }

  /**
   * Waits for the replies in flight, at most `timeoutMs`; then abandons the rest, whose batches
   * settle as dropped (`.unacked` in the ledger), and waits for that to be recorded.
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([Promise.all(this.inFlight), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.sender.abandonInFlight();
      await Promise.all(this.inFlight);
    }
  }
}

/**
 * Paces the backfill lane's pulls to at most `eventsPerSecond` events on average, so a re-sent history takes a
 * bounded share of the writer and live events keep their freshness. Each pulled batch pushes the next pull back by
 * the time its events are worth at that rate; time spent idle is not saved up, so a backfill arriving after a quiet
 * hour does not burst.
 */
export class BackfillPacer {
  private nextPullAtMs = 0;

  constructor(
    private readonly eventsPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A batch of `events` was pulled. */
  pulled(events: number): void {
    this.nextPullAtMs = Math.max(this.nextPullAtMs, this.now()) + (events * 1_000) / this.eventsPerSecond;
  }

  /** How long the next pull must wait, in milliseconds. */
  delayMs(): number {
    return Math.max(0, this.nextPullAtMs - this.now());
  }
}

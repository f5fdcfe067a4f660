/** Where a bucket stands after a request was admitted or refused. */
export interface BucketState {
  /** Events the bucket holds now (0 when it is in debt). */
  remaining: number;
  /** Seconds until the bucket holds a token again: 0 when it does now. */
  secondsUntilAdmitted: number;
}

/**
 * A token bucket of events: it holds up to `burst` tokens and gains `ratePerSecond` a second. A request is admitted
 * while the bucket holds at least one token, and its events are charged once they are known (after the body is
 * read), which may take the bucket into debt: the next request then waits until the debt is repaid. So one body
 * of any size can pass (a body larger than the burst is never refused for ever) and the long-run rate is exactly
 * `ratePerSecond`.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Whether a request may go on now, and where the bucket stands. */
  check(): BucketState & { admitted: boolean } {
    this.refill();
    const admitted = this.tokens >= 1;
    return { admitted, ...this.state() };
  }

  /** Takes `events` tokens for events that were sent, going into debt when there are not as many. */
  charge(events: number): void {
    this.refill();
    this.tokens -= events;
  }

  private state(): BucketState {
    return {
      remaining: Math.max(0, Math.floor(this.tokens)),
      secondsUntilAdmitted: this.tokens >= 1 ? 0 : (1 - this.tokens) / this.ratePerSecond,
    };
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }
}

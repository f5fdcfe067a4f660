import type { MarketingEvent } from '@evp/contracts';
import { EventGenerator } from '@evp/synthetic';

/** Seed of the generator: both layouts store the same events, and so does every run. */
const SEED = 15;
/** Where the events' time starts (UTC midnight): a fixed instant, so every run fills the same partitions. */
const EVENT_TIME_START_MS = Date.UTC(2026, 11, 1);
const DAY_MS = 86_400_000;

/**
 * Realistic events (EventGenerator: the real publisher's distributions, a fresh user per event) stamped in order,
 * `eventsPerSecond` to a second of event time, as the publisher stamps them with its clock. At the real rate a day
 * partition holds 2.2 billion events, so every run of this bench fits in one; a lower rate spreads the same events
 * over more days.
 */
export class BenchEventStream {
  private stamped = 0;
  private readonly generator: EventGenerator;

  constructor(private readonly eventsPerSecond: number) {
    this.generator = new EventGenerator({
      seed: SEED,
      clock: () => EVENT_TIME_START_MS + (this.stamped++ * 1_000) / this.eventsPerSecond,
    });
  }

  take(count: number): MarketingEvent[] {
    return this.generator.batch(count);
  }

  /** An instant in every day the first `count` events fall on, as ISO-8601 text: what their partitions need. */
  daysOf(count: number): string[] {
    const last = EVENT_TIME_START_MS + ((count - 1) * 1_000) / this.eventsPerSecond;
    const days: string[] = [];
    for (let day = EVENT_TIME_START_MS; day <= last; day += DAY_MS) days.push(new Date(day).toISOString());
    return days;
  }
}

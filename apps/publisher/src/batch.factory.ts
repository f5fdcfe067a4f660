import { setImmediate } from 'node:timers/promises';
import { validateEvent } from '@evp/contracts';
import { type CorruptionKind, EventGenerator, Random, randomCorruption } from '@evp/synthetic';
import { DuplicatePool } from './duplicate.pool';
import { JsonArrayBuilder } from './json-array.builder';

/** The corrupted event a batch carries, and whether it still passes the contract (some kinds do). */
export interface CorruptionRecord {
  kind: CorruptionKind;
  /** Its id, when the corruption left one. */
  eventId?: string;
  valid: boolean;
}

/** One request body, ready to send, with what the receiver owes for it. */
export interface PreparedBatch {
  /** 1-based sequence number, for log lines. */
  seq: number;
  /** The JSON array, serialised once. */
  body: Buffer;
  /** Elements in the array: new events, duplicates and the corrupted one. */
  eventCount: number;
  /**
   * Ids of every element that passes the contract, duplicates included, in body order:
   * what a receiver that answers 2xx must store.
   */
  validIds: string[];
  duplicateCount: number;
  corruption?: CorruptionRecord;
}

export interface BatchFactoryOptions {
  batchMin: number;
  batchMax: number;
  /** Share of elements that re-send an earlier event. */
  duplicateRate: number;
  /** Each event's timestamp is shifted back by up to this many milliseconds. */
  jitterMs: number;
  /** Share of batches with one corrupted event appended. */
  corruptionRate: number;
  /** Events (every element) to issue in all; undefined for no limit. */
  totalEvents?: number;
  seed: number;
}

/** A little above the ~420 bytes an event takes, so a body rarely needs to grow while it is written. */
const EXPECTED_EVENT_BYTES = 460;
/**
 * Events built between two yields to the event loop (a few milliseconds of work): replies that arrive
 * while a 50,000-event body is being built are timed when they arrive, not after the build.
 */
const EVENTS_PER_SLICE = 1_000;

/**
 * Builds the batches the real publisher sends: N uniform in [min, max] events of mixed sources,
 * a corrupted event appended to some, optionally repeated events and shuffled timestamps.
 * Each event is serialised as soon as it is generated and written into the body, so neither its
 * object graph nor its string outlives it: generation stays cheap enough to drive a gateway at full speed.
 * Batch n draws from its own stream derived from (seed, n), so a seeded run builds the same batches
 * even when several are built at once.
 */
export class BatchFactory {
  private readonly pool = new DuplicatePool();
  private issued = 0;
  private seq = 0;

  constructor(private readonly options: BatchFactoryOptions) {}

  /** Events issued so far, every element counted (those of batches still being built included). */
  get eventsIssued(): number {
    return this.issued;
  }

  /** True once `totalEvents` have been issued. */
  get exhausted(): boolean {
    return this.options.totalEvents !== undefined && this.issued >= this.options.totalEvents;
  }

  /** The next batch, or undefined once `totalEvents` have been issued. */
  async next(): Promise<PreparedBatch | undefined> {
    const { batchMin, batchMax, duplicateRate, jitterMs, corruptionRate, totalEvents, seed } = this.options;
    const remaining = totalEvents === undefined ? Number.POSITIVE_INFINITY : totalEvents - this.issued;
    if (remaining <= 0) return undefined;

    this.seq += 1;
    const seq = this.seq;
    const random = new Random((seed ^ Math.imul(seq, 0x9e3779b9)) >>> 0);
    const generator = new EventGenerator({
      seed: random.uint32(),
      clock: jitterMs > 0 ? () => Date.now() - random.int(0, jitterMs) : Date.now,
    });
    const corrupt = corruptionRate > 0 && random.chance(corruptionRate);
    const size = Math.min(random.int(batchMin, batchMax), remaining - (corrupt ? 1 : 0));
    // Reserved before the first yield, so batches built at the same time never overshoot the total.
    this.issued += size + (corrupt ? 1 : 0);

    const body = new JsonArrayBuilder((size + 1) * EXPECTED_EVENT_BYTES);
    const validIds: string[] = new Array<string>(size);
    let duplicateCount = 0;
    for (let index = 0; index < size; index += 1) {
      if (index > 0 && index % EVENTS_PER_SLICE === 0) await setImmediate();
      const earlier = duplicateRate > 0 && random.chance(duplicateRate) ? this.pool.draw(random) : undefined;
      if (earlier) {
        duplicateCount += 1;
        body.push(earlier.json);
        validIds[index] = earlier.eventId;
        continue;
      }
      const event = generator.next();
      const json = JSON.stringify(event);
      body.push(json);
      validIds[index] = event.eventId;
      if (duplicateRate > 0) this.pool.remember({ eventId: event.eventId, json });
    }

    let corruption: CorruptionRecord | undefined;
    if (corrupt) {
      const { kind, event } = randomCorruption(generator.next(), random);
      const verdict = validateEvent(event);
      const eventId = typeof event.eventId === 'string' ? event.eventId : undefined;
      corruption = { kind, eventId, valid: verdict.ok };
      body.push(JSON.stringify(event));
      if (verdict.ok) validIds.push(verdict.event.eventId);
    }

    return { seq, body: body.finish(), eventCount: body.elements, validIds, duplicateCount, corruption };
  }
}

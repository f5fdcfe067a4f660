import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Lane, type Source, type ValidationIssue, isSource, validateEvent } from '@evp/contracts';
import { TooManyEventsError, UnsupportedBodyError } from './event-batch.errors';
import { type ItemSpan, JsonBodyScanner } from './json/json-body.scanner';

/** An event that passed the contract; its original bytes are `body[start, end)`. */
export interface ValidEvent {
  /** Position in the request's array (0 for a single-object body). */
  index: number;
  source: Source;
  eventId: string;
  /** `backfill` when its timestamp lies more than `backfillAfterMs` before the body was received. */
  lane: Lane;
  start: number;
  end: number;
}

/**
 * Why an event was refused: `future_timestamp` when it is valid but dated more than `maxFutureSkewMs` ahead of the
 * time the body was received (a client clock that is wrong), `invalid` for every other reason.
 */
export const REFUSAL_REASONS = ['invalid', 'future_timestamp'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** An event that failed the contract, kept with its original bytes for the dead-letter stream. */
export interface InvalidEvent {
  index: number;
  /** Its `source` when that is a known one, so failure metrics can still name it. */
  source: Source | undefined;
  eventId: string | undefined;
  reason: RefusalReason;
  issues: ValidationIssue[];
  start: number;
  end: number;
}

/** The events of one slice of the body, sorted by the contract. */
export interface EventSlice {
  valid: ValidEvent[];
  invalid: InvalidEvent[];
}

/** Reads one webhook body: `open()` checks all of it, then `slices()` hands out its validated events. */
export interface EventBatchSource {
  open(): Promise<void>;
  slices(): AsyncIterable<EventSlice>;
}

export interface EventBatchReaderOptions {
  /**
   * Bytes checked for JSON syntax between two event-loop turns (about 600 publisher-shaped events).
   * @default 262_144
   */
  scanSliceBytes?: number;
  /**
   * Events parsed and validated between two event-loop turns (a few milliseconds of work).
   * @default 500
   */
  validateSliceEvents?: number;
  /**
   * Largest event accepted, in bytes. A bigger one is rejected on its own (its first `maxEventBytes` bytes are
   * kept for the dead-letter stream) rather than failing the publish of its whole batch on the broker's limit.
   * @default 65_536
   */
  maxEventBytes?: number;
  /**
   * Items a body may hold: past it the body is refused whole (`TooManyEventsError`) as soon as the syntax check
   * counts one more, so a body of millions of tiny items (`[0,0,0,…]`) costs neither memory nor dead letters.
   * @default 100_000
   */
  maxEvents?: number;
  /** When the gateway received the body, in epoch milliseconds. @default the time the reader is made */
  receivedAtMs?: number;
  /** An event dated more than this ahead of `receivedAtMs` is refused (`future_timestamp`). @default 23 hours */
  maxFutureSkewMs?: number;
  /** An event dated more than this before `receivedAtMs` goes to the backfill lane. @default 24 hours */
  backfillAfterMs?: number;
}

const HOUR_MS = 3_600_000;

/** An event id travels as a NATS header value, where a line break would end the header. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Reads a webhook body (a JSON array of events or one event object) in two passes, each cut into slices
 * with a turn of the event loop between them, so health checks and other requests keep being served while
 * a body of tens of megabytes is handled:
 *
 * 1. `open()` checks the JSON syntax of the whole body and finds each event's bytes. A malformed body fails
 *    here (`JsonSyntaxError`, with the byte position), before any of its events could have been used; JSON
 *    that is neither an array nor an object fails with `UnsupportedBodyError`.
 * 2. `slices()` parses each event from its own bytes and validates it against the contract. The bytes
 *    themselves are what gets published, so nothing is serialised again.
 */
export class EventBatchReader implements EventBatchSource {
  private readonly scanSliceBytes: number;
  private readonly validateSliceEvents: number;
  private readonly maxEventBytes: number;
  private readonly maxEvents: number;
  private readonly receivedAtMs: number;
  private readonly maxFutureSkewMs: number;
  private readonly backfillAfterMs: number;
  private items: ItemSpan[] | undefined;

  constructor(
    private readonly body: Buffer,
    options: EventBatchReaderOptions = {},
  ) {
    this.scanSliceBytes = options.scanSliceBytes ?? 262_144;
    this.validateSliceEvents = options.validateSliceEvents ?? 500;
    this.maxEventBytes = options.maxEventBytes ?? 65_536;
    this.maxEvents = options.maxEvents ?? 100_000;
    this.receivedAtMs = options.receivedAtMs ?? Date.now();
    this.maxFutureSkewMs = options.maxFutureSkewMs ?? 23 * HOUR_MS;
    this.backfillAfterMs = options.backfillAfterMs ?? 24 * HOUR_MS;
  }

  async open(): Promise<void> {
    const scanner = new JsonBodyScanner(this.body);
    const items: ItemSpan[] = [];
    for (;;) {
      for (const item of scanner.scan(this.scanSliceBytes)) items.push(item);
      if (scanner.error) throw scanner.error;
      if (items.length > this.maxEvents) throw new TooManyEventsError(this.maxEvents);
      if (scanner.done) break;
      await nextTurn();
    }
    if (scanner.topLevel === 'other')
      throw new UnsupportedBodyError(describe(JSON.parse(this.body.toString('utf8', items[0]?.start, items[0]?.end))));
    this.items = items;
  }

  /** The events, slice by slice, in body order. */
  async *slices(): AsyncGenerator<EventSlice> {
    const items = this.items;
    if (!items) throw new Error('EventBatchReader.open() must complete before slices() is read');
    for (let first = 0; first < items.length; first += this.validateSliceEvents) {
      if (first > 0) await nextTurn();
      const slice: EventSlice = { valid: [], invalid: [] };
      const last = Math.min(items.length, first + this.validateSliceEvents);
      for (let index = first; index < last; index++) this.read(index, items[index] as ItemSpan, slice);
      yield slice;
    }
  }

  private read(index: number, { start, end }: ItemSpan, slice: EventSlice): void {
    if (end - start > this.maxEventBytes) {
      const message = `the event is ${end - start} bytes, over the limit of ${this.maxEventBytes}; its first ${this.maxEventBytes} bytes are kept`;
      slice.invalid.push({
        index,
        source: undefined,
        eventId: undefined,
        reason: 'invalid',
        issues: [{ path: '', message }],
        start,
        end: start + this.maxEventBytes,
      });
      return;
    }
    // The syntax check of `open()` guarantees this parses.
    const input: unknown = JSON.parse(this.body.toString('utf8', start, end));
    const result = validateEvent(input);
    if (result.ok && !hasControlCharacter(result.event.eventId)) {
      const { source, eventId, timestamp } = result.event;
      const ageMs = this.receivedAtMs - Date.parse(timestamp);
      if (ageMs < -this.maxFutureSkewMs) {
        const issues = [{ path: 'timestamp', message: this.futureTimestamp(timestamp) }];
        slice.invalid.push({ index, source, eventId, reason: 'future_timestamp', issues, start, end });
        return;
      }
      const lane = ageMs > this.backfillAfterMs ? 'backfill' : 'live';
      slice.valid.push({ index, source, eventId, lane, start, end });
      return;
    }
    const source = (input as { source?: unknown } | null)?.source;
    const issues = result.ok ? [{ path: 'eventId', message: 'must not contain control characters' }] : result.issues;
    const eventId = result.ok ? undefined : result.eventId;
    slice.invalid.push({
      index,
      source: isSource(source) ? source : undefined,
      eventId: eventId !== undefined && !hasControlCharacter(eventId) ? eventId : undefined,
      reason: 'invalid',
      issues,
      start,
      end,
    });
  }

  private futureTimestamp(timestamp: string): string {
    const received = new Date(this.receivedAtMs).toISOString();
    const skewHours = Math.round((this.maxFutureSkewMs / HOUR_MS) * 100) / 100;
    return `future_timestamp: ${timestamp} is more than ${skewHours} h ahead of the time the gateway received it (${received})`;
  }
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

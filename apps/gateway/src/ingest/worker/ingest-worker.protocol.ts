import { LANES, type Lane, SOURCES, type Source } from '@evp/contracts';
import { TooManyEventsError, UnsupportedBodyError } from '../event-batch.errors';
import {
  type EventBatchReaderOptions,
  type EventSlice,
  type InvalidEvent,
  type ValidEvent,
} from '../event-batch.reader';
import { JsonSyntaxError } from '../json/json-syntax.error';

/** Main thread → worker: read a body (shared, not copied again), or stop reading one. */
export type ToWorker =
  | {
      kind: 'read';
      id: number;
      body: SharedArrayBuffer;
      offset: number;
      length: number;
      options: EventBatchReaderOptions;
    }
  | { kind: 'cancel'; id: number };

/**
 * A slice as it crosses threads: the valid events, which are nearly all of them, as flat typed arrays and one
 * array of ids, so the structured clone copies a few buffers instead of hundreds of small objects.
 */
export interface EncodedSlice {
  /** `index, start, end` of each valid event. */
  positions: Int32Array;
  /** Index into `SOURCES` of each valid event. */
  sources: Uint8Array;
  /** Index into `LANES` of each valid event. */
  lanes: Uint8Array;
  eventIds: string[];
  invalid: InvalidEvent[];
}

export type SerializedError =
  | { type: 'syntax'; reason: string; position: number }
  | { type: 'unsupported'; found: string }
  | { type: 'too-many-events'; limit: number }
  | { type: 'internal'; message: string };

/** Worker → main thread, per job: `opened` once the whole body is checked, then slices, then `done` (or `failed`). */
export type FromWorker =
  | { kind: 'opened'; id: number }
  | { kind: 'slice'; id: number; slice: EncodedSlice }
  | { kind: 'done'; id: number }
  | { kind: 'failed'; id: number; error: SerializedError };

export function encodeSlice(slice: EventSlice): EncodedSlice {
  const count = slice.valid.length;
  const positions = new Int32Array(count * 3);
  const sources = new Uint8Array(count);
  const lanes = new Uint8Array(count);
  const eventIds = new Array<string>(count);
  slice.valid.forEach((event, i) => {
    positions[i * 3] = event.index;
    positions[i * 3 + 1] = event.start;
    positions[i * 3 + 2] = event.end;
    sources[i] = SOURCES.indexOf(event.source);
    lanes[i] = LANES.indexOf(event.lane);
    eventIds[i] = event.eventId;
  });
  return { positions, sources, lanes, eventIds, invalid: slice.invalid };
}

export function decodeSlice(encoded: EncodedSlice): EventSlice {
  const valid = new Array<ValidEvent>(encoded.eventIds.length);
  for (let i = 0; i < valid.length; i++) {
    valid[i] = {
      index: encoded.positions[i * 3] as number,
      start: encoded.positions[i * 3 + 1] as number,
      end: encoded.positions[i * 3 + 2] as number,
      source: SOURCES[encoded.sources[i] as number] as Source,
      lane: LANES[encoded.lanes[i] as number] as Lane,
      eventId: encoded.eventIds[i] as string,
    };
  }
  return { valid, invalid: encoded.invalid };
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof JsonSyntaxError) return { type: 'syntax', reason: error.reason, position: error.position };
  if (error instanceof UnsupportedBodyError) return { type: 'unsupported', found: error.found };
  if (error instanceof TooManyEventsError) return { type: 'too-many-events', limit: error.limit };
  return { type: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

/** The same typed errors as reading on the main thread raises, so answers do not depend on where it ran. */
export function deserializeError(error: SerializedError): Error {
  switch (error.type) {
    case 'syntax':
      return new JsonSyntaxError(error.reason, error.position);
    case 'unsupported':
      return new UnsupportedBodyError(error.found);
    case 'too-many-events':
      return new TooManyEventsError(error.limit);
    case 'internal':
      return new Error(`ingest worker failed: ${error.message}`);
  }
}

import { parseArgs } from 'node:util';

/** The real publisher's average rate (shared/spec/PUBLISHER.md): about 2.2 billion events a day. */
export const REAL_EVENTS_PER_SECOND = 25_500;

export interface StorageBenchOptions {
  /** Stored events at which both layouts are measured, ascending. @default [1_000_000, 10_000_000] */
  checkpoints: number[];
  /** Rows the new layout's writer stores, for the throughput per million; at least the last checkpoint. @default the last checkpoint */
  rows: number;
  /** Events per `EventBatchWriter.write` call (and per legacy statement). @default 2000 */
  batch: number;
  /** Measure the new layout only. @default false */
  skipLegacy: boolean;
  /** Events per second of event time: how densely the events' timestamps fill the day partitions. @default 25500 */
  eventsPerSecond: number;
}

/** A command-line value the bench cannot use; the message names the option. */
export class StorageBenchOptionsError extends Error {
  override readonly name = 'StorageBenchOptionsError';
}

const SUFFIXES: Record<string, number> = { '': 1, k: 1_000, m: 1_000_000 };

/** A positive whole number such as `2000`, `1_000_000`, `250k` or `10M`. */
export function parseCount(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim().replaceAll('_', ''));
  const value = match ? Number(match[1]) * (SUFFIXES[(match[2] ?? '').toLowerCase()] ?? Number.NaN) : Number.NaN;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new StorageBenchOptionsError(`--${option}: not a positive whole number: "${text}" (e.g. 2000, 250k, 10M)`);
  return value;
}

/** A comma-separated list of counts, returned ascending; repeats are refused rather than silently merged. */
export function parseCheckpoints(text: string, option: string): number[] {
  const counts = text.split(',').map((part) => parseCount(part, option));
  const sorted = [...counts].sort((a, b) => a - b);
  if (new Set(sorted).size !== sorted.length)
    throw new StorageBenchOptionsError(`--${option}: a checkpoint is listed twice: "${text}"`);
  return sorted;
}

export function parseStorageBenchOptions(args: readonly string[]): StorageBenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        events: { type: 'string', default: '1000000,10000000' },
        rows: { type: 'string' },
        batch: { type: 'string', default: '2000' },
        'skip-legacy': { type: 'boolean', default: false },
        'event-rate': { type: 'string', default: String(REAL_EVENTS_PER_SECOND) },
      },
    }));
  } catch (error) {
    throw new StorageBenchOptionsError(error instanceof Error ? error.message : String(error));
  }
  const checkpoints = parseCheckpoints(values.events, 'events');
  const last = checkpoints[checkpoints.length - 1] as number;
  const rows = values.rows === undefined ? last : parseCount(values.rows, 'rows');
  if (rows < last)
    throw new StorageBenchOptionsError(`--rows: ${rows} is below the last checkpoint of --events (${last})`);
  const batch = parseCount(values.batch, 'batch');
  // The publisher's largest body; beyond it a batch parameter is tens of megabytes and nothing like production.
  if (batch > 50_000) throw new StorageBenchOptionsError(`--batch: ${batch} is above 50000`);
  return {
    checkpoints,
    rows,
    batch,
    skipLegacy: values['skip-legacy'],
    eventsPerSecond: parseCount(values['event-rate'], 'event-rate'),
  };
}

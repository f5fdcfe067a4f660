import { formatCount } from '../shared/number.format';
import type { RelationSize } from './relation-size.reader';

/** Issue 15's targets. */
export const TARGET_BYTES_PER_EVENT = 600;
export const TARGET_BYTES_AT_EVENTS = 10_000_000;
export const TARGET_THROUGHPUT_RATIO = 0.9;
export const TARGET_THROUGHPUT_ROWS = 20_000_000;

/** One layout measured at one number of stored events. */
export interface StorageCheckpoint {
  events: number;
  sizes: RelationSize[];
}

export interface LayoutMeasurement {
  layout: string;
  checkpoints: StorageCheckpoint[];
}

/** What the new layout's writer and indexer did over one slice of the rows (a million on a full run). */
export interface ThroughputSlice {
  /** Rows stored when the slice ended. */
  rowsAtEnd: number;
  rows: number;
  /** Wall time inside `EventBatchWriter.write` only. */
  writeSeconds: number;
  /** CPU of the writer's PostgreSQL backend; undefined when /proc could not be read. */
  writerBackendCpuSeconds: number | undefined;
  indexedEvents: number;
  /** Wall time inside `DemographicsIndexer.drain` only. */
  indexSeconds: number;
  indexerBackendCpuSeconds: number | undefined;
}

/** Rows per throughput slice: a million, or a third of a run too short to hold two millions. */
export function throughputSliceRows(rows: number, batch: number): number {
  if (rows >= 2_000_000) return 1_000_000;
  return Math.max(batch, Math.ceil(rows / 3 / batch) * batch);
}

/** Where the writer must stop on its way to `rows`: every checkpoint and every slice end, ascending. */
export function writeBoundaries(checkpoints: readonly number[], rows: number, sliceRows: number): number[] {
  const ends = new Set<number>([...checkpoints, rows]);
  for (let end = sliceRows; end < rows; end += sliceRows) ends.add(end);
  return [...ends].sort((a, b) => a - b);
}

/** `1M`, `2.5M`, `300k`, `1,234`: checkpoint sizes as column headers. */
export function formatEvents(events: number): string {
  if (events >= 1_000_000 && events % 100_000 === 0) return `${events / 1_000_000}M`;
  if (events >= 1_000 && events % 1_000 === 0) return `${events / 1_000}k`;
  return formatCount(events);
}

const perEvent = (bytes: number, events: number) => (bytes / events).toFixed(1);

export function allInBytes(checkpoint: StorageCheckpoint): number {
  return checkpoint.sizes.reduce((sum, size) => sum + size.bytes, 0);
}

const relationBytes = (checkpoint: StorageCheckpoint | undefined, relation: string) =>
  (checkpoint?.sizes ?? []).filter((size) => size.relation === relation).reduce((sum, size) => sum + size.bytes, 0);

/**
 * Relations in the order the table shows them: by bytes at the last checkpoint of the first layout, then of the
 * others (relations only one layout has), largest first.
 */
function relationOrder(layouts: readonly LayoutMeasurement[]): string[] {
  const names = [
    ...new Set(layouts.flatMap((layout) => layout.checkpoints.flatMap((c) => c.sizes.map((s) => s.relation)))),
  ];
  const weight = (relation: string) =>
    layouts.map((layout) => relationBytes(layout.checkpoints[layout.checkpoints.length - 1], relation));
  return names.sort((a, b) => {
    const [wa, wb] = [weight(a), weight(b)];
    for (let index = 0; index < wa.length; index++) {
      const difference = (wb[index] ?? 0) - (wa[index] ?? 0);
      if (difference !== 0) return difference;
    }
    return a.localeCompare(b);
  });
}

const headerOf = (layouts: readonly LayoutMeasurement[]) =>
  layouts.flatMap((layout) => layout.checkpoints.map((c) => `${layout.layout} ${formatEvents(c.events)}`));

/**
 * Bytes per stored event of every heap and index of every relation, one column per layout and checkpoint, `—` where
 * a layout has no such relation or index, then each relation's sum and the all-in total.
 */
export function bytesPerEventRows(layouts: readonly LayoutMeasurement[]): string[][] {
  const rows: string[][] = [['relation', 'kind', ...headerOf(layouts)]];
  for (const relation of relationOrder(layouts)) {
    const kinds = [
      ...new Set(
        layouts.flatMap((layout) =>
          layout.checkpoints.flatMap((c) => c.sizes.filter((s) => s.relation === relation).map((s) => s.kind)),
        ),
      ),
    ].sort((a, b) => (a === 'heap' ? -1 : b === 'heap' ? 1 : a.localeCompare(b)));
    for (const kind of kinds) {
      rows.push([
        relation,
        kind,
        ...layouts.flatMap((layout) =>
          layout.checkpoints.map((c) => {
            const size = c.sizes.find((s) => s.relation === relation && s.kind === kind);
            return size === undefined ? '—' : perEvent(size.bytes, c.events);
          }),
        ),
      ]);
    }
  }
  rows.push(['all-in', 'heaps + indexes', ...allInCells(layouts)]);
  return rows;
}

/** Bytes per stored event of each relation (heap and indexes together), and the all-in total. */
export function relationTotalRows(layouts: readonly LayoutMeasurement[]): string[][] {
  const rows: string[][] = [['relation', ...headerOf(layouts)]];
  for (const relation of relationOrder(layouts)) {
    rows.push([
      relation,
      ...layouts.flatMap((layout) =>
        layout.checkpoints.map((c) =>
          c.sizes.some((s) => s.relation === relation) ? perEvent(relationBytes(c, relation), c.events) : '—',
        ),
      ),
    ]);
  }
  rows.push(['all-in', ...allInCells(layouts)]);
  return rows;
}

const allInCells = (layouts: readonly LayoutMeasurement[]) =>
  layouts.flatMap((layout) => layout.checkpoints.map((c) => perEvent(allInBytes(c), c.events)));

const rate = (count: number, seconds: number) => (seconds > 0 ? count / seconds : Number.NaN);
const micros = (cpuSeconds: number | undefined, count: number) =>
  cpuSeconds === undefined || count === 0 ? 'n/a' : ((cpuSeconds * 1e6) / count).toFixed(1);

export function writerRowsPerSecond(slice: ThroughputSlice): number {
  return rate(slice.rows, slice.writeSeconds);
}

/** The writer's rate over the last slice ÷ over the first; undefined with fewer than two slices. */
export function throughputRatio(slices: readonly ThroughputSlice[]): number | undefined {
  const first = slices[0];
  const last = slices[slices.length - 1];
  if (first === undefined || last === undefined || slices.length < 2) return undefined;
  return writerRowsPerSecond(last) / writerRowsPerSecond(first);
}

export function throughputRows(slices: readonly ThroughputSlice[]): string[][] {
  return [
    [
      'rows stored',
      'writer rows/s',
      'write s',
      'PG writer µs/row',
      'indexer events/s',
      'index s',
      'PG indexer µs/event',
    ],
    ...slices.map((slice) => [
      `${formatCount(slice.rowsAtEnd - slice.rows)} – ${formatCount(slice.rowsAtEnd)}`,
      formatCount(writerRowsPerSecond(slice)),
      slice.writeSeconds.toFixed(1),
      micros(slice.writerBackendCpuSeconds, slice.rows),
      formatCount(rate(slice.indexedEvents, slice.indexSeconds)),
      slice.indexSeconds.toFixed(1),
      micros(slice.indexerBackendCpuSeconds, slice.indexedEvents),
    ]),
  ];
}

import {
  createDatabasePool,
  DEFAULT_PARTITION_SETTINGS,
  DemographicsIndexer,
  EventBatchWriter,
  PartitionManager,
} from '@evp/database';
import { createTestDatabase, eventRowOf } from '@evp/testing';
import { Random } from '@evp/synthetic';
import type { BenchLog } from '../shared/bench.console';
import { formatCount } from '../shared/number.format';
import { BackendCpuMeter, withApplicationName } from './backend-cpu.meter';
import { BenchEventStream } from './bench-event.stream';
import type { InterruptGuard } from './interrupt.guard';
import { readRelationSizes } from './relation-size.reader';
import type { StorageBenchOptions } from './storage.options';
import {
  type StorageCheckpoint,
  type ThroughputSlice,
  throughputSliceRows,
  writeBoundaries,
  writerRowsPerSecond,
} from './storage.report';

const WRITER = 'evp-bench-writer';
const INDEXER = 'evp-bench-indexer';
/**
 * The reporter's cadence (DEMOGRAPHICS_INDEX_INTERVAL_MS 1000, DEMOGRAPHICS_INDEX_BATCHES 10): about a second of
 * stored traffic is folded in, ten queue rows a transaction, between writes.
 */
const WRITES_BETWEEN_DRAINS = 10;
const QUEUE_ROWS_PER_STEP = 10;

export interface NewLayoutResult {
  database: string;
  /**
   * Whether the server runs autovacuum. Without it nothing reclaims the space of deleted and updated rows (the
   * demographics queue above all), and no vacuum competes with the writer, unlike in production.
   */
  autovacuum: boolean;
  checkpoints: StorageCheckpoint[];
  slices: ThroughputSlice[];
}

/**
 * The partitioned layout as the services write it: on a fresh migrated database, the events' day partitions created
 * up front (as the storage maintenance does ahead of time), then every row through the real `EventBatchWriter`, with
 * the real `DemographicsIndexer` folding the queue in between writes. One writer and one indexer, each on a
 * connection of its own, one after the other, so each one's wall time and backend CPU are its own.
 */
export async function runNewLayout(
  options: StorageBenchOptions,
  log: BenchLog,
  interrupt: InterruptGuard,
): Promise<NewLayoutResult> {
  const database = await createTestDatabase();
  const pool = (url: string) => createDatabasePool({ url, poolSize: 1, connectTimeoutMs: 5_000 });
  const observer = pool(database.url);
  const writerPool = pool(withApplicationName(database.url, WRITER));
  const indexerPool = pool(withApplicationName(database.url, INDEXER));
  try {
    log(`new layout: database ${database.name}`);
    const { rows: settings } = await observer.query<{ autovacuum: boolean }>(
      `SELECT current_setting('autovacuum') = 'on' AS autovacuum`,
    );
    const autovacuum = settings[0]?.autovacuum ?? false;
    if (!autovacuum) log('autovacuum is off on this server: dead rows stay in the files (see bench/README.md)');
    const stream = new BenchEventStream(options.eventsPerSecond);
    const partitions = new PartitionManager(writerPool, DEFAULT_PARTITION_SETTINGS);
    await partitions.ensureFor(stream.daysOf(options.rows));
    const writer = new EventBatchWriter(writerPool, partitions);
    const indexer = new DemographicsIndexer(indexerPool);
    const cpu = new BackendCpuMeter(observer, [WRITER, INDEXER]);
    // One id and one receipt time per written batch stand for the gateway's per request: the same bytes on every row.
    const correlationIds = new Random(options.eventsPerSecond);

    const sliceRows = throughputSliceRows(options.rows, options.batch);
    const checkpoints: StorageCheckpoint[] = [];
    const slices: ThroughputSlice[] = [];
    let cpuAtSliceStart = await cpu.read();
    let slice = emptySlice(0);
    let written = 0;
    let writesSinceDrain = 0;
    const drain = async () => {
      const started = performance.now();
      slice.indexedEvents += await indexer.drain(QUEUE_ROWS_PER_STEP);
      slice.indexSeconds += (performance.now() - started) / 1_000;
      writesSinceDrain = 0;
    };

    for (const boundary of writeBoundaries(options.checkpoints, options.rows, sliceRows)) {
      while (written < boundary) {
        interrupt.check();
        const count = Math.min(options.batch, boundary - written);
        const correlationId = correlationIds.uuid();
        const events = stream.take(count);
        const receivedAt = events[events.length - 1]?.timestamp;
        const rows = events.map((event) => eventRowOf(event, { correlationId, receivedAt }));
        const started = performance.now();
        const result = await writer.write(rows);
        slice.writeSeconds += (performance.now() - started) / 1_000;
        if (result.inserted !== count)
          throw new Error(`a batch of ${count} new events stored ${result.inserted}: ${JSON.stringify(result)}`);
        written += count;
        slice.rows += count;
        if (++writesSinceDrain >= WRITES_BETWEEN_DRAINS) await drain();
      }
      const checkpoint = options.checkpoints.includes(written);
      // The read model is part of what a stored event costs: measured with the queue folded in.
      if (checkpoint) await drain();
      if (written % sliceRows === 0 || written === options.rows) {
        const cpuNow = await cpu.read();
        slices.push(closeSlice(slice, written, cpuAtSliceStart, cpuNow));
        log(
          `new layout: ${formatCount(written)} rows stored, writer ${formatCount(writerRowsPerSecond(slice))} rows/s`,
        );
        cpuAtSliceStart = cpuNow;
        slice = emptySlice(written);
      }
      if (checkpoint) {
        checkpoints.push({ events: written, sizes: await readRelationSizes(observer) });
        log(`new layout: sizes measured at ${formatCount(written)} events`);
      }
    }
    return { database: database.name, autovacuum, checkpoints, slices };
  } finally {
    await Promise.all([observer.end(), writerPool.end(), indexerPool.end()]);
    await database.drop();
  }
}

function emptySlice(rowsAtStart: number): ThroughputSlice {
  return {
    rowsAtEnd: rowsAtStart,
    rows: 0,
    writeSeconds: 0,
    writerBackendCpuSeconds: 0,
    indexedEvents: 0,
    indexSeconds: 0,
    indexerBackendCpuSeconds: 0,
  };
}

function closeSlice(
  slice: ThroughputSlice,
  rowsAtEnd: number,
  cpuBefore: Record<string, number | undefined>,
  cpuAfter: Record<string, number | undefined>,
): ThroughputSlice {
  const used = (name: string) => {
    const [before, after] = [cpuBefore[name], cpuAfter[name]];
    return after === undefined ? undefined : after - (before ?? 0);
  };
  return { ...slice, rowsAtEnd, writerBackendCpuSeconds: used(WRITER), indexerBackendCpuSeconds: used(INDEXER) };
}

import type { Pool } from 'pg';
import { DemographicsIndexer } from '../demographics/demographics.indexer';
import { DEMOGRAPHIC_TABLES } from '../demographics/demographics.sql';
import { refreshRollups } from '../rollups/rollup.refresher';
import { PartitionManager } from '../storage/partition.manager';
import type { PartitionInterval } from '../storage/partition.sql';
import { SEED_BATCH_SQL } from './seed.sql';

/** Queue rows (5,000 events each) per indexer transaction when the seeder rebuilds the demographics model. */
const REBUILD_BATCHES_PER_STEP = 20;

export interface SeedOptions {
  /** How many events to generate. */
  events: number;
  /** The events are spread over this many days, ending at `until`. @default 30 */
  days?: number;
  /** The end of the time range (exclusive). @default now, rounded down to the minute */
  until?: Date;
  /**
   * Distinct users, half per source, each with stable attributes; `'per-event'`: every event from a user of its own,
   * the real publisher's shape. @default events / 10, at least 1,000
   */
  users?: number | 'per-event';
  /** Distinct Facebook campaign ids, some far more frequent than others. @default 200 */
  campaigns?: number;
  /**
   * Makes the data repeatable, and names the events (from `seed-<seed>-<n>`, see SEED_BATCH_SQL): seeding again with the same seed adds
   * nothing, with another seed adds new events. @default random
   */
  seed?: number;
  /** Events per INSERT statement. @default 100000 */
  batchSize?: number;
  /** Statements in flight at once; two suit two cores. @default 2 */
  concurrency?: number;
  /** Interval of the partitions created for the seeded range. @default 'day' */
  partitionInterval?: PartitionInterval;
  /** Called after each batch with the events generated so far. */
  onProgress?: (generated: number, total: number) => void;
}

export interface SeedResult {
  /** Events actually stored (fewer than asked when some already existed). */
  inserted: number;
  /** Time spent generating and inserting, in seconds. */
  insertSeconds: number;
  /** Time spent rebuilding the rollups and the demographics read model and vacuuming, in seconds. */
  finishSeconds: number;
  seed: number;
}

/**
 * Fills `events` with realistic synthetic events generated inside PostgreSQL (no round trip per event), then
 * rebuilds the rollup tables and the demographics read model from `events` so that they equal what the batch writer
 * (and the reporter's indexer) would have produced, and vacuums/analyses the tables so that reports see fresh
 * statistics and index-only scans.
 */
export async function seedEvents(pool: Pool, options: SeedOptions): Promise<SeedResult> {
  const total = Math.floor(options.events);
  if (!(total > 0)) throw new RangeError('events must be a positive number');
  const days = options.days ?? 30;
  const until = options.until ?? new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const usersPerSource =
    options.users === 'per-event' ? 0 : Math.max(500, Math.floor((options.users ?? total / 10) / 2));
  const seed = options.seed ?? Math.floor(Math.random() * 1_000_000_000);
  const batchSize = options.batchSize ?? 100_000;
  const secondsPerEvent = (days * 86_400) / total;
  const start = new Date(until.getTime() - days * 86_400_000);
  const prefix = `seed-${seed}-`;
  const seededDays = Array.from({ length: Math.ceil(days) + 1 }, (_, day) =>
    new Date(Math.min(start.getTime() + day * 86_400_000, until.getTime() - 1)).toISOString(),
  );
  await new PartitionManager(pool, {
    interval: options.partitionInterval ?? 'day',
    ahead: 1,
    retentionDays: 0,
  }).ensureFor(seededDays);

  const batches: { first: number; last: number; index: number }[] = [];
  for (let first = 0, index = 0; first < total; first += batchSize, index++) {
    batches.push({ first, last: Math.min(first + batchSize, total) - 1, index });
  }
  let inserted = 0;
  let generated = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.max(1, options.concurrency ?? 2) }, async () => {
      const client = await pool.connect();
      try {
        for (let batch = batches[next++]; batch; batch = batches[next++]) {
          // Each batch seeds the generator itself, so the data does not depend on which connection ran it.
          await client.query('SELECT setseed($1)', [
            (((seed * 7_919 + batch.index) % 1_999_999) - 999_999) / 1_000_000,
          ]);
          const result = await client.query(SEED_BATCH_SQL, [
            batch.first,
            batch.last,
            start,
            secondsPerEvent,
            usersPerSource,
            prefix,
            options.campaigns ?? 200,
          ]);
          inserted += result.rowCount ?? 0;
          generated += batch.last - batch.first + 1;
          options.onProgress?.(generated, total);
        }
      } finally {
        client.release();
      }
    }),
  );
  const insertSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await refreshRollups(pool);
  await pool.query('VACUUM (ANALYZE) events');
  await new DemographicsIndexer(pool).rebuild(REBUILD_BATCHES_PER_STEP);
  await pool.query(
    `VACUUM (ANALYZE) event_counts_minute, event_counts_hour, revenue_minute, revenue_hour, ${DEMOGRAPHIC_TABLES.join(', ')}`,
  );
  const finishSeconds = Number(process.hrtime.bigint() - started) / 1e9 - insertSeconds;
  return { inserted, insertSeconds, finishSeconds, seed };
}

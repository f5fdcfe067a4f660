import { createDatabasePool, followerBandOf, refreshRollups } from '@evp/database';
import { createTestDatabase, migrateToLegacyLayout, storeLegacyEvents } from '@evp/testing';
import type { Pool } from 'pg';
import type { BenchLog } from '../shared/bench.console';
import { formatCount } from '../shared/number.format';
import { BenchEventStream } from './bench-event.stream';
import type { InterruptGuard } from './interrupt.guard';
import { readRelationSizes } from './relation-size.reader';
import type { StorageBenchOptions } from './storage.options';
import { type StorageCheckpoint, throughputSliceRows, writeBoundaries } from './storage.report';

/**
 * The legacy read model's counters from its chains, as its indexer left them: users per kind of their first event
 * of a chain. `storeLegacyEvents` writes the chains only.
 */
const LEGACY_COUNTERS_SQL = [
  'TRUNCATE facebook_user_profiles, facebook_user_places, tiktok_user_followers, tiktok_user_follower_bands, tiktok_user_places',
  `INSERT INTO facebook_user_profiles (gender, age, users)
   SELECT gender, age, count(*) FROM demographic_events WHERE chain = 'facebook' AND prev_at IS NULL GROUP BY 1, 2`,
  `INSERT INTO facebook_user_places (country, city, users)
   SELECT country, city, count(*) FROM demographic_events WHERE chain = 'facebook' AND prev_at IS NULL GROUP BY 1, 2`,
  `INSERT INTO tiktok_user_followers (followers, users)
   SELECT followers, count(*) FROM demographic_events WHERE chain = 'tiktok' AND prev_at IS NULL GROUP BY 1`,
  `INSERT INTO tiktok_user_follower_bands (band, users, followers_sum)
   SELECT ${followerBandOf('followers')}, count(*), coalesce(sum(followers), 0)
   FROM demographic_events WHERE chain = 'tiktok' AND prev_at IS NULL GROUP BY 1`,
  `INSERT INTO tiktok_user_places (country, device, users)
   SELECT country, device, count(*) FROM demographic_events WHERE chain = 'tiktok_top' AND prev_at IS NULL GROUP BY 1, 2`,
];

export interface LegacyLayoutResult {
  database: string;
  checkpoints: StorageCheckpoint[];
  /** Wall time of the storing statements, for the log: not the legacy writer's, so no throughput figure. */
  storeSeconds: number;
}

/**
 * Today's layout on a second database: migrated to the last migration before partitioning, the same events (same
 * seed, same timestamps) stored the legacy way by `storeLegacyEvents` (text ids, the raw event kept whole, six B-trees
 * on `events`, the chains of the read model), to the same checkpoints. Its rollups and counters, which the legacy
 * writer and indexer kept per batch, are rebuilt from the stored rows before each measurement.
 */
export async function runLegacyLayout(
  options: StorageBenchOptions,
  log: BenchLog,
  interrupt: InterruptGuard,
): Promise<LegacyLayoutResult> {
  const database = await createTestDatabase({ migrate: false });
  const pool = createDatabasePool({ url: database.url, poolSize: 2, connectTimeoutMs: 5_000 });
  try {
    log(`legacy layout: database ${database.name}`);
    await migrateToLegacyLayout(pool);
    const stream = new BenchEventStream(options.eventsPerSecond);
    const last = options.checkpoints[options.checkpoints.length - 1] as number;
    const sliceRows = throughputSliceRows(last, options.batch);
    const checkpoints: StorageCheckpoint[] = [];
    let written = 0;
    let storeSeconds = 0;
    for (const boundary of writeBoundaries(options.checkpoints, last, sliceRows)) {
      const sliceStarted = performance.now();
      const rowsBefore = written;
      while (written < boundary) {
        interrupt.check();
        const count = Math.min(options.batch, boundary - written);
        await storeLegacyEvents(
          pool,
          stream.take(count).map((event) => ({ event, raw: event })),
        );
        written += count;
      }
      const seconds = (performance.now() - sliceStarted) / 1_000;
      storeSeconds += seconds;
      log(
        `legacy layout: ${formatCount(written)} rows stored (${formatCount((written - rowsBefore) / seconds)} rows/s)`,
      );
      if (options.checkpoints.includes(written)) {
        await rebuildDerivedTables(pool);
        checkpoints.push({ events: written, sizes: await readRelationSizes(pool) });
        log(`legacy layout: sizes measured at ${formatCount(written)} events`);
      }
    }
    return { database: database.name, checkpoints, storeSeconds };
  } finally {
    await pool.end();
    await database.drop();
  }
}

async function rebuildDerivedTables(pool: Pool): Promise<void> {
  await refreshRollups(pool);
  for (const statement of LEGACY_COUNTERS_SQL) await pool.query(statement);
}

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createDatabasePool,
  DemographicsIndexer,
  EventBatchWriter,
  refreshRollups,
  runMigrations,
} from '@evp/database';
import {
  createTestDatabase,
  eventRowOf,
  LEGACY_LAYOUT_MIGRATION,
  type LegacyEvent,
  migrateToLegacyLayout,
  REPO_ROOT,
  storeLegacyEvents,
  type TestDatabase,
} from '@evp/testing';
import { EventGenerator, Random } from '@evp/synthetic';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedDemographics, readDemographics } from './support/demographics.expectations';
import { expectedRollups, readRollups } from './support/rollup.expectations';

/** The migrations that follow `name`, in the order they apply. */
function migrationsAfter(name: string): string[] {
  return readdirSync(join(REPO_ROOT, 'libs', 'database', 'prisma', 'migrations'))
    .filter((entry) => /^\d{14}_/.test(entry) && entry > name)
    .sort();
}

/** What a reader sees of the events, ids as sent: the part the migration must keep. */
async function storedEvents(pool: Pool, relation: string, extra: string): Promise<string[]> {
  const { rows } = await pool.query<{ line: string }>(
    `SELECT concat_ws('|', event_id, occurred_at, source, funnel_stage, event_type, user_id, user_name, age, gender, country,
       city, followers, campaign_id, ad_id, device, browser, referrer, click_position, video_id, watch_time,
       percentage_watched, profile_id, purchased_item, purchase_amount, action_time, correlation_id, ${extra}) AS line
     FROM ${relation} ORDER BY 1`,
  );
  return rows.map((row) => row.line);
}

describe('the migration to the partitioned layout', () => {
  let database: TestDatabase;
  let pool: Pool;
  let events: LegacyEvent[];

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    pool = createDatabasePool({ url: database.url, poolSize: 3, connectTimeoutMs: 5_000 });
    await migrateToLegacyLayout(pool);
    // Three days of events, some users returning, some ids and user ids not canonical, some fields outside the contract.
    const random = new Random(21);
    const start = Date.UTC(2026, 4, 1, 22, 0, 0);
    const generator = new EventGenerator({ seed: 21, now: () => new Date(start + random.int(0, 3 * 86_400_000)) });
    events = generator.batch(3_000).map((event, index) => {
      if (index % 3 === 0) event.data.user.userId = `user-${random.int(1, 200)}`;
      if (index % 50 === 0) event.eventId = `legacy-${index}`;
      const raw: Record<string, unknown> =
        index % 70 === 0
          ? { ...event, campaign: { name: `c${index}` }, data: { ...event.data, session: index } }
          : event;
      return { event, raw };
    });
    await storeLegacyEvents(pool, events);
    await refreshRollups(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('should move every row, keep the ids as sent, the fields outside the contract and the rollups', async () => {
    const before = await storedEvents(
      pool,
      'events',
      `(raw - ARRAY['eventId', 'timestamp', 'source', 'funnelStage', 'eventType', 'data'])
        || CASE WHEN raw->'data' ? 'session' THEN jsonb_build_object('data', jsonb_build_object('session', raw->'data'->'session')) ELSE '{}' END`,
    );
    const rollups = await readRollups(pool);

    const result = await runMigrations({ url: database.url });
    expect(result.applied).toEqual(migrationsAfter(LEGACY_LAYOUT_MIGRATION));
    expect(result.applied).toContain('20261205130000_partitioned_storage');
    expect(result.summary).toContain(`${events.length} events moved to the partitioned layout`);

    const legacy = await pool.query(`SELECT to_regclass('events_legacy') AS legacy`);
    expect(legacy.rows[0]).toEqual({ legacy: null });
    // Events with no field outside the contract had `{}` left of their raw event: the new layout stores NULL there.
    expect(await storedEvents(pool, 'events_as_received', `coalesce(extra, '{}')`)).toEqual(before);
    expect(await readRollups(pool)).toEqual(rollups);
    expect(rollups).toEqual(await expectedRollups(pool));
    const partitions = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'events'::regclass`,
    );
    expect(partitions.rows[0]?.n).toBe(4);
    const unkeyed = await pool.query(`SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'events'::regclass AND NOT EXISTS (SELECT 1 FROM pg_index AS x WHERE x.indrelid = c.oid AND x.indisunique)`);
    expect(unkeyed.rows).toEqual([]);
  });

  it('should queue the moved events once, so the demographics model is rebuilt from them', async () => {
    const indexer = new DemographicsIndexer(pool);
    expect(await indexer.drain(5)).toBe(events.length);
    expect(await readDemographics(pool)).toEqual(await expectedDemographics(pool));
  });

  it('should find nothing more to do when run again', async () => {
    expect(await runMigrations({ url: database.url })).toEqual({ applied: [], summary: 'no pending migrations' });
  });
});

describe('the keys of partitions made before they were per partition', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createDatabasePool({ url: database.url, poolSize: 2, connectTimeoutMs: 5_000 });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('should be built at start-up, after which an id under another timestamp of its day is refused', async () => {
    const [row] = new EventGenerator({ seed: 5, now: () => new Date(Date.UTC(2026, 2, 3, 12)) })
      .batch(1)
      .map((event) => eventRowOf(event));
    const writer = new EventBatchWriter(pool);
    expect(await writer.write([row!])).toEqual({ inserted: 1, duplicates: 0, conflicting: [] });
    // As migration 20261205130000 left a partition: no key of its own.
    await pool.query('DROP INDEX events_d20260303_event_id_key');

    const result = await runMigrations({ url: database.url });
    expect(result.summary).toBe('no pending migrations, keys built on events_d20260303');

    const later = { ...row!, occurredAt: new Date(Date.parse(row!.occurredAt) + 60_000).toISOString() };
    expect(await writer.write([later])).toEqual({ inserted: 0, duplicates: 0, conflicting: [0] });
    expect(await runMigrations({ url: database.url })).toEqual({ applied: [], summary: 'no pending migrations' });
  });
});

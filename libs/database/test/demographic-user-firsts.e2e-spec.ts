import { createDatabasePool, DemographicsIndexer, PartitionManager, runMigrations } from '@evp/database';
import { createTestDatabase, migrateToLegacyLayout, type TestDatabase } from '@evp/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedDemographics, readDemographics } from './support/demographics.expectations';

/** The schema before the migration under test. */
const BEFORE = '20261205210000_received_at';
const MIGRATION = '20261206020000_demographic_user_firsts';

/**
 * 600 events of 40 users over an hour, in a scrambled time order: users return, and the queued ones (above 500) are
 * often earlier than the first event the model holds for their user.
 */
const STORE_EVENTS_SQL = `INSERT INTO events (occurred_at, event_id, user_id, source, funnel_stage, event_type, gender, age,
  country, city, followers, device)
SELECT '2026-01-15T10:00:00Z'::timestamptz + (i * 7919 % 3600) * interval '1 second', md5('event-' || i)::uuid,
  md5('user-' || (i % 40))::uuid, CASE WHEN i % 2 = 0 THEN 'facebook' ELSE 'tiktok' END,
  CASE WHEN i % 3 = 0 THEN 'top' ELSE 'bottom' END, 'view', (ARRAY['male', 'female', 'non-binary'])[i % 3 + 1],
  18 + i % 7, (ARRAY['PL', 'DE'])[i % 2 + 1], (ARRAY['Gdansk', 'Berlin', 'Lodz'])[i % 3 + 1], i * 137 % 5000,
  (ARRAY['ios', 'android'])[i % 2 + 1]
FROM generate_series(1, 600) AS i`;

/** The chains of the stored events but the queued ones, as the indexer before the migration kept them. */
const CHAINED = `SELECT CASE source WHEN 'facebook' THEN 1 ELSE 2 END AS chain, * FROM modelled
  UNION ALL SELECT 3, * FROM modelled WHERE source = 'tiktok' AND funnel_stage = 'top'`;
const MODELLED = `modelled AS (SELECT * FROM events WHERE event_id NOT IN (SELECT event_id FROM queued))`;
const QUEUED = `queued AS (SELECT event_id, occurred_at FROM events ORDER BY event_id OFFSET 500)`;
const FIRSTS = `WITH ${QUEUED}, ${MODELLED}, firsts AS (
  SELECT DISTINCT ON (chain, user_id) * FROM (${CHAINED}) AS c ORDER BY chain, user_id, occurred_at, event_id
)`;

/** The read model of the schema before the migration: every event chained, firsts with `prev_at` NULL. */
const OLD_MODEL_SQL = [
  `WITH ${QUEUED}, ${MODELLED}
   INSERT INTO demographic_events (chain, user_id, occurred_at, event_id, prev_at, gender, age, country, city, followers,
     device)
   SELECT chain, user_id, occurred_at, event_id,
     lag(occurred_at) OVER (PARTITION BY chain, user_id ORDER BY occurred_at, event_id), gender, age, country, city,
     followers, device
   FROM (${CHAINED}) AS c`,
  `${FIRSTS} INSERT INTO demographic_users (chain, user_id, first_at, first_event_id)
   SELECT chain, user_id, occurred_at, event_id FROM firsts`,
  `${FIRSTS} INSERT INTO facebook_user_profiles SELECT gender, age, count(*) FROM firsts WHERE chain = 1 GROUP BY 1, 2`,
  `${FIRSTS} INSERT INTO facebook_user_places SELECT country, city, count(*) FROM firsts WHERE chain = 1 GROUP BY 1, 2`,
  `${FIRSTS} INSERT INTO tiktok_user_followers SELECT followers, count(*) FROM firsts WHERE chain = 2 GROUP BY 1`,
  `${FIRSTS} INSERT INTO tiktok_user_follower_bands
   SELECT followers / 1000, count(*), sum(followers) FROM firsts WHERE chain = 2 GROUP BY 1`,
  `${FIRSTS} INSERT INTO tiktok_user_places SELECT country, device, count(*) FROM firsts WHERE chain = 3 GROUP BY 1, 2`,
  `WITH ${QUEUED} INSERT INTO demographic_pending (event_ids, occurred_ats)
   SELECT array_agg(event_id), array_agg(occurred_at) FROM queued`,
];

describe(MIGRATION, () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    pool = createDatabasePool({ url: database.url, poolSize: 3, connectTimeoutMs: 5_000 });
    await migrateToLegacyLayout(pool, BEFORE);
    await new PartitionManager(pool, { interval: 'day', ahead: 0, retentionDays: 0 }).ensureFor([
      '2026-01-15T10:00:00.000Z',
    ]);
    await pool.query(STORE_EVENTS_SQL);
    for (const statement of OLD_MODEL_SQL) await pool.query(statement);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  describe('when it moves a model with queued events over', () => {
    it('should keep only the events that are not a first, and give the queued rows what the indexer needs', async () => {
      const result = await runMigrations({ url: database.url });
      expect(result.applied).toContain(MIGRATION);

      const { rows } = await pool.query<{ firsts: number; undescribed: number; queued: number; described: number }>(
        `SELECT (SELECT count(*)::int FROM demographic_events WHERE prev_at IS NULL) AS firsts,
           (SELECT count(*)::int FROM demographic_users WHERE gender IS NULL AND followers IS NULL) AS undescribed,
           (SELECT count(*)::int FROM demographic_pending, unnest(event_ids)) AS queued,
           (SELECT count(*)::int FROM demographic_pending, unnest(user_ids, kinds, genders) AS q(user_id, kind, gender)
             WHERE user_id IS NOT NULL AND kind IN (1, 2, 3) AND gender IS NOT NULL) AS described`,
      );
      expect(rows[0]).toEqual({ firsts: 0, undescribed: 0, queued: 100, described: 100 });
    });

    it('should let the indexer fold the queue into a model equal to the one computed from the events', async () => {
      expect(await new DemographicsIndexer(pool).drain(5)).toBe(100);
      expect(await readDemographics(pool)).toEqual(await expectedDemographics(pool));
    });
  });
});

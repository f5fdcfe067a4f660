import { validateEvent } from '@evp/contracts';
import { createDatabasePool, seedEvents } from '@evp/database';
import { createTestDatabase, eventRowOf, type TestDatabase } from '@evp/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedRollups, readRollups } from './support/rollup.expectations';
import { userAndEngagementColumnsOf } from './support/user-and-engagement.columns';

const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The event the publisher would have sent, put together again from a row's typed columns, to validate it. */
const EVENT_OF_COLUMNS = `jsonb_build_object(
  'eventId', event_id, 'timestamp', ${ts('occurred_at')}, 'source', source, 'funnelStage', funnel_stage, 'eventType', event_type,
  'data', CASE WHEN source = 'facebook' THEN jsonb_build_object(
    'user', jsonb_build_object('userId', user_id, 'name', user_name, 'age', age, 'gender', gender,
      'location', jsonb_build_object('country', country, 'city', city)),
    'engagement', CASE WHEN funnel_stage = 'top'
      THEN jsonb_build_object('actionTime', ${ts('action_time')}, 'referrer', referrer, 'videoId', video_id)
      ELSE jsonb_build_object('adId', ad_id, 'campaignId', campaign_id, 'clickPosition', click_position,
        'device', device, 'browser', browser, 'purchaseAmount', purchase_amount::text) END)
  ELSE jsonb_build_object(
    'user', jsonb_build_object('userId', user_id, 'username', user_name, 'followers', followers),
    'engagement', CASE WHEN funnel_stage = 'top'
      THEN jsonb_build_object('watchTime', watch_time, 'percentageWatched', percentage_watched, 'device', device,
        'country', country, 'videoId', video_id)
      ELSE jsonb_build_object('actionTime', ${ts('action_time')}, 'profileId', profile_id, 'purchasedItem', purchased_item,
        'purchaseAmount', purchase_amount::text) END)
  END)`;

describe(seedEvents, () => {
  let database: TestDatabase;
  let pool: Pool;
  const until = new Date('2026-03-01T00:00:00.000Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createDatabasePool({ url: database.url, poolSize: 3, connectTimeoutMs: 5_000 });
    await seedEvents(pool, { events: 20_000, days: 2, until, seed: 11, batchSize: 3_000 });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const one = async <T>(sql: string) => (await pool.query<T & Record<string, unknown>>(sql)).rows[0] as T;

  describe('when events are seeded', () => {
    it('should store events that pass the contract, with typed columns equal to what a normaliser would store', async () => {
      const { rows } = await pool.query<Record<string, unknown> & { event: unknown }>(
        `SELECT event_id, source, funnel_stage, event_type, user_id, user_name, age, gender, country, city, followers, campaign_id,
           ad_id, device, browser, referrer, click_position, video_id, watch_time, percentage_watched, profile_id, purchased_item,
           purchase_amount::text AS purchase_amount, ${EVENT_OF_COLUMNS} AS event
         FROM events_as_received ORDER BY random() LIMIT 2000`,
      );
      for (const row of rows) {
        const validation = validateEvent(row.event);
        expect(validation, JSON.stringify(row.event)).toMatchObject({ ok: true });
        if (!validation.ok) continue;
        const expected = eventRowOf(validation.event);
        const numeric = (value: string | null | undefined) => (value == null ? null : Number(value).toFixed(2));
        expect({ ...row, event: undefined, purchase_amount: numeric(row.purchase_amount as string | null) }).toEqual({
          event_id: expected.eventId,
          source: expected.source,
          funnel_stage: expected.funnelStage,
          event_type: expected.eventType,
          ...userAndEngagementColumnsOf(expected),
          purchase_amount: numeric(expected.purchaseAmount),
          event: undefined,
        });
      }
    });

    it('should leave the rollups equal to an independent count of the events', async () => {
      const rollups = await readRollups(pool);
      expect(rollups).toEqual(await expectedRollups(pool));
      expect(rollups.countsHour.reduce((sum, line) => sum + Number(line.split('|')[4]), 0)).toBe(20_000);
    });

    it('should draw realistic distributions over the requested days', async () => {
      const shape = await one<{
        facebook: number;
        types: number;
        first: Date;
        last: Date;
        min_age: number;
        max_age: number;
        countries: number;
        campaigns: number;
      }>(
        `SELECT avg((source = 'facebook')::int)::float AS facebook, count(DISTINCT (source, event_type))::int AS types,
           min(occurred_at) AS first, max(occurred_at) AS last, min(age) AS min_age, max(age) AS max_age,
           count(DISTINCT country)::int AS countries, count(DISTINCT campaign_id)::int AS campaigns
         FROM events`,
      );
      expect(shape.facebook).toBeGreaterThan(0.47);
      expect(shape.facebook).toBeLessThan(0.53);
      expect(shape.types).toBe(14);
      expect(shape.first.getTime()).toBeGreaterThanOrEqual(until.getTime() - 2 * 86_400_000);
      expect(shape.last.getTime()).toBeLessThan(until.getTime());
      expect(shape.last.getTime() - shape.first.getTime()).toBeGreaterThan(1.9 * 86_400_000);
      expect([shape.min_age, shape.max_age]).toEqual([18, 65]);
      expect(shape.countries).toBe(30);
      expect(shape.campaigns).toBeGreaterThan(100);

      const amounts = await one<{ fb_min: string; fb_max: string; ttk_min: string; ttk_max: string; stray: number }>(
        `SELECT min(purchase_amount) FILTER (WHERE source = 'facebook') AS fb_min, max(purchase_amount) FILTER (WHERE source = 'facebook') AS fb_max,
           min(purchase_amount) FILTER (WHERE source = 'tiktok') AS ttk_min, max(purchase_amount) FILTER (WHERE source = 'tiktok') AS ttk_max,
           count(*) FILTER (WHERE purchase_amount IS NOT NULL AND event_type NOT IN ('checkout.complete', 'purchase'))::int AS stray
         FROM events`,
      );
      expect(Number(amounts.fb_min)).toBeGreaterThanOrEqual(10);
      expect(Number(amounts.fb_max)).toBeLessThanOrEqual(1000);
      expect(Number(amounts.ttk_min)).toBeGreaterThanOrEqual(5);
      expect(Number(amounts.ttk_max)).toBeLessThanOrEqual(500);
      expect(amounts.stray).toBe(0);
    });

    it('should give users stable attributes across their events, and fewer users than events', async () => {
      const users = await one<{ users: number; unstable: number; repeat_users: number }>(
        `SELECT count(*)::int AS users, count(*) FILTER (WHERE variants > 1)::int AS unstable, count(*) FILTER (WHERE events > 1)::int AS repeat_users
         FROM (
           SELECT user_id, count(*) AS events,
             count(DISTINCT (user_name, age, gender, coalesce(country, ''), city, followers))
               FILTER (WHERE source = 'facebook' OR funnel_stage = 'top') AS variants
           FROM events GROUP BY user_id
         ) AS per_user`,
      );
      expect(users.unstable).toBe(0);
      expect(users.users).toBeLessThanOrEqual(2_000);
      expect(users.repeat_users).toBeGreaterThan(users.users / 2);
    });
  });

  describe('when seeding again with the same seed', () => {
    it('should add nothing', async () => {
      const again = await seedEvents(pool, { events: 20_000, days: 2, until, seed: 11, batchSize: 7_000 });
      expect(again.inserted).toBe(0);
      expect((await one<{ n: number }>('SELECT count(*)::int AS n FROM events')).n).toBe(20_000);
    });
  });

  describe('when every event is to come from a user of its own, as from the real publisher', () => {
    it('should give each event a distinct user', async () => {
      const own = await createTestDatabase();
      const ownPool = createDatabasePool({ url: own.url, poolSize: 2, connectTimeoutMs: 5_000 });
      try {
        await seedEvents(ownPool, { events: 5_000, days: 1, until, seed: 12, users: 'per-event' });
        const { rows } = await ownPool.query<{ events: number; users: number }>(
          'SELECT count(*)::int AS events, count(DISTINCT (source, user_id))::int AS users FROM events',
        );
        expect(rows[0]).toEqual({ events: 5_000, users: 5_000 });
      } finally {
        await ownPool.end();
        await own.drop();
      }
    });
  });
});

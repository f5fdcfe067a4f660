import { type MarketingEvent } from '@evp/contracts';
import {
  createDatabasePool,
  DEMOGRAPHIC_TABLES,
  DEMOGRAPHICS_INDEXER_LOCK,
  DemographicsIndexer,
  EventBatchWriter,
  eventKeyOf,
  PartitionManager,
} from '@evp/database';
import { createTestDatabase, eventRowOf, type TestDatabase } from '@evp/testing';
import { EventGenerator, Random } from '@evp/synthetic';
import type { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectedDemographics, readDemographics } from './support/demographics.expectations';

/**
 * Events of few users (so most users return, some within one millisecond), over three hours, shuffled: a user's
 * earliest event often arrives after later ones were folded in.
 */
function returningUsersEvents(count: number, seed: number): MarketingEvent[] {
  const random = new Random(seed);
  const start = Date.UTC(2026, 0, 15, 10, 0, 0);
  const instants = Array.from({ length: 40 }, () => start + random.int(0, 3 * 3_600_000 - 1));
  const generator = new EventGenerator({ seed, now: () => new Date(random.pick(instants)) });
  const events = generator.batch(count);
  for (const event of events) event.data.user.userId = `${event.source}-user-${random.int(1, 60)}`;
  for (let index = events.length - 1; index > 0; index--) {
    const other = random.int(0, index);
    [events[index], events[other]] = [events[other]!, events[index]!];
  }
  return events;
}

/** The queue as the stored keys of the events it names, sorted per queue row. */
async function queuedIds(pool: Pool): Promise<string[][]> {
  const { rows } = await pool.query<{ event_ids: string[] }>('SELECT event_ids FROM demographic_pending ORDER BY id');
  return rows.map((row) => [...row.event_ids].sort());
}

describe(DemographicsIndexer, () => {
  let database: TestDatabase;
  let pool: Pool;
  let writer: EventBatchWriter;
  let indexer: DemographicsIndexer;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createDatabasePool({ url: database.url, poolSize: 4, connectTimeoutMs: 5_000 });
    writer = new EventBatchWriter(pool);
    indexer = new DemographicsIndexer(pool);
  });

  afterEach(async () => {
    await pool.query(
      `TRUNCATE events, event_counts_minute, event_counts_hour, revenue_minute, revenue_hour, ${DEMOGRAPHIC_TABLES.join(', ')}`,
    );
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  describe('when the writer stores batches with duplicates', () => {
    it('should queue the ids of the newly inserted events only, one queue row per batch', async () => {
      const rows = returningUsersEvents(300, 1).map((event) => eventRowOf(event));
      await writer.write([...rows.slice(0, 100), ...rows.slice(0, 10)]);
      await writer.write([...rows.slice(50, 200), rows[120]!]);
      await writer.write(rows.slice(0, 200));

      const ids = (from: number, to: number) =>
        rows
          .slice(from, to)
          .map((row) => eventKeyOf(row.eventId, row.source).key)
          .sort();
      expect(await queuedIds(pool)).toEqual([ids(0, 100), ids(100, 200)]);
    });
  });

  describe('when returning users arrive out of order, folded in between writes', () => {
    it('should link every event to its predecessor, and count every user by their earliest event', async () => {
      const events = returningUsersEvents(2_400, 2);
      const random = new Random(3);
      for (let start = 0; start < events.length; start += 150) {
        const batch = events.slice(start, start + 150);
        const repeats = Array.from({ length: 20 }, () => random.pick(events.slice(0, start + batch.length)));
        await writer.write([...batch, ...repeats].map((event) => eventRowOf(event)));
        if (random.chance(0.5)) await indexer.step(random.int(1, 3));
      }
      // Some queued events must be earlier than what the model already holds for their user: the case that moves.
      const { rows } = await pool.query<{ earlier: number }>(`
        SELECT count(*)::int AS earlier FROM demographic_pending AS p
        CROSS JOIN LATERAL unnest(p.event_ids, p.occurred_ats) AS queued(event_id, occurred_at)
        JOIN events AS e ON e.event_id = queued.event_id AND e.occurred_at = queued.occurred_at
        JOIN demographic_users AS u
          ON u.chain = CASE e.source WHEN 'facebook' THEN 1 ELSE 2 END AND u.user_id = e.user_id
        WHERE (e.occurred_at, e.event_id) < (u.first_at, u.first_event_id)`);
      expect(rows[0]?.earlier).toBeGreaterThan(0);

      expect(await indexer.drain(2)).toBeGreaterThan(0);
      expect(await indexer.pendingBatches()).toBe(0);
      const expected = await expectedDemographics(pool);
      const ofFacebookOrTiktok = (lines: string[]) => lines.filter((line) => /^[12]\|/.test(line)).length;
      expect(ofFacebookOrTiktok(expected.chains) + ofFacebookOrTiktok(expected.users)).toBe(2_400);
      expect(await readDemographics(pool)).toEqual(expected);
    });
  });

  describe('when the model is rebuilt from the stored events', () => {
    it('should equal the model folded in batch by batch', async () => {
      const events = returningUsersEvents(1_200, 4);
      for (let start = 0; start < events.length; start += 100) {
        await writer.write(events.slice(start, start + 100).map((event) => eventRowOf(event)));
        await indexer.step(1);
      }
      const incremental = await readDemographics(pool);
      expect(await indexer.rebuild(3)).toBe(1_200);
      expect(await readDemographics(pool)).toEqual(incremental);
      expect(incremental).toEqual(await expectedDemographics(pool));
    });
  });

  describe('when retention dropped the earlier events of returning users', () => {
    it('should place their new events after their kept first event, and keep counting each user once by it', async () => {
      const generator = new EventGenerator({ seed: 6 });
      const facebookAt = (userId: string, at: string) => {
        const event = generator.facebook('ad.view');
        event.data.user.userId = userId;
        event.timestamp = at;
        return eventRowOf(event);
      };
      const returning = Array.from({ length: 30 }, (_, index) => `returning-${index}`);
      const first = returning.map((userId, index) =>
        facebookAt(userId, `2026-01-10T10:00:${String(index).padStart(2, '0')}.000Z`),
      );
      await writer.write(first);
      await indexer.drain(5);
      const counted = (await readDemographics(pool)).facebookProfiles;

      const partitions = new PartitionManager(pool, { interval: 'day', ahead: 1, retentionDays: 1 });
      const { dropped } = await partitions.dropExpired(new Date('2026-01-12T00:00:00.000Z'));
      expect(dropped).toEqual(expect.arrayContaining(['events_d20260110', 'demographic_events_d20260110']));

      const newcomers = Array.from({ length: 10 }, (_, index) =>
        facebookAt(`new-${index}`, '2026-01-12T09:00:00.000Z'),
      );
      await writer.write([...returning.map((userId) => facebookAt(userId, '2026-01-12T10:00:00.000Z')), ...newcomers]);
      await indexer.drain(5);

      const { rows } = await pool.query<{ linked: number; after_first: number }>(
        `SELECT count(*)::int AS linked, count(*) FILTER (WHERE d.prev_at = u.first_at)::int AS after_first
         FROM demographic_events AS d JOIN demographic_users AS u ON u.chain = d.chain AND u.user_id = d.user_id`,
      );
      expect(rows).toEqual([{ linked: 30, after_first: 30 }]);
      const users = await pool.query<{ first: string; n: number }>(
        `SELECT to_char(first_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS first, count(*)::int AS n FROM demographic_users
         GROUP BY 1 ORDER BY 1`,
      );
      expect(users.rows).toEqual([
        { first: '2026-01-10', n: 30 },
        { first: '2026-01-12', n: 10 },
      ]);
      const profiles = new Map<string, number>();
      for (const line of counted) {
        const [gender, age, users] = line.split('|');
        profiles.set(`${gender}|${age}`, Number(users));
      }
      for (const row of newcomers)
        profiles.set(`${row.gender}|${row.age}`, (profiles.get(`${row.gender}|${row.age}`) ?? 0) + 1);
      expect((await readDemographics(pool)).facebookProfiles).toEqual(
        [...profiles].map(([key, users]) => `${key}|${users}`).sort(),
      );
    });
  });

  describe('when a late event precedes a first event that retention dropped', () => {
    it('should make it the first and leave the dropped one out of the chain', async () => {
      const generator = new EventGenerator({ seed: 7 });
      const facebookAt = (at: string, gender: 'male' | 'female') => {
        const event = generator.facebook('ad.view');
        event.data.user.userId = 'late-user';
        event.data.user.gender = gender;
        event.timestamp = at;
        return eventRowOf(event);
      };
      const first = facebookAt('2026-01-10T10:00:00.000Z', 'female');
      await writer.write([first]);
      await indexer.drain(5);
      const partitions = new PartitionManager(pool, { interval: 'day', ahead: 1, retentionDays: 1 });
      await partitions.dropExpired(new Date('2026-01-12T00:00:00.000Z'));

      const late = facebookAt('2026-01-09T10:00:00.000Z', 'male');
      await writer.write([late]);
      expect(await indexer.drain(5)).toBe(1);

      const { rows } = await pool.query<{ gender: string; first: string }>(
        `SELECT gender, first_at AT TIME ZONE 'UTC' = '2026-01-09 10:00' AS first FROM demographic_users`,
      );
      expect(rows).toEqual([{ gender: 'male', first: true }]);
      expect((await pool.query('SELECT 1 FROM demographic_events')).rowCount).toBe(0);
      expect((await readDemographics(pool)).facebookProfiles).toEqual([`male|${late.age}|1`]);
    });
  });

  describe('when another indexer holds the lock', () => {
    it('should skip its turn and leave the queue to the holder', async () => {
      await writer.write(returningUsersEvents(50, 5).map((event) => eventRowOf(event)));
      const holder = await pool.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_advisory_xact_lock($1)', [DEMOGRAPHICS_INDEXER_LOCK]);
        expect(await indexer.step(5)).toBeUndefined();
        expect(await indexer.pendingBatches()).toBe(1);
      } finally {
        await holder.query('ROLLBACK');
        holder.release();
      }
      expect(await indexer.step(5)).toEqual({ batches: 1, events: 50 });
      expect(await indexer.pendingBatches()).toBe(0);
    });
  });
});

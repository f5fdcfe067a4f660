import { type MarketingEvent } from '@evp/contracts';
import {
  createDatabasePool,
  EventBatchWriter,
  EventBatchWriteError,
  eventKeyOf,
  type EventRow,
  refreshRollups,
  userKeyOf,
} from '@evp/database';
import { createTestDatabase, eventRowOf, freePort, type TestDatabase } from '@evp/testing';
import { EventGenerator, Random } from '@evp/synthetic';
import type { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectedRollups, readRollups } from './support/rollup.expectations';
import { userAndEngagementColumnsOf } from './support/user-and-engagement.columns';

/** Events spread over three hours from a fixed instant, so batches touch many minute and hour buckets. */
function eventsOverHours(count: number, seed: number): MarketingEvent[] {
  const random = new Random(seed);
  const start = Date.UTC(2026, 0, 15, 10, 0, 0);
  const generator = new EventGenerator({ seed, now: () => new Date(start + random.int(0, 3 * 3_600_000 - 1)) });
  return generator.batch(count);
}

/** Batches of rows with repeats inside each batch and of earlier batches, as redelivery and the publisher make. */
function withDuplicates(rows: EventRow[], batchSize: number, random: Random): EventRow[][] {
  const batches: EventRow[][] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize);
    const repeats = Array.from({ length: Math.floor(batch.length / 3) }, () =>
      random.pick(rows.slice(0, i + batch.length)),
    );
    batches.push([...batch, ...repeats]);
  }
  return batches;
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function storedIds(pool: Pool): Promise<string[]> {
  return (
    await pool.query<{ event_id: string }>('SELECT event_id FROM events_as_received ORDER BY event_id COLLATE "C"')
  ).rows.map((row) => row.event_id);
}

describe(EventBatchWriter, () => {
  let database: TestDatabase;
  let pool: Pool;
  let writer: EventBatchWriter;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createDatabasePool({ url: database.url, poolSize: 4, connectTimeoutMs: 5_000 });
    writer = new EventBatchWriter(pool);
  });

  afterEach(async () => {
    await pool.query('TRUNCATE events, event_counts_minute, event_counts_hour, revenue_minute, revenue_hour');
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  describe('when batches repeat events within themselves and across batches', () => {
    it('should store exactly the unique events and count the rest as duplicates', async () => {
      const rows = eventsOverHours(3_000, 1).map((event) => eventRowOf(event));
      let inserted = 0;
      let duplicates = 0;
      for (const batch of withDuplicates(rows, 700, new Random(2))) {
        const result = await writer.write(batch);
        inserted += result.inserted;
        duplicates += result.duplicates;
      }
      const again = await writer.write(rows.slice(0, 500));

      expect(inserted).toBe(3_000);
      expect(duplicates).toBe(Math.floor(700 / 3) * 4 + Math.floor(200 / 3));
      expect(again).toEqual({ inserted: 0, duplicates: 500, conflicting: [] });
      expect(await storedIds(pool)).toEqual(rows.map((row) => row.eventId).sort(byteOrder));
    });
  });

  describe('when a batch holds the same event id many times', () => {
    it('should store it once', async () => {
      const [row] = eventsOverHours(1, 3).map((event) => eventRowOf(event));
      expect(await writer.write(Array.from({ length: 50 }, () => row!))).toEqual({
        inserted: 1,
        duplicates: 49,
        conflicting: [],
      });
      expect(await storedIds(pool)).toEqual([row!.eventId]);
    });
  });

  describe('when events of every source, stage and type are stored', () => {
    it('should fill the typed columns from the event and keep the fields outside the contract and the correlation id', async () => {
      const events = eventsOverHours(400, 4);
      const extra = (event: MarketingEvent) =>
        event.source === 'tiktok' ? JSON.stringify({ data: { tier: event.eventId } }) : null;
      await writer.write(
        events.map((event) => eventRowOf(event, { correlationId: `corr-${event.eventId}`, extra: extra(event) })),
      );
      const { rows } = await pool.query<Record<string, unknown>>(
        `SELECT event_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, source, funnel_stage,
           event_type, user_id, user_name, age, gender, country, city, followers, campaign_id, ad_id, device, browser, referrer,
           click_position, video_id, watch_time, percentage_watched, profile_id, purchased_item, purchase_amount::text AS purchase_amount,
           to_char(action_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS action_time, correlation_id, extra, stored_at
         FROM events_as_received`,
      );
      expect(rows).toHaveLength(400);
      const byId = new Map(rows.map((row) => [row.event_id, row]));
      for (const event of events) {
        const stored = byId.get(event.eventId)!;
        const expected = eventRowOf(event, { correlationId: `corr-${event.eventId}` });
        expect(stored).toMatchObject({
          occurred_at: event.timestamp,
          source: event.source,
          funnel_stage: event.funnelStage,
          event_type: event.eventType,
          ...userAndEngagementColumnsOf(expected),
          action_time: expected.actionTime ?? null,
          correlation_id: `corr-${event.eventId}`,
          extra: JSON.parse(extra(event) ?? 'null') as unknown,
        });
        expect(stored.stored_at).toBeInstanceOf(Date);
      }
      const sources = new Set(rows.map((row) => `${String(row.source)}/${String(row.event_type)}`));
      expect(sources.size).toBe(14);
    });
  });

  describe('when an event id comes again with another timestamp', () => {
    it('should refuse it in the same partition, and store it as another event in another partition', async () => {
      const [row] = eventsOverHours(1, 6).map((event) => eventRowOf(event));
      const sameDay = { ...row!, occurredAt: new Date(Date.parse(row!.occurredAt) + 60_000).toISOString() };
      const nextWeek = { ...row!, occurredAt: new Date(Date.parse(row!.occurredAt) + 7 * 86_400_000).toISOString() };
      expect(await writer.write([row!])).toEqual({ inserted: 1, duplicates: 0, conflicting: [] });
      expect(await writer.write([row!, sameDay])).toEqual({ inserted: 0, duplicates: 1, conflicting: [1] });
      expect(await writer.write([nextWeek])).toEqual({ inserted: 1, duplicates: 0, conflicting: [] });
      const stored = await pool.query<{ occurred_at: Date }>(
        'SELECT occurred_at FROM events_as_received WHERE event_id = $1 ORDER BY occurred_at',
        [row!.eventId],
      );
      expect(stored.rows.map((r) => r.occurred_at.toISOString())).toEqual([row!.occurredAt, nextWeek.occurredAt]);
      expect(await readRollups(pool)).toEqual(await expectedRollups(pool));
    });
  });

  describe('when another writer holds the same id in the same partition until it commits', () => {
    /** Inserts the event's key at `occurredAt` in a transaction left open, as a concurrent writer would hold it. */
    async function holdKey(row: EventRow, occurredAt: string) {
      const client = await pool.connect();
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO events (event_id, occurred_at, user_id, source, funnel_stage, event_type)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          eventKeyOf(row.eventId, row.source).key,
          occurredAt,
          userKeyOf(row.userId).key,
          row.source,
          row.funnelStage,
          row.eventType,
        ],
      );
      return {
        commit: async () => {
          await client.query('COMMIT');
          client.release();
        },
      };
    }

    it('should count the same event as a duplicate once the other commits, though its snapshot predates that row', async () => {
      const [row] = eventsOverHours(1, 21).map((event) => eventRowOf(event));
      const other = await holdKey(row!, row!.occurredAt);
      const write = writer.write([row!]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.commit();
      expect(await write).toEqual({ inserted: 0, duplicates: 1, conflicting: [] });
    });

    it('should refuse it under another timestamp, where a probe of its own snapshot would have stored it twice', async () => {
      const [row] = eventsOverHours(1, 22).map((event) => eventRowOf(event));
      const other = await holdKey(row!, new Date(Date.parse(row!.occurredAt) - 60_000).toISOString());
      const write = writer.write([row!]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.commit();
      expect(await write).toEqual({ inserted: 0, duplicates: 0, conflicting: [0] });
      const stored = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM events_as_received WHERE event_id = $1',
        [row!.eventId],
      );
      expect(stored.rows[0]?.n).toBe(1);
    });
  });

  describe('when the gateway says when it received the events', () => {
    it('should keep that time beside the event time, and NULL where it is unknown', async () => {
      const [known, unknown] = eventsOverHours(2, 23);
      const receivedAt = '2026-01-15T13:00:00.123Z';
      await writer.write([eventRowOf(known!, { receivedAt }), eventRowOf(unknown!)]);
      const { rows } = await pool.query<{ event_id: string; received_at: Date | null }>(
        'SELECT event_id, received_at FROM events_as_received',
      );
      expect(new Map(rows.map((row) => [row.event_id, row.received_at?.toISOString() ?? null]))).toEqual(
        new Map([
          [known!.eventId, receivedAt],
          [unknown!.eventId, null],
        ]),
      );
    });
  });

  describe('when events are dated far in the past or future', () => {
    it('should create their partitions and store them', async () => {
      const generator = new EventGenerator({ seed: 8 });
      const dates = ['1971-03-04T05:06:07.089Z', '2199-12-31T23:59:59.999Z'];
      const rows = dates.map((date) => ({ ...eventRowOf(generator.tiktok()), occurredAt: date }));
      expect(await writer.write(rows)).toEqual({ inserted: 2, duplicates: 0, conflicting: [] });
      const partitions = await pool.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'events'::regclass OR i.inhparent = 'demographic_events'::regclass ORDER BY 1`,
      );
      expect(partitions.rows.map((r) => r.name)).toEqual(
        expect.arrayContaining([
          'demographic_events_d19710304',
          'demographic_events_d21991231',
          'events_d19710304',
          'events_d21991231',
        ]),
      );
      const stored = await pool.query<{ occurred_at: Date }>('SELECT occurred_at FROM events ORDER BY occurred_at');
      expect(stored.rows.map((r) => r.occurred_at.toISOString())).toEqual(dates);
    });
  });

  describe('when ids are not the canonical prefix and uuid', () => {
    it('should give them back as they were sent', async () => {
      const generator = new EventGenerator({ seed: 9 });
      const event = generator.facebook();
      const odd = { ...eventRowOf(event), eventId: `ttk-${event.eventId.slice(3)}`, userId: 'Eliza92 ✓' };
      await writer.write([eventRowOf(event), odd]);
      const stored = await pool.query<{ event_id: string; user_id: string }>(
        'SELECT event_id, user_id FROM events_as_received ORDER BY event_id',
      );
      expect(stored.rows).toEqual([
        { event_id: event.eventId, user_id: event.data.user.userId },
        { event_id: odd.eventId, user_id: 'Eliza92 ✓' },
      ]);
    });
  });

  describe('when amounts are stored and summed', () => {
    it('should keep them exact to the cent', async () => {
      const generator = new EventGenerator({ seed: 5, now: () => new Date('2026-01-15T10:00:00.000Z') });
      const amounts = ['0.10', '0.20', '0.70', '19.99', '9999999999.99', '0', '1.5', '123.45'];
      const rows = amounts.map((amount) => {
        const event = generator.facebook('checkout.complete');
        if (event.funnelStage === 'bottom') event.data.engagement.purchaseAmount = amount;
        return eventRowOf(event);
      });
      await writer.write(rows);

      const stored = await pool.query<{ amount: string }>(
        'SELECT purchase_amount::text AS amount FROM events ORDER BY purchase_amount',
      );
      expect(stored.rows.map((row) => row.amount)).toEqual([
        '0.00',
        '0.10',
        '0.20',
        '0.70',
        '1.50',
        '19.99',
        '123.45',
        '9999999999.99',
      ]);
      const total = await pool.query<{ total: string }>('SELECT sum(revenue)::text AS total FROM revenue_hour');
      expect(total.rows[0]?.total).toBe('10000000145.93');
    });
  });

  describe('when duplicate-heavy batches are written', () => {
    it('should keep every rollup equal to an independent count of the stored events', async () => {
      const rows = eventsOverHours(6_000, 6).map((event) => eventRowOf(event));
      for (const batch of withDuplicates(rows, 1_000, new Random(7))) await writer.write(batch);
      for (const batch of withDuplicates(rows.slice(0, 2_000), 500, new Random(8))) await writer.write(batch);

      const rollups = await readRollups(pool);
      expect(rollups).toEqual(await expectedRollups(pool));
      expect(rollups.countsMinute.length).toBeGreaterThan(100);
      expect(rollups.revenueHour.length).toBeGreaterThan(3);
      expect(rollups.countsHour.reduce((sum, line) => sum + Number(line.split('|')[4]), 0)).toBe(6_000);
    });
  });

  describe('when two writers store overlapping batches at the same time', () => {
    it('should store each event once and keep the rollups exact, without deadlocks surfacing', async () => {
      const rows = eventsOverHours(12_000, 9).map((event) => eventRowOf(event));
      const random = new Random(10);
      const secondPool = createDatabasePool({ url: database.url, poolSize: 1, connectTimeoutMs: 5_000 });
      const second = new EventBatchWriter(secondPool);
      // Both writers see every event, in different orders and batch sizes, so they race on the same ids and buckets.
      const shuffled = [...rows].sort(() => random.next() - 0.5);
      const run = async (target: EventBatchWriter, source: EventRow[], size: number) => {
        let inserted = 0;
        for (let i = 0; i < source.length; i += size)
          inserted += (await target.write(source.slice(i, i + size))).inserted;
        return inserted;
      };
      const [first, other] = await Promise.all([run(writer, rows, 1_000), run(second, shuffled, 1_500)]).finally(() =>
        secondPool.end(),
      );

      expect(first + other).toBe(12_000);
      expect((await storedIds(pool)).length).toBe(12_000);
      expect(await readRollups(pool)).toEqual(await expectedRollups(pool));
    });
  });

  describe('when a batch is empty', () => {
    it('should do nothing', async () => {
      expect(await writer.write([])).toEqual({ inserted: 0, duplicates: 0, conflicting: [] });
    });
  });

  describe('when one row of a batch is unacceptable to the database', () => {
    it('should store nothing of the batch and say the data is at fault', async () => {
      const rows = eventsOverHours(10, 11).map((event) => eventRowOf(event));
      const poison = { ...rows[3]!, followers: 3_000_000_000 };
      const failure = await writer
        .write([...rows.slice(0, 3), poison, ...rows.slice(4)])
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(EventBatchWriteError);
      expect(failure).toMatchObject({ retryable: false, code: 'DATABASE.INVALID_ROW', sqlState: '22003' });
      expect(await storedIds(pool)).toEqual([]);
      expect((await readRollups(pool)).countsMinute).toEqual([]);
    });
  });

  describe('when the database cannot be reached', () => {
    it('should fail with a retryable error', async () => {
      const unreachable = createDatabasePool({
        url: `postgresql://postgres@127.0.0.1:${await freePort()}/evp`,
        poolSize: 1,
        connectTimeoutMs: 2_000,
      });
      const failure = await new EventBatchWriter(unreachable)
        .write(eventsOverHours(2, 12).map((event) => eventRowOf(event)))
        .catch((error: unknown) => error);
      await unreachable.end();

      expect(failure).toBeInstanceOf(EventBatchWriteError);
      expect(failure).toMatchObject({ retryable: true, code: 'DATABASE.WRITE_FAILED', sqlState: undefined });
    });
  });
});

describe(refreshRollups, () => {
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

  describe('when the rollups no longer match the stored events', () => {
    it('should rebuild them to exactly what the writer produces', async () => {
      const writer = new EventBatchWriter(pool);
      await writer.write(eventsOverHours(3_000, 13).map((event) => eventRowOf(event)));
      const written = await readRollups(pool);
      await pool.query(`DELETE FROM event_counts_minute WHERE source = 'tiktok'`);
      await pool.query(`UPDATE revenue_hour SET revenue = revenue + 1`);
      await pool.query(
        `INSERT INTO event_counts_hour VALUES ('2020-01-01T00:00:00Z', 'facebook', 'top', 'comment', 99)`,
      );

      await refreshRollups(pool);

      expect(await readRollups(pool)).toEqual(written);
    });
  });
});

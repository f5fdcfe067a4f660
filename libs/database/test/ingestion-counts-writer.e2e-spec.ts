import { createDatabasePool, type IngestionCountRow, IngestionCountsWriter } from '@evp/database';
import { createTestDatabase, type TestDatabase } from '@evp/testing';
import type { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

interface CountRow {
  bucket: Date;
  source: string;
  outcome: string;
  reason: string;
  count: string;
}

const record = (msgId: string, receivedAt: string): IngestionCountRow[] => [
  { msgId, receivedAt, source: 'facebook', outcome: 'accepted', reason: '', count: 40 },
  { msgId, receivedAt, source: 'facebook', outcome: 'dead_lettered', reason: 'invalid', count: 3 },
  { msgId, receivedAt, source: 'tiktok', outcome: 'accepted', reason: '', count: 30 },
];

describe(IngestionCountsWriter, () => {
  let database: TestDatabase;
  let pool: Pool;
  let writer: IngestionCountsWriter;

  const counts = async (): Promise<CountRow[]> =>
    (
      await pool.query<CountRow>(
        'SELECT bucket, source, outcome, reason, count FROM ingestion_counts_minute ORDER BY bucket, source, outcome',
      )
    ).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createDatabasePool({ url: database.url, poolSize: 4, connectTimeoutMs: 5_000 });
    writer = new IngestionCountsWriter(pool);
  });

  afterEach(async () => {
    await pool.query('TRUNCATE ingestion_counts_minute, ingestion_records_seen');
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  describe('when records are folded', () => {
    it('should add their counts per minute of their received time', async () => {
      expect(
        await writer.fold([...record('a', '2026-12-06T02:40:10.000Z'), ...record('b', '2026-12-06T02:40:50.000Z')]),
      ).toBe(2);
      expect(await writer.fold(record('c', '2026-12-06T02:41:00.000Z'))).toBe(1);

      expect(await counts()).toEqual([
        { bucket: new Date('2026-12-06T02:40:00Z'), source: 'facebook', outcome: 'accepted', reason: '', count: '80' },
        {
          bucket: new Date('2026-12-06T02:40:00Z'),
          source: 'facebook',
          outcome: 'dead_lettered',
          reason: 'invalid',
          count: '6',
        },
        { bucket: new Date('2026-12-06T02:40:00Z'), source: 'tiktok', outcome: 'accepted', reason: '', count: '60' },
        { bucket: new Date('2026-12-06T02:41:00Z'), source: 'facebook', outcome: 'accepted', reason: '', count: '40' },
        {
          bucket: new Date('2026-12-06T02:41:00Z'),
          source: 'facebook',
          outcome: 'dead_lettered',
          reason: 'invalid',
          count: '3',
        },
        { bucket: new Date('2026-12-06T02:41:00Z'), source: 'tiktok', outcome: 'accepted', reason: '', count: '30' },
      ]);
    });
  });

  describe('when a record is delivered again', () => {
    it('should not count it twice, alone or beside new records, nor when two folds race for it', async () => {
      await writer.fold(record('a', '2026-12-06T02:40:10.000Z'));
      const before = await counts();

      expect(await writer.fold(record('a', '2026-12-06T02:40:10.000Z'))).toBe(0);
      expect(await counts()).toEqual(before);

      await Promise.all([
        writer.fold([...record('a', '2026-12-06T02:40:10.000Z'), ...record('b', '2026-12-06T02:40:20.000Z')]),
        writer.fold(record('b', '2026-12-06T02:40:20.000Z')),
      ]);
      expect((await counts()).map((row) => row.count)).toEqual(['80', '6', '60']);
    });
  });
});

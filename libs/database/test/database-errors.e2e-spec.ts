import { createDatabasePool, EventBatchWriteError } from '@evp/database';
import { Random } from '@evp/synthetic';
import { createTestDatabase, type TestDatabase } from '@evp/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * No event the pipeline accepts can reach a class-54 limit of the events table: every indexed text column holds a
 * bounded id or an md5 key, and a jsonb would need 255 MB. So the classification is proven on a real class-54
 * refusal of a value too big for a btree index entry, the limit an oversized indexed value would hit.
 */
describe('EventBatchWriteError for PostgreSQL program limits', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    pool = createDatabasePool({ url: database.url, poolSize: 1, connectTimeoutMs: 5_000 });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  describe('when a value exceeds the size of a btree index entry (class 54)', () => {
    it('should be refused with 54000 and classed as the data at fault, not retryable', async () => {
      const client = await pool.connect();
      let refusal: unknown;
      try {
        await client.query('CREATE TEMPORARY TABLE oversized (value text PRIMARY KEY)');
        // Random characters, so the compression that shrinks index entries cannot bring it under 2704 bytes.
        const random = new Random(54);
        const value = Array.from({ length: 6_000 }, () => String.fromCharCode(random.int(33, 126))).join('');
        refusal = await client
          .query('INSERT INTO oversized (value) VALUES ($1)', [value])
          .catch((error: unknown) => error);
      } finally {
        client.release();
      }

      expect(refusal).toMatchObject({ code: '54000', message: expect.stringMatching(/index row size \d+ exceeds/) });
      const sqlState = (refusal as { code: string }).code;
      const error = new EventBatchWriteError('cannot store', { cause: refusal, sqlState });
      expect(error).toMatchObject({ sqlState: '54000', retryable: false, code: 'DATABASE.INVALID_ROW' });
    });
  });
});

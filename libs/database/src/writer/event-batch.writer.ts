import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_POOL } from '../database.constants';
import { EventBatchWriteError, isTransactionRollback, sqlStateOf } from '../errors/database.errors';
import { serializeEventRows } from './event-batch.payload';
import { WRITE_EVENT_BATCH_SQL } from './event-batch.sql';
import type { EventBatchWriteResult, EventRow } from './event-row';

/** Attempts for one batch when PostgreSQL rolls it back for a deadlock or serialization failure. */
const MAX_ATTEMPTS = 3;

/**
 * Stores batches of normalised events exactly once: one statement and one transaction per batch, with
 * `ON CONFLICT (event_id) DO NOTHING` and the rollup tables updated from the rows actually inserted. Storing the
 * same event again (redelivery, publisher duplicate, duplicate inside a batch) changes nothing.
 *
 * It sends the batch as one JSON parameter on the shared `pg` pool, as a named prepared statement: the
 * fastest method measured on this hardware (shared/notes/PERFORMANCE.md); see `createDatabasePool` for why
 * not through Prisma's raw-query API.
 */
@Injectable()
export class EventBatchWriter {
  constructor(@Inject(DATABASE_POOL) private readonly pool: Pool) {}

  /**
   * Resolves once the batch is committed; the caller may then acknowledge its messages. Rejects with
   * `EventBatchWriteError` (nothing stored): see its `retryable` for what to do next.
   */
  async write(rows: readonly EventRow[]): Promise<EventBatchWriteResult> {
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    const payload = serializeEventRows(rows);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.pool.query<{ inserted: number }>({
          name: 'evp_write_event_batch',
          text: WRITE_EVENT_BATCH_SQL,
          values: [payload],
        });
        const inserted = result.rows[0]?.inserted ?? 0;
        return { inserted, duplicates: rows.length - inserted };
      } catch (error) {
        const sqlState = sqlStateOf(error);
        // The statement was rolled back as a whole, so running it again is safe.
        if (isTransactionRollback(sqlState) && attempt < MAX_ATTEMPTS) continue;
        const reason = error instanceof Error ? error.message : String(error);
        throw new EventBatchWriteError(`cannot store a batch of ${rows.length} events: ${reason}`, { cause: error, sqlState });
      }
    }
  }
}

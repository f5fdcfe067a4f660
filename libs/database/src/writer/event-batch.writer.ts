import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_POOL, PARTITION_MANAGER } from '../database.constants';
import { EventBatchWriteError, isTransactionRollback, sqlStateOf } from '../errors/database.errors';
import { DEFAULT_PARTITION_SETTINGS, isMissingPartition, PartitionManager } from '../storage/partition.manager';
import { serializeEventRows } from './event-batch.payload';
import { CLASSIFY_SKIPPED_EVENTS_SQL, WRITE_EVENT_BATCH_SQL } from './event-batch.sql';
import type { EventBatchWriteResult, EventRow } from './event-row';

/** The rows of a batch the insert skipped, as the batch statement returns them. */
interface SkippedRows {
  skipped_positions: number[];
  skipped_event_ids: string[];
  skipped_occurred_ats: Date[];
}

const NOTHING_SKIPPED: SkippedRows = { skipped_positions: [], skipped_event_ids: [], skipped_occurred_ats: [] };

/** Attempts for one batch when PostgreSQL rolls it back for a deadlock or serialization failure. */
const MAX_ATTEMPTS = 3;

/**
 * Stores batches of normalised events exactly once: one statement and one transaction per batch, with
 * `ON CONFLICT DO NOTHING` on each partition's `event_id` key and the rollup tables updated from the rows actually
 * inserted. Storing the same event again (redelivery, publisher duplicate, duplicate inside a batch) changes nothing;
 * the rare rows skipped are then told apart (same event, or an id stored under another timestamp) by one more query.
 *
 * It sends the batch as one JSON parameter on the shared `pg` pool, as a named prepared statement: the
 * fastest method measured on this hardware (shared/notes/PERFORMANCE.md); see `createDatabasePool` for why
 * not through Prisma's raw-query API. A row dated where no partition exists yet (far in the past or future) gets
 * its partition created, and the statement runs again: a batch never fails for want of one.
 */
@Injectable()
export class EventBatchWriter {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(PARTITION_MANAGER)
    private readonly partitions: PartitionManager = new PartitionManager(pool, DEFAULT_PARTITION_SETTINGS),
  ) {}

  /**
   * Resolves once the batch is committed; the caller may then acknowledge its messages. Rejects with
   * `EventBatchWriteError` (nothing stored): see its `retryable` for what to do next.
   */
  async write(rows: readonly EventRow[]): Promise<EventBatchWriteResult> {
    if (rows.length === 0) return { inserted: 0, duplicates: 0, conflicting: [] };
    const payload = serializeEventRows(rows);
    let partitionsEnsured = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.pool.query<SkippedRows & { inserted: number }>({
          name: 'evp_write_event_batch',
          text: WRITE_EVENT_BATCH_SQL,
          values: [payload],
        });
        const { inserted, ...skipped } = result.rows[0] ?? { inserted: 0, ...NOTHING_SKIPPED };
        const conflicting = skipped.skipped_positions.length === 0 ? [] : await this.conflicting(skipped);
        return { inserted, duplicates: rows.length - inserted - conflicting.length, conflicting };
      } catch (error) {
        const sqlState = sqlStateOf(error);
        if (isMissingPartition(error) && !partitionsEnsured) {
          partitionsEnsured = true;
          await this.ensurePartitions(rows);
          continue;
        }
        // The statement was rolled back as a whole, so running it again is safe.
        if (isTransactionRollback(sqlState) && attempt < MAX_ATTEMPTS) continue;
        const reason = error instanceof Error ? error.message : String(error);
        throw new EventBatchWriteError(`cannot store a batch of ${rows.length} events: ${reason}`, {
          cause: error,
          sqlState,
        });
      }
    }
  }

  /** The skipped rows whose id is stored under another timestamp; any failure leaves the committed batch as it is. */
  private async conflicting(skipped: SkippedRows): Promise<number[]> {
    try {
      const { rows } = await this.pool.query<{ conflicting: number[] }>({
        name: 'evp_classify_skipped_events',
        text: CLASSIFY_SKIPPED_EVENTS_SQL,
        values: [skipped.skipped_positions, skipped.skipped_event_ids, skipped.skipped_occurred_ats],
      });
      return rows[0]?.conflicting ?? [];
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new EventBatchWriteError(
        `cannot classify the ${skipped.skipped_positions.length} events skipped: ${reason}`,
        {
          cause: error,
          sqlState: sqlStateOf(error),
        },
      );
    }
  }

  private async ensurePartitions(rows: readonly EventRow[]): Promise<void> {
    try {
      await this.partitions.ensureFor(rows.map((row) => row.occurredAt));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new EventBatchWriteError(`cannot create the partitions of a batch of ${rows.length} events: ${reason}`, {
        cause: error,
        sqlState: sqlStateOf(error),
      });
    }
  }
}

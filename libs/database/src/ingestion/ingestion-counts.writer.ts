import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_POOL } from '../database.constants';
import { FOLD_INGESTION_RECORDS_SQL } from './ingestion-counts.sql';

/** One count of an ingestion record, with the record's message id and the instant it was received. */
export interface IngestionCountRow {
  msgId: string;
  /** ISO-8601 UTC; counted in its minute. */
  receivedAt: string;
  source: string;
  outcome: string;
  reason: string;
  count: number;
}

/**
 * Keeps `ingestion_counts_minute` exactly once per ingestion record: see FOLD_INGESTION_RECORDS_SQL. The caller acks
 * the records once `fold` resolves.
 */
@Injectable()
export class IngestionCountsWriter {
  constructor(@Inject(DATABASE_POOL) private readonly pool: Pool) {}

  /** Resolves with how many records were new (the others had been folded before). */
  async fold(rows: readonly IngestionCountRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const payload = JSON.stringify(
      rows.map((row) => ({
        msg_id: row.msgId,
        bucket: row.receivedAt,
        source: row.source,
        outcome: row.outcome,
        reason: row.reason,
        count: row.count,
      })),
    );
    const result = await this.pool.query<{ folded: number }>({
      name: 'evp_fold_ingestion_records',
      text: FOLD_INGESTION_RECORDS_SQL,
      values: [payload],
    });
    return result.rows[0]?.folded ?? 0;
  }
}

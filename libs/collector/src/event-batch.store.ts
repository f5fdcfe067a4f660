import { EventBatchWriteError, EventBatchWriter, type EventRow } from '@evp/database';
import { Inject, Injectable } from '@nestjs/common';
import { conflictingTimestamp } from './event-batch.assembler';

export interface StoredBatch {
  /** Rows stored by this call. */
  inserted: number;
  /** Rows whose event id was already stored. */
  duplicates: number;
  /**
   * Rows not stored (index into the rows given → reason): refused by the database as data errors, or conflicting
   * (their id is already stored with another timestamp).
   */
  rejected: Map<number, string>;
}

/**
 * Writes a batch through `EventBatchWriter` (one statement, one transaction). When the database refuses the
 * batch because of the data in some row (a value the column cannot take), the batch is split in halves until
 * the offending rows are isolated, so that one bad event costs a few extra statements instead of blocking its
 * whole batch forever. A retryable failure (database down, connection lost) is thrown as it is: the caller
 * retries the whole batch, and the halves already committed are duplicates by then.
 */
@Injectable()
export class EventBatchStore {
  constructor(@Inject(EventBatchWriter) private readonly writer: EventBatchWriter) {}

  async store(rows: readonly EventRow[]): Promise<StoredBatch> {
    const stored: StoredBatch = { inserted: 0, duplicates: 0, rejected: new Map() };
    await this.storeRange(rows, 0, rows.length, stored);
    return stored;
  }

  private async storeRange(rows: readonly EventRow[], start: number, end: number, stored: StoredBatch): Promise<void> {
    if (start === end) return;
    try {
      const result = await this.writer.write(start === 0 && end === rows.length ? rows : rows.slice(start, end));
      stored.inserted += result.inserted;
      stored.duplicates += result.duplicates;
      for (const position of result.conflicting) {
        stored.rejected.set(start + position, conflictingTimestamp('in the same partition'));
      }
    } catch (error) {
      if (!(error instanceof EventBatchWriteError) || error.retryable) throw error;
      if (end - start === 1) {
        stored.rejected.set(
          start,
          `database refused the event: ${error.cause instanceof Error ? error.cause.message : error.message}`,
        );
        return;
      }
      const middle = start + Math.floor((end - start) / 2);
      await this.storeRange(rows, start, middle, stored);
      await this.storeRange(rows, middle, end, stored);
    }
  }
}

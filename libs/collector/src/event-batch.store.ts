import { EventBatchWriteError, EventBatchWriter, type EventRow } from '@evp/database';
import { Inject, Injectable } from '@nestjs/common';
import { COLLECTOR_SETTINGS } from './collector.constants';
import type { CollectorSettings } from './collector.settings';
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
  /** Rows `[0, committed)` are committed; the rest were not, because `failure` stopped the writes. */
  committed: number;
  /** Why the writes stopped before the end (database down, connection lost): those rows are to be retried. */
  failure?: unknown;
}

/**
 * Writes a batch through `EventBatchWriter` in writes of at most `maxEventsPerWrite` rows and about
 * `maxBytesPerWrite` bytes of events, one after the other (each one statement, one transaction), so a statement stays
 * bounded however many events the fetched messages carry and however large they are: the rows travel as one JSON
 * parameter, which PostgreSQL caps at 1 GB (a class-54 refusal), and a transaction's size is what a retry repeats.
 * When the database refuses a write because of the data in some row (a value the column cannot take), it is split
 * in halves until the offending rows are isolated, so that one bad event costs a few extra statements instead of
 * blocking its whole batch forever. A retryable failure (database down, connection lost) stops the writes and is
 * reported with how far they got: the caller retries the rest, and any half already committed is a duplicate by then.
 */
@Injectable()
export class EventBatchStore {
  private readonly maxEventsPerWrite: number;
  private readonly maxBytesPerWrite: number;

  constructor(
    @Inject(EventBatchWriter) private readonly writer: EventBatchWriter,
    @Inject(COLLECTOR_SETTINGS) settings: Pick<CollectorSettings, 'maxEventsPerWrite' | 'maxBytesPerWrite'>,
  ) {
    this.maxEventsPerWrite = settings.maxEventsPerWrite;
    this.maxBytesPerWrite = settings.maxBytesPerWrite;
  }

  /** `rowBytes[i]`: the size of row `i`'s event as received; a row bigger than the byte bound is written alone. */
  async store(rows: readonly EventRow[], rowBytes: readonly number[]): Promise<StoredBatch> {
    const stored: StoredBatch = { inserted: 0, duplicates: 0, rejected: new Map(), committed: 0 };
    for (let start = 0; start < rows.length;) {
      const end = this.endOfWrite(rowBytes, start, rows.length);
      try {
        await this.storeRange(rows, start, end, stored);
      } catch (error) {
        stored.failure = error;
        return stored;
      }
      stored.committed = end;
      start = end;
    }
    return stored;
  }

  /** The end of the write starting at `start`: at least one row, then as many as both bounds allow. */
  private endOfWrite(rowBytes: readonly number[], start: number, length: number): number {
    const last = Math.min(length, start + this.maxEventsPerWrite);
    let end = start + 1;
    let bytes = rowBytes[start] ?? 0;
    while (end < last && bytes + (rowBytes[end] ?? 0) <= this.maxBytesPerWrite) {
      bytes += rowBytes[end] ?? 0;
      end++;
    }
    return end;
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

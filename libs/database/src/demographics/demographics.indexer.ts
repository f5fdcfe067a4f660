import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_POOL } from '../database.constants';
import { inTransaction } from '../prisma/pool.transaction';
import { APPLY_DEMOGRAPHIC_QUEUE_SQL, REQUEUE_ALL_EVENTS_SQL } from './demographics.sql';

/** Key of the transaction-level advisory lock that makes one indexer at a time fold the queue in ("evpd"). */
export const DEMOGRAPHICS_INDEXER_LOCK = 0x65767064;

export interface DemographicsIndexStep {
  /** Queue rows (written batches) folded in. */
  batches: number;
  /** Events those rows named. */
  events: number;
}

/**
 * Folds the demographics queue (ids of newly stored events, queued by the batch writer) into the read model, in
 * transactions of a few queue rows. Any number of instances may call it: an advisory lock lets one work at a time and
 * the others skip their turn, since the changes are computed against the model as the transaction sees it.
 */
@Injectable()
export class DemographicsIndexer {
  constructor(@Inject(DATABASE_POOL) private readonly pool: Pool) {}

  /** Folds in the oldest `batches` queue rows; undefined when another indexer holds the lock. */
  async step(batches: number): Promise<DemographicsIndexStep | undefined> {
    return inTransaction(this.pool, async (client) => {
      const { rows: locks } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1) AS locked',
        [DEMOGRAPHICS_INDEXER_LOCK],
      );
      if (!locks[0]?.locked) return undefined;
      // Every join of the fold is a probe by key of a few thousand rows: a hash or merge join would read whole
      // partitions of the model instead, which the planner cannot know from its estimates of the CTEs.
      await client.query('SET LOCAL enable_hashjoin = off');
      await client.query('SET LOCAL enable_mergejoin = off');
      const { rows } = await client.query<DemographicsIndexStep>({
        name: 'evp_apply_demographic_queue',
        text: APPLY_DEMOGRAPHIC_QUEUE_SQL,
        values: [batches],
      });
      return rows[0] ?? { batches: 0, events: 0 };
    });
  }

  /** Steps until the queue is empty or another indexer holds the lock; returns the events folded in. */
  async drain(batchesPerStep: number): Promise<number> {
    let events = 0;
    for (;;) {
      const step = await this.step(batchesPerStep);
      if (step === undefined || step.batches === 0) return events;
      events += step.events;
    }
  }

  /** Queue rows waiting to be folded in. */
  async pendingBatches(): Promise<number> {
    const { rows } = await this.pool.query<{ pending: number }>(
      'SELECT count(*)::int AS pending FROM demographic_pending',
    );
    return rows[0]?.pending ?? 0;
  }

  /**
   * Empties the model and queues every stored event again, then folds the whole queue in: for bulk loads that
   * bypass the batch writer, and for repairs. Writers may keep writing meanwhile: what they queue is folded in too.
   */
  async rebuild(batchesPerStep: number): Promise<number> {
    await inTransaction(this.pool, async (client) => {
      await client.query('LOCK TABLE events IN SHARE MODE');
      await client.query(REQUEUE_ALL_EVENTS_SQL);
    });
    return this.drain(batchesPerStep);
  }
}

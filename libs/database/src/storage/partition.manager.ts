import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { sqlStateOf } from '../errors/database.errors';
import {
  createPartitionSql,
  DETACHED_PARTITIONS_SQL,
  detachPartitionSql,
  dropTableSql,
  EVENT_PARTITIONS_WITHOUT_KEY_SQL,
  eventKeyIndexSql,
  finalizeDetachSql,
  PARTITIONED_TABLES,
  type PartitionInterval,
  type PartitionRange,
  PARTITIONS_OF_SQL,
  RAISE_HORIZON_SQL,
  RANGES_AROUND_NOW_SQL,
  RANGES_OF_INSTANTS_SQL,
} from './partition.sql';

export interface PartitionSettings {
  interval: PartitionInterval;
  /** Partitions kept ready after the current one. */
  ahead: number;
  /** Rows older than this many days are dropped, a whole partition at a time; 0 keeps everything. */
  retentionDays: number;
}

/** Day partitions, three ahead, nothing dropped: the module's defaults but for retention, which is opt-in there. */
export const DEFAULT_PARTITION_SETTINGS: PartitionSettings = { interval: 'day', ahead: 3, retentionDays: 0 };

/** What one retention pass dropped. */
export interface RetentionResult {
  dropped: string[];
}

/** PostgreSQL's answer to an insert whose row falls outside every partition. */
export function isMissingPartition(error: unknown): boolean {
  return (
    sqlStateOf(error) === '23514' && error instanceof Error && /no partition of relation .* found/.test(error.message)
  );
}

/**
 * Creates and drops the time partitions of `events` and `demographic_events`, always the same ranges for both (the
 * read model holds the same events, at the same times). Every statement is idempotent, so any number of instances
 * may run it at once: a range created by two of them at the same moment is created once.
 */
export class PartitionManager {
  private readonly logger = new Logger(PartitionManager.name);

  constructor(
    private readonly pool: Pool,
    private readonly settings: PartitionSettings,
  ) {}

  get interval(): PartitionInterval {
    return this.settings.interval;
  }

  /** The partitions from the previous interval to `ahead` intervals after the current one. */
  async ensureAroundNow(): Promise<void> {
    const { rows } = await this.pool.query<PartitionRange>(RANGES_AROUND_NOW_SQL, [
      this.settings.interval,
      1,
      this.settings.ahead,
    ]);
    await this.create(rows);
  }

  /** The partitions that hold these instants (ISO-8601 texts), for rows dated outside the prepared ones. */
  async ensureFor(instants: readonly string[]): Promise<PartitionRange[]> {
    const { rows } = await this.pool.query<PartitionRange>(RANGES_OF_INSTANTS_SQL, [this.settings.interval, instants]);
    await this.create(rows);
    return rows;
  }

  /**
   * Gives every partition of `events` made before the keys were per partition its key (a database migrated across
   * 20261205200000). Builds each index in full, which blocks writes to that partition meanwhile: run at start-up,
   * before the collectors consume.
   */
  async ensureEventKeys(): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(EVENT_PARTITIONS_WITHOUT_KEY_SQL);
    for (const { name } of rows) await this.ignoringConcurrentCreation(() => this.pool.query(eventKeyIndexSql(name)));
    return rows.map(({ name }) => name);
  }

  /**
   * Drops every partition whose whole range is older than the retention. The horizon is raised first, so a reader
   * refuses a range reaching below it before its rows start to disappear. Detaching concurrently never blocks
   * writers; a pass interrupted half-way is finished by the next.
   */
  async dropExpired(now: Date = new Date()): Promise<RetentionResult> {
    const dropped: string[] = [];
    if (this.settings.retentionDays === 0) return { dropped };
    const cutoff = new Date(now.getTime() - this.settings.retentionDays * 86_400_000);
    for (const table of PARTITIONED_TABLES) {
      const { rows } = await this.pool.query<{ name: string; detaching: boolean; upper: Date }>(PARTITIONS_OF_SQL, [
        table,
      ]);
      for (const partition of rows) {
        if (partition.detaching) await this.pool.query(finalizeDetachSql(table, partition.name));
      }
      const expired = rows.filter((partition) => partition.upper.getTime() <= cutoff.getTime());
      if (expired.length > 0) {
        const horizon = new Date(Math.max(...expired.map((partition) => partition.upper.getTime())));
        await this.pool.query(RAISE_HORIZON_SQL, [table, horizon]);
      }
      for (const partition of expired) {
        if (!partition.detaching) await this.pool.query(detachPartitionSql(table, partition.name));
        await this.pool.query(dropTableSql(partition.name));
        dropped.push(partition.name);
      }
      const { rows: orphans } = await this.pool.query<{ name: string }>(DETACHED_PARTITIONS_SQL, [table]);
      for (const orphan of orphans) {
        await this.pool.query(dropTableSql(orphan.name));
        dropped.push(orphan.name);
      }
    }
    if (dropped.length > 0) this.logger.log(`retention dropped ${dropped.join(', ')}`);
    return { dropped };
  }

  private async create(ranges: readonly PartitionRange[]): Promise<void> {
    for (const range of ranges) {
      for (const table of PARTITIONED_TABLES)
        await this.ignoringConcurrentCreation(() => this.pool.query(createPartitionSql(table, range)));
    }
  }

  private async ignoringConcurrentCreation(create: () => Promise<unknown>): Promise<void> {
    try {
      await create();
    } catch (error) {
      // Another instance created the same relation between the existence check and the insert into the catalog.
      const state = sqlStateOf(error);
      if (state !== '42P07' && state !== '23505') throw error;
    }
  }
}

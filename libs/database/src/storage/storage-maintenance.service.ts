import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_OPTIONS, DATABASE_POOL, PARTITION_MANAGER, STORAGE_MAINTENANCE_LOCK } from '../database.constants';
import type { ResolvedDatabaseOptions } from '../database.options';
import { PRUNE_INGESTION_RECORD_IDS_SQL } from '../ingestion/ingestion-counts.sql';
import { RolePools } from '../roles/role.pools';
import { PartitionManager, type RetentionResult } from './partition.manager';

/**
 * Keeps the time partitions ready and applies retention, in the services that set `maintainStorage` (the
 * collectors): on start-up and then every `storageMaintenanceIntervalMs`. A session advisory lock lets one instance
 * work at a time; the others skip the pass. A failed pass is logged and tried again at the next interval: writers
 * create a missing partition themselves, so nothing waits on this.
 */
@Injectable()
export class StorageMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StorageMaintenance.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(DATABASE_OPTIONS) private readonly options: ResolvedDatabaseOptions,
    @Inject(PARTITION_MANAGER) private readonly partitions: PartitionManager,
    @Inject(RolePools) private readonly pools: RolePools,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.maintainStorage) return;
    await this.passLogged();
    this.timer = setInterval(() => void this.passLogged(), this.options.storageMaintenanceIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * One pass: partitions ahead, then retention, and the ids of folded ingestion records past theirs. Undefined when
   * another instance holds the lock.
   */
  async pass(now: Date = new Date()): Promise<RetentionResult | undefined> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        STORAGE_MAINTENANCE_LOCK,
      ]);
      if (!rows[0]?.locked) return undefined;
      try {
        await this.partitions.ensureAroundNow();
        const retention = await this.partitions.dropExpired(now);
        await this.pools.owner.query(PRUNE_INGESTION_RECORD_IDS_SQL);
        return retention;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [STORAGE_MAINTENANCE_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  private async passLogged(): Promise<void> {
    if (this.running) return;
    this.running = this.pass().catch((error: unknown) =>
      this.logger.warn(
        `storage maintenance failed, next try in ${this.options.storageMaintenanceIntervalMs} ms: ${
          error instanceof Error ? error.message : String(error)
        }`,
      ),
    );
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }
}

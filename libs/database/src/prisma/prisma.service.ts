import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { DATABASE_OPTIONS, DATABASE_POOL } from '../database.constants';
import { describeDatabase, type ResolvedDatabaseOptions } from '../database.options';
import { PrismaClient } from '../generated/prisma/client';
import { runMigrations } from '../migrations/migration.runner';

/**
 * Prisma on the service's shared pool (driver adapter, no native engine). Applies pending migrations first when
 * `migrateOnStart` is set, connects on start-up and closes the pool last on shutdown, after every other
 * module has finished its in-flight work.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PrismaService.name);
  private closed = false;

  constructor(
    @Inject(DATABASE_OPTIONS) private readonly options: ResolvedDatabaseOptions,
    @Inject(DATABASE_POOL) readonly pool: Pool,
  ) {
    super({ adapter: new PrismaPg(pool) });
  }

  async onModuleInit(): Promise<void> {
    const options = this.options;
    if (options.migrateOnStart) {
      const result = await runMigrations({
        url: options.ownerUrl,
        timeoutMs: options.migrationTimeoutMs,
        partitionInterval: options.partitionInterval,
      });
      this.logger.log(`migrations on ${describeDatabase(options.ownerUrl)}: ${result.summary}`);
    }
    await this.$connect();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.$disconnect();
    await this.pool.end();
  }
}

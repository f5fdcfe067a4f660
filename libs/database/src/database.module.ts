import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { DATABASE_OPTIONS, DATABASE_POOL, PARTITION_MANAGER } from './database.constants';
import { DemographicsIndexer } from './demographics/demographics.indexer';
import { ConfigurableDatabaseModule, DATABASE_MODULE_OPTIONS } from './database.module-definition';
import { type DatabaseModuleOptions, resolveDatabaseOptions, type ResolvedDatabaseOptions } from './database.options';
import { DatabaseReadiness } from './health/database.readiness';
import { createDatabasePool } from './prisma/database.pool';
import { PrismaService } from './prisma/prisma.service';
import { PartitionManager } from './storage/partition.manager';
import { StorageMaintenance } from './storage/storage-maintenance.service';
import { EventBatchWriter } from './writer/event-batch.writer';

/**
 * PostgreSQL for a service: `PrismaService`, the `EventBatchWriter`, the `DemographicsIndexer`, start-up migrations
 * (`migrateOnStart`), the time partitions and their retention (`StorageMaintenance`, with `maintainStorage`) and the
 * `database` readiness check. Global by default (`isGlobal: false` to scope it).
 *
 * @example DatabaseModule.forRoot({ url: config.DATABASE_URL, migrateOnStart: true })
 * @example DatabaseModule.forRootAsync({ useFactory: (config: AppConfig) => ({ url: config.databaseUrl }), inject: [APP_CONFIG] })
 */
@Module({
  providers: [
    {
      provide: DATABASE_OPTIONS,
      useFactory: (options: DatabaseModuleOptions) => resolveDatabaseOptions(options),
      inject: [DATABASE_MODULE_OPTIONS],
    },
    {
      provide: DATABASE_POOL,
      useFactory: (options: ResolvedDatabaseOptions) => createDatabasePool(options),
      inject: [DATABASE_OPTIONS],
    },
    {
      provide: PARTITION_MANAGER,
      useFactory: (pool: Pool, options: ResolvedDatabaseOptions) =>
        new PartitionManager(pool, {
          interval: options.partitionInterval,
          ahead: options.partitionsAhead,
          retentionDays: options.retentionDays,
        }),
      inject: [DATABASE_POOL, DATABASE_OPTIONS],
    },
    PrismaService,
    EventBatchWriter,
    DemographicsIndexer,
    DatabaseReadiness,
    StorageMaintenance,
  ],
  exports: [
    PrismaService,
    EventBatchWriter,
    DemographicsIndexer,
    DatabaseReadiness,
    StorageMaintenance,
    DATABASE_POOL,
    PARTITION_MANAGER,
  ],
})
export class DatabaseModule extends ConfigurableDatabaseModule {}

import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { DATABASE_OPTIONS, DATABASE_POOL, PARTITION_MANAGER } from './database.constants';
import { DemographicsIndexer } from './demographics/demographics.indexer';
import { ConfigurableDatabaseModule, DATABASE_MODULE_OPTIONS } from './database.module-definition';
import { type DatabaseModuleOptions, resolveDatabaseOptions, type ResolvedDatabaseOptions } from './database.options';
import { DatabaseReadiness } from './health/database.readiness';
import { IngestionCountsWriter } from './ingestion/ingestion-counts.writer';
import { createDatabasePool } from './prisma/database.pool';
import { PrismaService } from './prisma/prisma.service';
import { RolePools } from './roles/role.pools';
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
    RolePools,
    {
      provide: PARTITION_MANAGER,
      // Creating a partition and dropping one both need ownership of the partitioned table: the owner's pool.
      useFactory: (pools: RolePools, options: ResolvedDatabaseOptions) =>
        new PartitionManager(pools.owner, {
          interval: options.partitionInterval,
          ahead: options.partitionsAhead,
          retentionDays: options.retentionDays,
        }),
      inject: [RolePools, DATABASE_OPTIONS],
    },
    PrismaService,
    EventBatchWriter,
    IngestionCountsWriter,
    {
      provide: DemographicsIndexer,
      useFactory: (pools: RolePools) => new DemographicsIndexer(pools.indexer),
      inject: [RolePools],
    },
    DatabaseReadiness,
    StorageMaintenance,
  ],
  exports: [
    PrismaService,
    EventBatchWriter,
    IngestionCountsWriter,
    DemographicsIndexer,
    DatabaseReadiness,
    StorageMaintenance,
    DATABASE_POOL,
    PARTITION_MANAGER,
  ],
})
export class DatabaseModule extends ConfigurableDatabaseModule implements OnApplicationShutdown {
  constructor(private readonly rolePools: RolePools) {
    super();
  }

  /** A module's own hook runs after its providers': storage maintenance has finished its pass on the owner's pool. */
  async onApplicationShutdown(): Promise<void> {
    await this.rolePools.close();
  }
}

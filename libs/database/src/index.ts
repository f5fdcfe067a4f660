export { DATABASE_OPTIONS, DATABASE_POOL, DATABASE_READINESS_CHECK, PARTITION_MANAGER } from './database.constants';
export {
  DATABASE_ASYNC_OPTIONS_TYPE,
  DATABASE_MODULE_OPTIONS,
  DATABASE_OPTIONS_TYPE,
} from './database.module-definition';
export { DatabaseModule } from './database.module';
export { DEMOGRAPHICS_INDEXER_LOCK, DemographicsIndexer } from './demographics/demographics.indexer';
export type { DemographicsIndexStep } from './demographics/demographics.indexer';
export type { DemographicChain } from './demographics/demographics.sql';
export {
  DEMOGRAPHIC_CHAINS,
  DEMOGRAPHIC_TABLES,
  FOLLOWER_BAND_WIDTH,
  demographicDeltaCtes,
  followerBandOf,
  queuedEventsCte,
} from './demographics/demographics.sql';
export { describeDatabase, resolveDatabaseOptions } from './database.options';
export type { DatabaseModuleOptions, ResolvedDatabaseOptions } from './database.options';
export { DatabaseMigrationError, DatabaseOptionsError, EventBatchWriteError } from './errors/database.errors';
export { DatabaseReadiness } from './health/database.readiness';
export { migrationsFingerprint, PRISMA_CLI_ENV, runMigrations } from './migrations/migration.runner';
export type { MigrationOptions, MigrationResult } from './migrations/migration.runner';
export { createDatabasePool } from './prisma/database.pool';
export { PrismaService } from './prisma/prisma.service';
export { refreshRollups } from './rollups/rollup.refresher';
export { seedEvents } from './seed/event.seeder';
export { eventKeyOf, userKeyOf } from './storage/event-key';
export type { StoredId } from './storage/event-key';
export { DEFAULT_PARTITION_SETTINGS, isMissingPartition, PartitionManager } from './storage/partition.manager';
export type { PartitionSettings, RetentionResult } from './storage/partition.manager';
export { PARTITIONED_TABLES, PARTITION_INTERVALS } from './storage/partition.sql';
export type { PartitionInterval, PartitionedTable, PartitionRange } from './storage/partition.sql';
export { StorageMaintenance } from './storage/storage-maintenance.service';
export { STORAGE_HORIZONS_SQL } from './storage/storage-horizon.sql';
export type { StorageHorizonRow } from './storage/storage-horizon.sql';
export type { SeedOptions, SeedResult } from './seed/event.seeder';
export { ROLLUP_UNITS, TRANSACTIONAL_PREDICATE } from './rollups/rollup.sql';
export type { RollupUnit } from './rollups/rollup.sql';
export { amountToCents, centsToAmount, toDecimalAmount } from './writer/decimal-amount';
export type { DecimalAmount } from './writer/decimal-amount';
export { EventBatchWriter } from './writer/event-batch.writer';
export type { EventBatchWriteResult, EventRow } from './writer/event-row';
export { Prisma } from './generated/prisma/client';

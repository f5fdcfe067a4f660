export { DATABASE_OPTIONS, DATABASE_POOL, DATABASE_READINESS_CHECK } from './database.constants';
export {
  DATABASE_ASYNC_OPTIONS_TYPE,
  DATABASE_MODULE_OPTIONS,
  DATABASE_OPTIONS_TYPE,
} from './database.module-definition';
export { DatabaseModule } from './database.module';
export { DEMOGRAPHICS_INDEXER_LOCK, DemographicsIndexer } from './demographics/demographics.indexer';
export type { DemographicsIndexStep } from './demographics/demographics.indexer';
export {
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
export type { SeedOptions, SeedResult } from './seed/event.seeder';
export { ROLLUP_UNITS, TRANSACTIONAL_PREDICATE } from './rollups/rollup.sql';
export type { RollupUnit } from './rollups/rollup.sql';
export { amountToCents, centsToAmount, toDecimalAmount } from './writer/decimal-amount';
export type { DecimalAmount } from './writer/decimal-amount';
export { EventBatchWriter } from './writer/event-batch.writer';
export type { EventBatchWriteResult, EventRow } from './writer/event-row';
export { Prisma } from './generated/prisma/client';

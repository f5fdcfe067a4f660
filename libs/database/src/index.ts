export { DATABASE_OPTIONS, DATABASE_POOL, DATABASE_READINESS_CHECK, PARTITION_MANAGER } from './database.constants';
export {
  DATABASE_ASYNC_OPTIONS_TYPE,
  DATABASE_MODULE_OPTIONS,
  DATABASE_OPTIONS_TYPE,
} from './database.module-definition';
export { DatabaseModule } from './database.module';
export { DEMOGRAPHICS_INDEXER_LOCK, DemographicsIndexer } from './demographics/demographics.indexer';
export type { DemographicsIndexStep } from './demographics/demographics.indexer';
export { DEMOGRAPHIC_TABLES, demographicDeltaCtes, followerBandOf } from './demographics/demographics.sql';
export { describeDatabase, resolveDatabaseOptions } from './database.options';
export type { DatabaseModuleOptions, ResolvedDatabaseOptions } from './database.options';
export { DatabaseMigrationError, DatabaseOptionsError, EventBatchWriteError } from './errors/database.errors';
export { DatabaseReadiness } from './health/database.readiness';
export { migrationsFingerprint, PRISMA_CLI_ENV, runMigrations } from './migrations/migration.runner';
export type { MigrationOptions, MigrationResult } from './migrations/migration.runner';
export { createDatabasePool } from './prisma/database.pool';
export { PrismaService } from './prisma/prisma.service';
export {
  allTimeFacebookRows,
  allTimeFollowerFigures,
  allTimeTiktokPlaces,
} from './reports/demographics/demographics-all-time.queries';
export { eventsPerSource } from './reports/demographics/demographics-events.queries';
export type { SourceEventsRow } from './reports/demographics/demographics-events.queries';
export {
  rangeFacebookRows,
  rangeFollowerFigures,
  rangeTiktokPlaces,
} from './reports/demographics/demographics-range.queries';
export type { TopLimits } from './reports/demographics/demographics-rows.sql';
export { FOLLOWER_BUCKET_FLOORS, bucketIndex } from './reports/demographics/demographics.rows';
export type { FacebookRow, FollowerFigures, TiktokPlaceRow } from './reports/demographics/demographics.rows';
export { eventBreakdownRows, eventExtent, eventSeriesRows } from './reports/events/events-report.queries';
export type {
  EventBreakdownRow,
  EventExtentRow,
  EventFilters,
  EventSeriesInterval,
  EventSeriesRow,
} from './reports/events/events-report.queries';
export { ingestionReportRows } from './reports/ingestion/ingestion-report.queries';
export type { IngestionReportRow } from './reports/ingestion/ingestion-report.queries';
export { revenueRows } from './reports/revenue/revenue-report.queries';
export type { RevenueFilters, RevenueRow } from './reports/revenue/revenue-report.queries';
export type { ReportQuery } from './reports/shared/report.query';
export {
  beginReportSnapshot,
  commitReportSnapshot,
  exportReportSnapshot,
  joinReportSnapshot,
  rollBackReportSnapshot,
  setReportStatementTimeout,
} from './reports/shared/report-session.sql';
export type { ReportSessionSettings } from './reports/shared/report-session.sql';
export { retentionHorizon } from './reports/shared/retention-horizon.queries';
export { DAY_MS, HOUR_MS, MINUTE_MS, splitRange } from './reports/shared/time-range.split';
export type { RangeTiers, Span } from './reports/shared/time-range.split';
export { replicaLag } from './replication/replica-lag.queries';
export type { ReplicaLag } from './replication/replica-lag.queries';
export { refreshRollups } from './rollups/rollup.refresher';
export { DATABASE_ROLES } from './roles/database.roles';
export type { DatabaseRole, RolePasswords } from './roles/database.roles';
export { TABLE_GRANTS } from './roles/role.grants';
export type { TableGrants, TablePrivilege } from './roles/role.grants';
export { applyRoleGrants } from './roles/role-grants.reconciler';
export { provisionRoles } from './roles/role.provisioner';
export type { RoleProvisioningResult } from './roles/role.provisioner';
export { RoleProvisioningError } from './roles/role-provisioning.error';
export { seedEvents } from './seed/event.seeder';
export { eventKeyOf, userKeyOf } from './storage/event-key';
export type { StoredId } from './storage/event-key';
export { DEFAULT_PARTITION_SETTINGS, isMissingPartition, PartitionManager } from './storage/partition.manager';
export type { PartitionSettings, RetentionResult } from './storage/partition.manager';
export { PARTITIONED_TABLES, PARTITION_INTERVALS } from './storage/partition.sql';
export type { PartitionInterval, PartitionedTable, PartitionRange } from './storage/partition.sql';
export { StorageMaintenance } from './storage/storage-maintenance.service';
export type { SeedOptions, SeedResult } from './seed/event.seeder';
export { ROLLUP_UNITS } from './rollups/rollup.sql';
export type { RollupUnit } from './rollups/rollup.sql';
export { amountToCents, centsToAmount, toDecimalAmount } from './writer/decimal-amount';
export type { DecimalAmount } from './writer/decimal-amount';
export { EventBatchWriter } from './writer/event-batch.writer';
export { IngestionCountsWriter } from './ingestion/ingestion-counts.writer';
export type { IngestionCountRow } from './ingestion/ingestion-counts.writer';
export type { EventBatchWriteResult, EventRow } from './writer/event-row';
export { Prisma } from './generated/prisma/client';

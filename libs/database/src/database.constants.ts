/** Options of `DatabaseModule.forRoot/forRootAsync`. */
export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');
/** The `pg` Pool shared by Prisma (through its driver adapter) and the batch writer. */
export const DATABASE_POOL = Symbol('DATABASE_POOL');
/** Name of the readiness check registered in `ReadinessRegistry`. */
export const DATABASE_READINESS_CHECK = 'database';
/** The service's `PartitionManager` (time partitions of `events` and the demographics read model). */
export const PARTITION_MANAGER = Symbol('PARTITION_MANAGER');
/** Key of the session advisory lock that makes one storage maintenance pass run at a time ("evps"). */
export const STORAGE_MAINTENANCE_LOCK = 0x65767073;

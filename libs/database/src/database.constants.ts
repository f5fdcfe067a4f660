/** Options of `DatabaseModule.forRoot/forRootAsync`. */
export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');
/** The `pg` Pool shared by Prisma (through its driver adapter) and the batch writer. */
export const DATABASE_POOL = Symbol('DATABASE_POOL');
/** Name of the readiness check registered in `ReadinessRegistry`. */
export const DATABASE_READINESS_CHECK = 'database';

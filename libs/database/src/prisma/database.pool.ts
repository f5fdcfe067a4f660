import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { describeDatabase, type ResolvedDatabaseOptions } from '../database.options';

/**
 * The one connection pool of a service. Prisma uses it through its driver adapter; the batch writer uses it
 * directly, because Prisma's raw-query path re-encodes every parameter through its query compiler, which
 * costs tens of microseconds per row for the writer's multi-megabyte JSON parameter.
 */
export function createDatabasePool(options: Pick<ResolvedDatabaseOptions, 'url' | 'poolSize' | 'connectTimeoutMs'>): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'evp',
    // A 5,000-event batch parameter is several megabytes: with the default 4 MB of work memory its rows
    // would spill to a temporary file on every write.
    options: '-c work_mem=64MB',
  });
  const logger = new Logger('DatabasePool');
  // An idle connection dropped by a server restart emits 'error' on the pool; unhandled, it would kill the process.
  pool.on('error', (error) => logger.warn(`idle connection to ${describeDatabase(options.url)} lost: ${error.message}`));
  return pool;
}

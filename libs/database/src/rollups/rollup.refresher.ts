import type { Pool } from 'pg';
import { inTransaction } from '../prisma/pool.transaction';
import { rollupCtes } from './rollup.sql';

/**
 * Rebuilds every rollup table from `events`, with the batch writer's own formulas, in one transaction. Writers
 * wait meanwhile (SHARE lock on `events`), so at commit the rollups equal the table exactly. For bulk loads that
 * bypass the writer (the seeder) and for repairs; the writer keeps them exact on its own.
 */
export async function refreshRollups(pool: Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('LOCK TABLE events IN SHARE MODE');
    // Grouping tens of millions of rows into buckets: enough memory to hash instead of sorting on disk.
    await client.query(`SET LOCAL work_mem = '256MB'`);
    await client.query('TRUNCATE event_counts_minute, event_counts_hour, revenue_minute, revenue_hour');
    await client.query(`WITH ${rollupCtes('events')} SELECT 1`);
  });
}

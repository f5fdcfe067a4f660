import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in a transaction on one connection of `pool`: COMMIT when it resolves, ROLLBACK when it throws (the
 * error is rethrown). A connection that cannot even roll back is broken and is destroyed instead of being returned.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
    throw error;
  }
}

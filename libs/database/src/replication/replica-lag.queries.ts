import { type Pool } from 'pg';

/**
 * Seconds the server's data is behind its primary: 0 on a primary, and 0 on a replica that has replayed all it
 * received. `now() - pg_last_xact_replay_timestamp()` alone keeps growing on a replica of an idle primary (the
 * last replayed commit gets older though nothing is missing), so a replica that is caught up says 0.
 */
const REPLICA_LAG_SQL = `
  SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
  END::float8 AS lag_seconds,
  pg_is_in_recovery() AS replica`;

export interface ReplicaLag {
  /** Seconds of commits the server has not replayed yet; 0 on a primary. */
  lagSeconds: number;
  /** The server is a standby (in recovery). */
  replica: boolean;
}

/** How far the server behind `pool` is behind its primary. */
export async function replicaLag(pool: Pool): Promise<ReplicaLag> {
  const { rows } = await pool.query<{ lag_seconds: number; replica: boolean }>(REPLICA_LAG_SQL);
  const row = rows[0];
  return { lagSeconds: Math.max(0, row?.lag_seconds ?? 0), replica: row?.replica ?? false };
}

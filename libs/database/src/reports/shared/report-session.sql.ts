import { type ClientBase } from 'pg';

/** How a report's read-only transaction is set up, on the connection that starts it and on those that join it. */
export interface ReportSessionSettings {
  /** `statement_timeout` of the transaction, in whole milliseconds. */
  statementTimeoutMs: number;
  /** `work_mem` of the transaction, in whole megabytes. */
  workMemMb: number;
  /**
   * Let PostgreSQL use parallel workers (`max_parallel_workers_per_gather` 0 when false).
   * @default true
   */
  parallelWorkers?: boolean;
}

const BEGIN = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?$/i;

/** Every value is a number, so nothing from outside can reach the statement's text. */
function settingsSql({ statementTimeoutMs, workMemMb, parallelWorkers }: ReportSessionSettings): string {
  // JIT compilation costs more than it saves on these aggregations.
  const settings = [
    `SET LOCAL statement_timeout = ${statementTimeoutMs}`,
    `SET LOCAL work_mem = '${workMemMb}MB'`,
    'SET LOCAL jit = off',
  ].join('; ');
  return parallelWorkers === false ? `${settings}; SET LOCAL max_parallel_workers_per_gather = 0` : settings;
}

/**
 * Starts a report's read-only REPEATABLE READ transaction on `client`, in one round trip: every statement of the
 * report then sees the same committed data, even while collectors write.
 */
export async function beginReportSnapshot(client: ClientBase, settings: ReportSessionSettings): Promise<void> {
  await client.query(`${BEGIN}; ${settingsSql(settings)}`);
}

/** Exports the snapshot of the transaction `client` began, for other connections to join; undefined if unusable. */
export async function exportReportSnapshot(client: ClientBase): Promise<string | undefined> {
  const { rows } = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
  const id = rows[0]?.id;
  return id !== undefined && SNAPSHOT_ID.test(id) ? id : undefined;
}

/** Starts a transaction on `client` in the snapshot another connection exported, so both see the same data. */
export async function joinReportSnapshot(
  client: ClientBase,
  snapshotId: string,
  settings: ReportSessionSettings,
): Promise<void> {
  // The id is written into the statement (SET TRANSACTION SNAPSHOT takes no parameter), so only its own shape passes.
  if (!SNAPSHOT_ID.test(snapshotId)) throw new Error(`not a snapshot id: ${JSON.stringify(snapshotId)}`);
  await client.query(`${BEGIN}; SET TRANSACTION SNAPSHOT '${snapshotId}'; ${settingsSql(settings)}`);
}

/** Lowers the transaction's `statement_timeout` to `timeoutMs`, whole milliseconds. */
export async function setReportStatementTimeout(client: ClientBase, timeoutMs: number): Promise<void> {
  await client.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
}

export async function commitReportSnapshot(client: ClientBase): Promise<void> {
  await client.query('COMMIT');
}

export async function rollBackReportSnapshot(client: ClientBase): Promise<void> {
  await client.query('ROLLBACK');
}

/** A database option is missing or invalid; the message names each bad option. */
export class DatabaseOptionsError extends Error {
  override readonly name = 'DatabaseOptionsError';
  readonly code = 'DATABASE.INVALID_OPTIONS';
}

/** `prisma migrate deploy` failed or did not finish in time; the message carries the CLI's own explanation. */
export class DatabaseMigrationError extends Error {
  override readonly name = 'DatabaseMigrationError';
  readonly code = 'DATABASE.MIGRATION_FAILED';
}

/**
 * A batch could not be written; nothing of it was stored (one statement, one transaction).
 *
 * `retryable` tells the caller's ack policy what to do: true when retrying the same batch later can succeed
 * (database down or restarting, connection lost, lock or resource trouble), false when the rows themselves
 * are unacceptable (PostgreSQL class 22, data exception: a value out of range, malformed JSON or date; or class 54,
 * program limit exceeded: a value or index entry too big to store), so retrying the same rows would fail forever and
 * the offending ones must be found and dead-lettered.
 */
export class EventBatchWriteError extends Error {
  override readonly name = 'EventBatchWriteError';
  readonly code: 'DATABASE.WRITE_FAILED' | 'DATABASE.INVALID_ROW';
  readonly retryable: boolean;
  /** PostgreSQL SQLSTATE when the server answered, e.g. `22003`; undefined for connection failures. */
  readonly sqlState: string | undefined;

  constructor(message: string, options: { cause: unknown; sqlState: string | undefined }) {
    super(message, { cause: options.cause });
    this.sqlState = options.sqlState;
    this.retryable = !isDataException(options.sqlState) && !isProgramLimitExceeded(options.sqlState);
    this.code = this.retryable ? 'DATABASE.WRITE_FAILED' : 'DATABASE.INVALID_ROW';
  }
}

/** SQLSTATE class 22: the data is at fault, not the database. */
export function isDataException(sqlState: string | undefined): boolean {
  return sqlState !== undefined && sqlState.startsWith('22');
}

/**
 * SQLSTATE class 54: a value, index entry or statement beyond one of PostgreSQL's fixed limits. Caused by the rows
 * (an index row over 2704 bytes, a jsonb over 255 MB) or by their number (too many parameters): both go away when the
 * batch is split, which is what a non-retryable write error gets, instead of an hour of redeliveries.
 */
export function isProgramLimitExceeded(sqlState: string | undefined): boolean {
  return sqlState !== undefined && sqlState.startsWith('54');
}

/** Deadlock or serialization failure: PostgreSQL rolled the statement back and asks for a retry. */
export function isTransactionRollback(sqlState: string | undefined): boolean {
  return sqlState === '40P01' || sqlState === '40001';
}

/** The SQLSTATE of a `pg` error; socket errors carry Node codes such as `ECONNREFUSED`, which are not SQLSTATEs. */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = error.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

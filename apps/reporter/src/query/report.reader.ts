import { HttpException, Inject, Injectable } from '@nestjs/common';
import { DATABASE_POOL, type Prisma } from '@evp/database';
import { Pool, type PoolClient } from 'pg';
import { REPORTER_CONFIG } from '../reporter.constants';
import { type ReporterConfig } from '../reporter.config';
import { ReportUnavailableError } from './report-query.errors';

/** Runs one parameterised statement inside a report's snapshot; rows come back as `pg` returns them (int8 and numeric as strings). */
export type ReportQuery = <Row>(statement: Prisma.Sql) => Promise<Row[]>;

/** PostgreSQL SQLSTATE `query_canceled`: here, `statement_timeout` fired. */
const QUERY_CANCELED = '57014';

/**
 * Every query of one report runs in one read-only REPEATABLE READ transaction, so the rollup tiers and the raw
 * edges (and the several statements of a report) see the same committed batches even while collectors write.
 *
 * Statements are composed with `Prisma.sql` (bound parameters only) and sent on the service's `pg` pool rather
 * than through `$queryRaw`: the transaction settings below need one connection for the whole report, and
 * `pg` hands back int8 and numeric as exact strings, which is what counts and money need.
 */
@Injectable()
export class ReportReader {
  private readonly settings: string;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(REPORTER_CONFIG) config: ReporterConfig,
  ) {
    // JIT compilation costs more than it saves on these sub-second aggregations; integers from validated config.
    this.settings = [
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      `SET LOCAL statement_timeout = ${config.REPORT_STATEMENT_TIMEOUT_MS}`,
      `SET LOCAL work_mem = '${config.REPORT_WORK_MEM_MB}MB'`,
      'SET LOCAL jit = off',
    ].join('; ');
  }

  async snapshot<T>(work: (query: ReportQuery) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new ReportUnavailableError(
        'REPORTER.DATABASE_UNAVAILABLE',
        `the database is unavailable: ${messageOf(error)}`,
        { cause: error },
      );
    }
    let broken: Error | undefined;
    try {
      await client.query(this.settings);
      const result = await work(
        async <Row>(statement: Prisma.Sql) => (await client.query(statement.text, statement.values)).rows as Row[],
      );
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = await client.query('ROLLBACK').then(
        () => undefined,
        (rollbackError: unknown) => (rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))),
      );
      throw toReportError(error);
    } finally {
      // A connection that cannot even roll back is dropped instead of going back to the pool.
      client.release(broken);
    }
  }
}

function toReportError(error: unknown): unknown {
  if (error instanceof HttpException) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  if (code === QUERY_CANCELED) {
    return new ReportUnavailableError(
      'REPORTER.QUERY_TIMEOUT',
      'the report took longer than REPORT_STATEMENT_TIMEOUT_MS',
      { cause: error },
    );
  }
  if (isConnectionFailure(code, error)) {
    return new ReportUnavailableError(
      'REPORTER.DATABASE_UNAVAILABLE',
      `the database is unavailable: ${messageOf(error)}`,
      { cause: error },
    );
  }
  return new ReportUnavailableError('REPORTER.QUERY_FAILED', 'the report query failed', { cause: error });
}

/** Socket errors (`ECONNREFUSED`…), SQLSTATE class 08 (connection exception) and 57P0x (server shutting down or starting). */
function isConnectionFailure(code: string | undefined, error: unknown): boolean {
  if (code !== undefined) return /^E[A-Z]+$/.test(code) || code.startsWith('08') || code.startsWith('57P0');
  return error instanceof Error && /connection terminated|connection.*(closed|ended)/i.test(error.message);
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

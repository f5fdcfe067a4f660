import { HttpException, Inject, Injectable } from '@nestjs/common';
import {
  DATABASE_POOL,
  type Prisma,
  type ReportQuery,
  type ReportSessionSettings,
  beginReportSnapshot,
  commitReportSnapshot,
  exportReportSnapshot,
  joinReportSnapshot,
  rollBackReportSnapshot,
  setReportStatementTimeout,
} from '@evp/database';
import { Pool, type PoolClient } from 'pg';
import { REPORTER_CONFIG } from '../reporter.constants';
import { type ReporterConfig } from '../reporter.config';
import { ReportConcurrencyLimiter } from './report-concurrency.limiter';
import { ReportUnavailableError } from './report-unavailable.error';

export interface SnapshotOptions {
  /**
   * Connections the report may use at once: statements issued together (`Promise.all`) then run in parallel, all
   * in the same snapshot. Extra connections are taken only while the pool has room, never waited for.
   * @default 1
   */
  connections?: number;
  /**
   * Let PostgreSQL use parallel workers. Starting them costs tens of milliseconds on a busy two-core machine, more
   * than reading a few hundred rollup rows takes, so reports that read little turn them off.
   * @default true
   */
  parallelWorkers?: boolean;
}

/** PostgreSQL SQLSTATE `query_canceled`: here, `statement_timeout` fired. */
const QUERY_CANCELED = '57014';

/**
 * Share of the deadline a statement may overrun it by: lowering `statement_timeout` to the time left costs a
 * round trip, so it is done only once the report has used more than this, and a fast report sends none.
 */
const DEADLINE_SLACK = 0.01;

interface Member {
  client: PoolClient;
  busy: boolean;
  /** The `statement_timeout` in force on this connection, in milliseconds. */
  timeoutMs: number;
}

/**
 * Every query of one report runs in one read-only REPEATABLE READ snapshot, so the rollup tiers and the raw edges
 * (and the several statements of a report) see the same committed batches even while collectors write. When a
 * report may use several connections, the extra ones import the first one's snapshot (`SET TRANSACTION SNAPSHOT`),
 * so parallel statements still see exactly the same data.
 *
 * A report has one deadline, REPORT_STATEMENT_TIMEOUT_MS from its arrival, whatever the number of its statements:
 * each statement runs with `statement_timeout` no later than the time left (within {@link DEADLINE_SLACK}), so
 * PostgreSQL cancels it there and frees the connection. At most REPORT_MAX_CONCURRENT reports run at once, with
 * REPORT_MAX_QUEUED more waiting for a place until their deadline; past that they are refused at once.
 *
 * The statements (the reports' queries and the transaction's own) come from @evp/database, composed with
 * `Prisma.sql` (bound parameters only), and are sent on the service's `pg` pool rather than through `$queryRaw`:
 * the transaction settings need the report's own connections for its whole duration, and `pg` hands back int8 and
 * numeric as exact strings, which is what counts and money need.
 */
@Injectable()
export class ReportReader {
  private readonly limiter: ReportConcurrencyLimiter;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(REPORTER_CONFIG) private readonly config: ReporterConfig,
  ) {
    this.limiter = new ReportConcurrencyLimiter({
      concurrent: config.REPORT_MAX_CONCURRENT,
      queued: config.REPORT_MAX_QUEUED,
      retryAfterSeconds: config.REPORT_RETRY_AFTER_SECONDS,
    });
  }

  async snapshot<T>(work: (query: ReportQuery) => Promise<T>, options: SnapshotOptions = {}): Promise<T> {
    const deadline = performance.now() + this.config.REPORT_STATEMENT_TIMEOUT_MS;
    const release = await this.limiter.acquire(deadline);
    try {
      return await this.runSnapshot(work, options, deadline);
    } finally {
      release();
    }
  }

  private async runSnapshot<T>(
    work: (query: ReportQuery) => Promise<T>,
    options: SnapshotOptions,
    deadline: number,
  ): Promise<T> {
    const maxMembers = Math.max(1, options.connections ?? 1);
    const members: Member[] = [];
    const waiters: { resolve: (member: Member) => void; reject: (error: Error) => void }[] = [];
    let snapshotId: string | undefined;
    let joining = 0;
    let finished = false;

    const release = (member: Member) => {
      const next = waiters.shift();
      if (next) next.resolve(member);
      else member.busy = false;
    };
    const join = async (): Promise<Member | undefined> => {
      if (snapshotId === undefined || members.length + joining >= maxMembers || !this.poolHasRoom()) return undefined;
      joining++;
      let client: PoolClient | undefined;
      try {
        const timeoutMs = this.timeLeft(deadline);
        client = await this.pool.connect();
        await joinReportSnapshot(client, snapshotId, this.settings(timeoutMs, options));
        if (finished) throw new Error('the report ended while a connection was joining');
        const member = { client, busy: true, timeoutMs };
        members.push(member);
        return member;
      } catch {
        // Parallelism is an optimisation: without a helper, the statement waits for a member of the group.
        client?.release(true);
        return undefined;
      } finally {
        joining--;
      }
    };
    const acquire = async (): Promise<Member> => {
      const idle = members.find((member) => !member.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      const helper = await join();
      if (helper) return helper;
      if (finished) throw new Error('the report has ended');
      return new Promise<Member>((resolve, reject) => waiters.push({ resolve, reject }));
    };
    const run: ReportQuery = async <Row>(statement: Prisma.Sql) => {
      const member = await acquire();
      try {
        await this.keepWithinDeadline(member, deadline);
        return (await member.client.query(statement.text, statement.values)).rows as Row[];
      } finally {
        release(member);
      }
    };

    const leader: Member = { client: await this.connect(), busy: true, timeoutMs: 0 };
    members.push(leader);
    let committed = false;
    try {
      leader.timeoutMs = this.timeLeft(deadline);
      await beginReportSnapshot(leader.client, this.settings(leader.timeoutMs, options));
      if (maxMembers > 1) snapshotId = await exportReportSnapshot(leader.client);
      release(leader);
      const result = await work(run);
      await Promise.all(members.map((member) => commitReportSnapshot(member.client)));
      committed = true;
      return result;
    } catch (error) {
      throw this.toReportError(error);
    } finally {
      finished = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error('the report has ended'));
      if (committed) for (const member of members) member.client.release();
      else await Promise.all(members.map((member) => this.rollBack(member.client)));
    }
  }

  /** Transaction settings; every value is an integer from validated config or the clock. */
  private settings(timeoutMs: number, options: SnapshotOptions): ReportSessionSettings {
    return {
      statementTimeoutMs: timeoutMs,
      workMemMb: this.config.REPORT_WORK_MEM_MB,
      parallelWorkers: options.parallelWorkers,
    };
  }

  /** Milliseconds left before the deadline; none left is the deadline error. */
  private timeLeft(deadline: number): number {
    const left = Math.floor(deadline - performance.now());
    if (left <= 0) throw this.deadlineError(undefined);
    return left;
  }

  /** Lowers the connection's `statement_timeout` to the time left when the statement could otherwise overrun it. */
  private async keepWithinDeadline(member: Member, deadline: number): Promise<void> {
    const left = this.timeLeft(deadline);
    if (member.timeoutMs <= left + this.config.REPORT_STATEMENT_TIMEOUT_MS * DEADLINE_SLACK) return;
    await setReportStatementTimeout(member.client, left);
    member.timeoutMs = left;
  }

  private deadlineError(cause: unknown): ReportUnavailableError {
    const { REPORT_STATEMENT_TIMEOUT_MS: deadlineMs, REPORT_RETRY_AFTER_SECONDS: retryAfterSeconds } = this.config;
    return new ReportUnavailableError(
      'REPORTER.QUERY_TIMEOUT',
      `the report did not finish within its ${deadlineMs} ms deadline (REPORT_STATEMENT_TIMEOUT_MS) and was cancelled: retry in ${retryAfterSeconds} s, or ask for a narrower range`,
      { cause, retryAfterSeconds },
    );
  }

  private databaseUnavailable(error: unknown): ReportUnavailableError {
    return new ReportUnavailableError(
      'REPORTER.DATABASE_UNAVAILABLE',
      `the database is unavailable: ${messageOf(error)}`,
      { cause: error, retryAfterSeconds: this.config.REPORT_RETRY_AFTER_SECONDS },
    );
  }

  private toReportError(error: unknown): unknown {
    if (error instanceof HttpException) return error;
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
    if (code === QUERY_CANCELED) return this.deadlineError(error);
    if (isConnectionFailure(code, error)) return this.databaseUnavailable(error);
    return new ReportUnavailableError('REPORTER.QUERY_FAILED', 'the report query failed', {
      cause: error,
      retryAfterSeconds: this.config.REPORT_RETRY_AFTER_SECONDS,
    });
  }

  private poolHasRoom(): boolean {
    return this.pool.idleCount > 0 || this.pool.totalCount < this.config.REPORT_POOL_SIZE;
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw this.databaseUnavailable(error);
    }
  }

  /** Returns a connection whose report failed; one that cannot even roll back is dropped. */
  private async rollBack(client: PoolClient): Promise<void> {
    const broken = await rollBackReportSnapshot(client).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    client.release(broken);
  }
}

/** Socket errors (`ECONNREFUSED`…), SQLSTATE class 08 (connection exception) and 57P0x (server shutting down or starting). */
function isConnectionFailure(code: string | undefined, error: unknown): boolean {
  if (code !== undefined) return /^E[A-Z]+$/.test(code) || code.startsWith('08') || code.startsWith('57P0');
  return error instanceof Error && /connection terminated|connection.*(closed|ended)/i.test(error.message);
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

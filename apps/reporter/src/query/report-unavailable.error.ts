import { HttpStatus, HttpException } from '@nestjs/common';

export type ReportUnavailableCode =
  'REPORTER.QUERY_TIMEOUT' | 'REPORTER.BUSY' | 'REPORTER.DATABASE_UNAVAILABLE' | 'REPORTER.QUERY_FAILED';

/** Why a report was answered 503, the `reason` label of `reporter_reports_unavailable_total`. */
export const UNAVAILABLE_REASONS = ['deadline', 'busy', 'database'] as const;
export type UnavailableReason = (typeof UNAVAILABLE_REASONS)[number];

const REASON_OF: Record<ReportUnavailableCode, UnavailableReason | undefined> = {
  'REPORTER.QUERY_TIMEOUT': 'deadline',
  'REPORTER.BUSY': 'busy',
  'REPORTER.DATABASE_UNAVAILABLE': 'database',
  'REPORTER.QUERY_FAILED': undefined,
};

/**
 * A report could not be computed for a reason that is not the caller's: it ran past its deadline
 * (`REPORT_STATEMENT_TIMEOUT_MS`), every place for a report was taken (`REPORT_MAX_CONCURRENT`,
 * `REPORT_MAX_QUEUED`), or the database is unreachable: 503 with Retry-After (try again later). A query that
 * failed otherwise is a 500. Never a 400.
 */
export class ReportUnavailableError extends HttpException {
  override readonly name = 'ReportUnavailableError';
  /** Why the answer is a 503; undefined for a 500. */
  readonly reason: UnavailableReason | undefined;
  /** Headers of the answer, set by the reporter's error filter. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: ReportUnavailableCode,
    message: string,
    options: { cause?: unknown; retryAfterSeconds: number },
  ) {
    const reason = REASON_OF[code];
    const status = reason === undefined ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.SERVICE_UNAVAILABLE;
    super(
      { error: status === HttpStatus.SERVICE_UNAVAILABLE ? 'Service Unavailable' : 'Internal Server Error', message },
      status,
      { cause: options.cause },
    );
    this.reason = reason;
    this.headers = reason === undefined ? {} : { 'retry-after': String(options.retryAfterSeconds) };
  }
}

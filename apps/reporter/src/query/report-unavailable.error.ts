import { HttpStatus, HttpException } from '@nestjs/common';

/**
 * A report could not be computed for a reason that is not the caller's: the database is unreachable, or the
 * query ran past `REPORT_STATEMENT_TIMEOUT_MS`. Answered 503 (try again later) or 500, never a 400.
 */
export class ReportUnavailableError extends HttpException {
  override readonly name = 'ReportUnavailableError';

  constructor(
    readonly code: 'REPORTER.QUERY_TIMEOUT' | 'REPORTER.DATABASE_UNAVAILABLE' | 'REPORTER.QUERY_FAILED',
    message: string,
    options: { cause: unknown },
  ) {
    const status = code === 'REPORTER.QUERY_FAILED' ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.SERVICE_UNAVAILABLE;
    super(
      { error: status === HttpStatus.SERVICE_UNAVAILABLE ? 'Service Unavailable' : 'Internal Server Error', message },
      status,
      options,
    );
  }
}

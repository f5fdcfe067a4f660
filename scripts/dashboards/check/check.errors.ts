/** Stable codes of the ways `npm run check:dashboards` can fail before it gets to run the queries. */
export type DashboardCheckErrorCode =
  | 'DASHCHECK.BINARY_MISSING'
  | 'DASHCHECK.PROMETHEUS_START'
  | 'DASHCHECK.PROMETHEUS_API'
  | 'DASHCHECK.SCRAPE_CONFIG'
  | 'DASHCHECK.TARGETS_NOT_UP'
  | 'DASHCHECK.PUBLISHER'
  | 'DASHCHECK.POSTGRES_EXPORTER';

/** A failure of the check's own machinery (as opposed to a query that fails, which is a finding). */
export class DashboardCheckError extends Error {
  override readonly name = 'DashboardCheckError';

  constructor(
    readonly code: DashboardCheckErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

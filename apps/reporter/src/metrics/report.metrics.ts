import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { METRICS_REGISTRY } from '@evp/observability';
import { Counter, Histogram, type Registry } from 'prom-client';
import { UNAUTHENTICATED_REASONS, type UnauthenticatedReason } from '../auth/unauthenticated.error';
import { ReportUnavailableError, UNAVAILABLE_REASONS } from '../query/report-unavailable.error';

export const REPORT_NAMES = ['events', 'revenue', 'demographics', 'ingestion'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_STATUSES = ['ok', 'bad_request', 'error'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Rollup-backed reports answer in milliseconds and demographics over large ranges in seconds: buckets span both. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * `reporter_report_duration_seconds{report}`: time to compute a report that reached the database (answered
 * or failed), not the instant 400s and refusals, which would only drag the latency figures down.
 * `reporter_reports_generated_total{report,status}`: every request that passed authentication, by outcome.
 * `reporter_reports_unavailable_total{report,reason}`: the 503s among them, by reason (deadline, busy, database).
 * `reporter_requests_unauthorized_total{reason}`: requests refused 401 (missing or invalid API key).
 */
@Injectable()
export class ReportMetrics {
  private readonly logger = new Logger(ReportMetrics.name);
  private readonly duration: Histogram<'report'>;
  private readonly generated: Counter<'report' | 'status'>;
  private readonly unavailable: Counter<'report' | 'reason'>;
  private readonly unauthorized: Counter<'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.duration = new Histogram({
      name: 'reporter_report_duration_seconds',
      help: 'Time to compute a report, by report.',
      labelNames: ['report'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    this.generated = new Counter({
      name: 'reporter_reports_generated_total',
      help: 'Report requests, by report and outcome (ok, bad_request, error).',
      labelNames: ['report', 'status'],
      registers: [registry],
    });
    this.unavailable = new Counter({
      name: 'reporter_reports_unavailable_total',
      help: 'Reports answered 503, by report and reason (deadline: cancelled at REPORT_STATEMENT_TIMEOUT_MS; busy: no place under REPORT_MAX_CONCURRENT; database: unreachable).',
      labelNames: ['report', 'reason'],
      registers: [registry],
    });
    this.unauthorized = new Counter({
      name: 'reporter_requests_unauthorized_total',
      help: 'Report requests refused 401, by reason (missing or invalid API key).',
      labelNames: ['reason'],
      registers: [registry],
    });
    // Every series exists from the start, so rates and alerts see zeros instead of gaps.
    for (const report of REPORT_NAMES) {
      this.duration.zero({ report });
      for (const status of REPORT_STATUSES) this.generated.inc({ report, status }, 0);
      for (const reason of UNAVAILABLE_REASONS) this.unavailable.inc({ report, reason }, 0);
    }
    for (const reason of UNAUTHENTICATED_REASONS) this.unauthorized.inc({ reason }, 0);
  }

  countUnauthorized(reason: UnauthenticatedReason): void {
    this.unauthorized.inc({ reason });
  }

  async measure<T>(report: ReportName, work: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    const elapsedSeconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await work();
      this.duration.observe({ report }, elapsedSeconds());
      this.generated.inc({ report, status: 'ok' });
      return result;
    } catch (error) {
      const reason = error instanceof ReportUnavailableError ? error.reason : undefined;
      if (reason !== undefined) this.unavailable.inc({ report, reason });
      if (error instanceof BadRequestException) {
        this.generated.inc({ report, status: 'bad_request' });
      } else if (reason === 'busy') {
        // Refused before any work: the request log line and the counters say enough, even in an overload.
        this.generated.inc({ report, status: 'error' });
      } else {
        this.duration.observe({ report }, elapsedSeconds());
        this.generated.inc({ report, status: 'error' });
        this.logger.error(`${report} report failed: ${describe(error)}`);
      }
      throw error;
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

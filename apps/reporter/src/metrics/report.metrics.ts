import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { METRICS_REGISTRY } from '@evp/observability';
import { Counter, Histogram, type Registry } from 'prom-client';

export const REPORT_NAMES = ['events', 'revenue', 'demographics'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_STATUSES = ['ok', 'bad_request', 'error'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Rollup-backed reports answer in milliseconds and demographics over large ranges in seconds: buckets span both. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * `reporter_report_duration_seconds{report}`: time to compute a report that reached the database (answered
 * or failed), not the instant 400s, which would only drag the latency figures down.
 * `reporter_reports_generated_total{report,status}`: every request, by outcome.
 */
@Injectable()
export class ReportMetrics {
  private readonly logger = new Logger(ReportMetrics.name);
  private readonly duration: Histogram<'report'>;
  private readonly generated: Counter<'report' | 'status'>;

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
    // Every series exists from the start, so rates and alerts see zeros instead of gaps.
    for (const report of REPORT_NAMES) {
      this.duration.zero({ report });
      for (const status of REPORT_STATUSES) this.generated.inc({ report, status }, 0);
    }
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
      if (error instanceof BadRequestException) {
        this.generated.inc({ report, status: 'bad_request' });
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

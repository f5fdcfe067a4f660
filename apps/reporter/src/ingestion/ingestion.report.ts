import { Injectable } from '@nestjs/common';
import { INGESTION_REFUSAL_REASONS } from '@evp/contracts';
import { type Span, eventBreakdownRows, ingestionReportRows, splitRange } from '@evp/database';
import { ReportReader } from '../query/report.reader';
import { toIso } from '../query/report-filters.schema';
import { assertEdgesRetained } from '../query/retention-horizon';
import { type IngestionQuery, type IngestionReport as IngestionReportBody } from './ingestion-report.schema';

/**
 * `GET /reports/ingestion`: what became of what senders sent, from the per-minute ingestion counts the collectors
 * fold from the gateway's records (accepted, dead-lettered by reason, throttled) and the event count rollups (stored).
 */
@Injectable()
export class IngestionReport {
  constructor(private readonly reader: ReportReader) {}

  generate(query: IngestionQuery): Promise<IngestionReportBody> {
    const range: Span = { from: query.from, to: query.to };
    return this.reader.snapshot(
      async (run) => {
        await assertEdgesRetained(run, range, splitRange(range));
        const [ingestion, stored] = await Promise.all([
          ingestionReportRows(run, range, query.source),
          eventBreakdownRows(run, range, { source: query.source }),
        ]);
        const total = (outcome: string) =>
          ingestion.filter((row) => row.outcome === outcome).reduce((sum, row) => sum + Number(row.count), 0);
        const byReason = new Map<string, number>(INGESTION_REFUSAL_REASONS.map((reason) => [reason, 0]));
        for (const row of ingestion) {
          if (row.outcome === 'dead_lettered')
            byReason.set(row.reason, (byReason.get(row.reason) ?? 0) + Number(row.count));
        }
        return {
          filters: { from: toIso(query.from), to: toIso(query.to), source: query.source },
          accepted: total('accepted'),
          stored: stored.reduce((sum, row) => sum + Number(row.count), 0),
          deadLettered: {
            total: total('dead_lettered'),
            byReason: [...byReason].map(([reason, count]) => ({ reason, count })),
          },
          throttled: { requests: total('throttled') },
        };
      },
      { parallelWorkers: false },
    );
  }
}

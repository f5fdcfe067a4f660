import { Inject, Injectable } from '@nestjs/common';
import { SOURCES, type Source } from '@evp/contracts';
import { DAY_MS, type Span, revenueRows, splitRange } from '@evp/database';
import { averageMoney, centsToMoney, decimalToCents } from '../query/money';
import { ReportReader } from '../query/report.reader';
import { toIso } from '../query/report-filters.schema';
import { assertEdgesRetained } from '../query/retention-horizon';
import { type ReporterConfig } from '../reporter.config';
import { REPORTER_CONFIG } from '../reporter.constants';
import { type RevenueQuery, type RevenueReport as RevenueReportBody } from './revenue-report.schema';

/**
 * `GET /reports/revenue`: revenue of transactional events (Facebook checkout.complete, TikTok purchase, with an
 * amount) from the revenue rollups and the raw edges of the range. Sums stay exact decimals end to end.
 */
@Injectable()
export class RevenueReport {
  constructor(
    private readonly reader: ReportReader,
    @Inject(REPORTER_CONFIG) private readonly config: ReporterConfig,
  ) {}

  generate(query: RevenueQuery): Promise<RevenueReportBody> {
    // A campaign id exists on Facebook events only.
    const source: Source | undefined = query.campaignId === undefined ? query.source : 'facebook';
    const range: Span = { from: query.from, to: query.to };
    const split = splitRange(range);

    return this.reader.snapshot(
      async (run) => {
        await assertEdgesRetained(run, range, split);
        const rows = await revenueRows(
          run,
          range,
          { source, campaignId: query.campaignId },
          this.config.REPORT_TOP_CAMPAIGNS,
        );
        const bySourceRows = rows.filter((row) => row.kind === 'source');
        const campaignRows = rows.filter((row) => row.kind === 'campaign');

        const stored = new Map(bySourceRows.map((row) => [row.key, row]));
        const bySource = SOURCES.filter((candidate) => source === undefined || candidate === source).map(
          (candidate) => {
            const row = stored.get(candidate);
            return {
              source: candidate,
              cents: row ? decimalToCents(row.revenue) : 0n,
              transactions: row ? Number(row.transactions) : 0,
            };
          },
        );
        const totalCents = bySource.reduce((sum, line) => sum + line.cents, 0n);
        const transactions = bySource.reduce((sum, line) => sum + line.transactions, 0);
        return {
          filters: { from: toIso(query.from), to: toIso(query.to), source: query.source, campaignId: query.campaignId },
          totalRevenue: centsToMoney(totalCents),
          transactions,
          averageOrderValue: averageMoney(totalCents, transactions),
          bySource: bySource.map((line) => ({
            source: line.source,
            revenue: centsToMoney(line.cents),
            transactions: line.transactions,
          })),
          topCampaigns: campaignRows.map((row) => ({
            campaignId: row.key,
            revenue: centsToMoney(decimalToCents(row.revenue)),
            transactions: Number(row.transactions),
          })),
        };
      },
      { parallelWorkers: spansManyHours(split.hour) },
    );
  }
}

const PARALLEL_MIN_SPAN_MS = 7 * DAY_MS;

/**
 * The hour rollup holds a row per hour and campaign, so a long range reads enough rows for parallel workers to pay
 * for their start-up; a short one reads a few hundred and is faster without them.
 */
function spansManyHours(hours: readonly Span[]): boolean {
  return hours.some(({ from, to }) => from === undefined || to === undefined || to - from >= PARALLEL_MIN_SPAN_MS);
}

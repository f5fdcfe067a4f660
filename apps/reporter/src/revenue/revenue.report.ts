import { Inject, Injectable } from '@nestjs/common';
import { SOURCES, type Source } from '@evp/contracts';
import { Prisma, TRANSACTIONAL_PREDICATE } from '@evp/database';
import { averageMoney, centsToMoney, decimalToCents } from '../query/money';
import { ReportReader } from '../query/report.reader';
import { toIso } from '../query/report-filters.schema';
import { tieredUnion } from '../query/tiered.sql';
import { assertEdgesRetained } from '../query/retention-horizon';
import { DAY_MS, type Span, splitRange } from '../query/time-range.split';
import { type ReporterConfig } from '../reporter.config';
import { REPORTER_CONFIG } from '../reporter.constants';
import { type RevenueQuery, type RevenueReport as RevenueReportBody } from './revenue-report.schema';

interface RevenueRow {
  kind: 'source' | 'campaign';
  key: string;
  revenue: string;
  transactions: string;
}

const revenueTables = { minute: Prisma.raw('revenue_minute'), hour: Prisma.raw('revenue_hour') };

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
    const filters = [
      ...(source === undefined ? [] : [Prisma.sql`source = ${source}`]),
      ...(query.campaignId === undefined ? [] : [Prisma.sql`campaign_id = ${query.campaignId}`]),
    ];
    const split = splitRange(range);
    const tiers = tieredUnion(
      split,
      {
        rollup: (unit, where) =>
          Prisma.sql`SELECT source, campaign_id, revenue, transactions FROM ${revenueTables[unit]} WHERE ${where}`,
        raw: (where) => Prisma.sql`
          SELECT source, coalesce(campaign_id, '') AS campaign_id, purchase_amount AS revenue, 1 AS transactions
          FROM events WHERE ${Prisma.raw(TRANSACTIONAL_PREDICATE)} AND ${where}`,
      },
      filters,
    );

    return this.reader.snapshot(
      async (run) => {
        await assertEdgesRetained(run, range, split);
        // One aggregation over the tiers (a plain GROUP BY, which PostgreSQL can run in parallel) feeds both the
        // per-source totals and the campaign ranking.
        const rows = await run<RevenueRow>(Prisma.sql`
        WITH campaigns AS (
          SELECT source, campaign_id, sum(revenue) AS amount, sum(transactions) AS sales
          FROM (${tiers}) AS tiers GROUP BY source, campaign_id
        )
        SELECT 'source' AS kind, source AS key, sum(amount)::text AS revenue, sum(sales)::int8 AS transactions
        FROM campaigns GROUP BY source
        UNION ALL (
          -- Qualified: the unqualified names would mean the text output columns.
          SELECT 'campaign', campaign_id, amount::text, sales::int8 FROM campaigns
          WHERE source = 'facebook'
          ORDER BY campaigns.amount DESC, campaigns.campaign_id COLLATE "C" LIMIT ${this.config.REPORT_TOP_CAMPAIGNS}
        )`);
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

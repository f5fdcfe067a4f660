import { type Source } from '@evp/contracts';
import { Prisma } from '../../generated/prisma/client';
import { TRANSACTIONAL_PREDICATE } from '../../rollups/rollup.sql';
import { type ReportQuery } from '../shared/report.query';
import { tieredUnion } from '../shared/tiered.sql';
import { type Span, splitRange } from '../shared/time-range.split';

/** The revenue report's filters; each one given narrows the whole statement. */
export interface RevenueFilters {
  source?: Source | undefined;
  /** A Facebook campaign id (stored `''` for none). */
  campaignId?: string | undefined;
}

/** A source's totals (`kind` source, `key` the source) or one of the top Facebook campaigns (`key` its id). */
export interface RevenueRow {
  kind: 'source' | 'campaign';
  key: string;
  /** Exact numeric, as text. */
  revenue: string;
  /** int8, as a string. */
  transactions: string;
}

const revenueTables = { minute: Prisma.raw('revenue_minute'), hour: Prisma.raw('revenue_hour') };

/**
 * Revenue of transactional events (Facebook checkout.complete, TikTok purchase, with an amount) from the revenue
 * rollups and the raw edges of the range: a row per source with any, then the top `topCampaigns` Facebook campaigns
 * by revenue (ties by campaign id in byte order). Sums stay exact decimals.
 */
export function revenueRows(
  run: ReportQuery,
  range: Span,
  filters: RevenueFilters,
  topCampaigns: number,
): Promise<RevenueRow[]> {
  const tiers = tieredUnion(
    splitRange(range),
    {
      rollup: (unit, where) =>
        Prisma.sql`SELECT source, campaign_id, revenue, transactions FROM ${revenueTables[unit]} WHERE ${where}`,
      raw: (where) => Prisma.sql`
          SELECT source, coalesce(campaign_id, '') AS campaign_id, purchase_amount AS revenue, 1 AS transactions
          FROM events WHERE ${Prisma.raw(TRANSACTIONAL_PREDICATE)} AND ${where}`,
    },
    [
      ...(filters.source === undefined ? [] : [Prisma.sql`source = ${filters.source}`]),
      ...(filters.campaignId === undefined ? [] : [Prisma.sql`campaign_id = ${filters.campaignId}`]),
    ],
  );
  // One aggregation over the tiers (a plain GROUP BY, which PostgreSQL can run in parallel) feeds both the
  // per-source totals and the campaign ranking.
  return run<RevenueRow>(Prisma.sql`
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
          ORDER BY campaigns.amount DESC, campaigns.campaign_id COLLATE "C" LIMIT ${topCampaigns}
        )`);
}

import type { Pool } from 'pg';

export interface RollupSnapshot {
  countsMinute: string[];
  countsHour: string[];
  revenueMinute: string[];
  revenueHour: string[];
}

/** The rollup tables as sorted text lines, for comparisons that show exactly which bucket differs. */
export async function readRollups(pool: Pool): Promise<RollupSnapshot> {
  const lines = async (sql: string) => (await pool.query<{ line: string }>(sql)).rows.map((row) => row.line);
  return {
    countsMinute: await lines(`SELECT concat_ws('|', bucket, source, funnel_stage, event_type, events) AS line FROM event_counts_minute ORDER BY 1`),
    countsHour: await lines(`SELECT concat_ws('|', bucket, source, funnel_stage, event_type, events) AS line FROM event_counts_hour ORDER BY 1`),
    revenueMinute: await lines(`SELECT concat_ws('|', bucket, source, campaign_id, revenue, transactions) AS line FROM revenue_minute ORDER BY 1`),
    revenueHour: await lines(`SELECT concat_ws('|', bucket, source, campaign_id, revenue, transactions) AS line FROM revenue_hour ORDER BY 1`),
  };
}

/**
 * What the rollups must hold, counted independently from the rows of `events` (written out here rather than
 * reusing the library's SQL, so a wrong formula there cannot agree with itself).
 */
export async function expectedRollups(pool: Pool): Promise<RollupSnapshot> {
  const counts = (unit: string) =>
    `SELECT concat_ws('|', date_trunc('${unit}', occurred_at, 'UTC'), source, funnel_stage, event_type, count(*)) AS line
     FROM events GROUP BY date_trunc('${unit}', occurred_at, 'UTC'), source, funnel_stage, event_type ORDER BY 1`;
  const revenue = (unit: string) =>
    `SELECT concat_ws('|', date_trunc('${unit}', occurred_at, 'UTC'), source, coalesce(campaign_id, ''), sum(purchase_amount), count(*)) AS line
     FROM events
     WHERE purchase_amount IS NOT NULL
       AND ((source = 'facebook' AND event_type = 'checkout.complete') OR (source = 'tiktok' AND event_type = 'purchase'))
     GROUP BY date_trunc('${unit}', occurred_at, 'UTC'), source, coalesce(campaign_id, '') ORDER BY 1`;
  const lines = async (sql: string) => (await pool.query<{ line: string }>(sql)).rows.map((row) => row.line);
  return {
    countsMinute: await lines(counts('minute')),
    countsHour: await lines(counts('hour')),
    revenueMinute: await lines(revenue('minute')),
    revenueHour: await lines(revenue('hour')),
  };
}

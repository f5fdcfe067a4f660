import { SOURCES, TRANSACTIONAL_EVENT_TYPES } from '@evp/contracts';

/** Granularities of the rollup tables: `event_counts_<unit>` and `revenue_<unit>`. */
export const ROLLUP_UNITS = ['minute', 'hour'] as const;
export type RollupUnit = (typeof ROLLUP_UNITS)[number];

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Which rows carry revenue: the transactional event type of their source, with an amount. Built from the
 * contract's constants (not user input), and identical to the predicate of the partial revenue index.
 */
export const TRANSACTIONAL_PREDICATE = `purchase_amount IS NOT NULL AND (${SOURCES.map(
  (source) => `(source = ${literal(source)} AND event_type = ${literal(TRANSACTIONAL_EVENT_TYPES[source])})`,
).join(' OR ')})`;

/**
 * Common table expressions that add the rows of `relation` (columns as in `events`) to every rollup table, for a
 * `WITH` list. Buckets are `date_trunc(unit, occurred_at, 'UTC')`. The rows are grouped by minute once and the
 * hours summed from those minute groups, so each statement scans `relation` twice, not four times. Each key
 * appears once per upsert (GROUP BY) and keys are taken in one order (ORDER BY), so concurrent writers lock
 * rollup rows in the same order and cannot deadlock each other. The batch writer and the refresher share
 * them, so the rollups always follow one formula.
 */
export function rollupCtes(relation: string): string {
  return `rollup_counts AS (
  SELECT date_trunc('minute', occurred_at, 'UTC') AS bucket, source, funnel_stage, event_type, count(*) AS events
  FROM ${relation}
  GROUP BY 1, 2, 3, 4
),
rollup_revenue AS (
  SELECT date_trunc('minute', occurred_at, 'UTC') AS bucket, source, coalesce(campaign_id, '') AS campaign_id,
    sum(purchase_amount) AS revenue, count(*) AS transactions
  FROM ${relation}
  WHERE ${TRANSACTIONAL_PREDICATE}
  GROUP BY 1, 2, 3
),
${ROLLUP_UNITS.map(
  (unit) => `upsert_event_counts_${unit} AS (
  INSERT INTO event_counts_${unit} AS t (bucket, source, funnel_stage, event_type, events)
  SELECT date_trunc(${literal(unit)}, bucket, 'UTC'), source, funnel_stage, event_type, sum(events)::bigint
  FROM rollup_counts
  GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (bucket, source, funnel_stage, event_type) DO UPDATE SET events = t.events + EXCLUDED.events
),
upsert_revenue_${unit} AS (
  INSERT INTO revenue_${unit} AS t (bucket, source, campaign_id, revenue, transactions)
  SELECT date_trunc(${literal(unit)}, bucket, 'UTC'), source, campaign_id, sum(revenue), sum(transactions)::bigint
  FROM rollup_revenue
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (bucket, source, campaign_id)
    DO UPDATE SET revenue = t.revenue + EXCLUDED.revenue, transactions = t.transactions + EXCLUDED.transactions
)`,
).join(',\n')}`;
}

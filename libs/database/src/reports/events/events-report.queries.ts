import { type FunnelStage, type Source } from '@evp/contracts';
import { Prisma } from '../../generated/prisma/client';
import { type ReportQuery } from '../shared/report.query';
import { EVENT_COUNT_TABLES, tieredUnion } from '../shared/tiered.sql';
import { type Span, splitRange } from '../shared/time-range.split';

/** The events report's filters; each one given narrows every statement. */
export interface EventFilters {
  source?: Source | undefined;
  funnelStage?: FunnelStage | undefined;
  eventType?: string | undefined;
}

/** UTC buckets of an events series. */
export type EventSeriesInterval = 'minute' | 'hour' | 'day';

/** Events stored per (source, funnel stage, event type) with any in the range. */
export interface EventBreakdownRow {
  source: string;
  funnel_stage: string;
  event_type: string;
  /** int8, as a string. */
  count: string;
}

/** Events stored per UTC bucket with any in the range. */
export interface EventSeriesRow {
  /** Start of the bucket, epoch milliseconds as an int8 string. */
  bucket_ms: string;
  /** int8, as a string. */
  count: string;
}

/** Starts of the first and the last minute holding any event (NULL when none is stored), epoch ms as int8 strings. */
export interface EventExtentRow {
  first_ms: string | null;
  last_ms: string | null;
}

function filterConditions(filters: EventFilters): Prisma.Sql[] {
  return [
    ...(filters.source === undefined ? [] : [Prisma.sql`source = ${filters.source}`]),
    ...(filters.funnelStage === undefined ? [] : [Prisma.sql`funnel_stage = ${filters.funnelStage}`]),
    ...(filters.eventType === undefined ? [] : [Prisma.sql`event_type = ${filters.eventType}`]),
  ];
}

/** Counts by (source, funnel stage, event type), summed over the count rollups and the raw edges of the range. */
export function eventBreakdownRows(run: ReportQuery, range: Span, filters: EventFilters): Promise<EventBreakdownRow[]> {
  const tiers = tieredUnion(
    splitRange(range),
    {
      rollup: (unit, where) =>
        Prisma.sql`SELECT source, funnel_stage, event_type, events AS n FROM ${EVENT_COUNT_TABLES[unit]} WHERE ${where}`,
      raw: (where) =>
        Prisma.sql`SELECT source, funnel_stage, event_type, count(*) AS n FROM events WHERE ${where} GROUP BY 1, 2, 3`,
    },
    filterConditions(filters),
  );
  return run<EventBreakdownRow>(
    Prisma.sql`SELECT source, funnel_stage, event_type, sum(n)::int8 AS count FROM (${tiers}) AS tiers GROUP BY 1, 2, 3`,
  );
}

/** Counts per UTC bucket of `interval`; a minute series reads the minute rollup, never the hour one. */
export function eventSeriesRows(
  run: ReportQuery,
  interval: EventSeriesInterval,
  range: Span,
  filters: EventFilters,
): Promise<EventSeriesRow[]> {
  const unit = Prisma.sql`${interval}::text`;
  const tiers = tieredUnion(
    splitRange(range, interval === 'minute' ? 'minute' : 'hour'),
    {
      rollup: (table, where) =>
        Prisma.sql`SELECT date_trunc(${unit}, bucket, 'UTC') AS b, events AS n FROM ${EVENT_COUNT_TABLES[table]} WHERE ${where}`,
      raw: (where) =>
        Prisma.sql`SELECT date_trunc(${unit}, occurred_at, 'UTC') AS b, count(*) AS n FROM events WHERE ${where} GROUP BY 1`,
    },
    filterConditions(filters),
  );
  return run<EventSeriesRow>(
    Prisma.sql`SELECT (extract(epoch FROM b) * 1000)::int8 AS bucket_ms, sum(n)::int8 AS count FROM (${tiers}) AS tiers GROUP BY b`,
  );
}

/** The minutes of the first and the last stored event, from the minute rollup: where an open-ended series ends. */
export async function eventExtent(run: ReportQuery): Promise<EventExtentRow | undefined> {
  const [extent] = await run<EventExtentRow>(Prisma.sql`
        SELECT (extract(epoch FROM min(bucket)) * 1000)::int8 AS first_ms, (extract(epoch FROM max(bucket)) * 1000)::int8 AS last_ms
        FROM event_counts_minute`);
  return extent;
}

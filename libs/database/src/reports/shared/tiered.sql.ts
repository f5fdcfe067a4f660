import { Prisma } from '../../generated/prisma/client';
import { type RollupUnit } from '../../rollups/rollup.sql';
import { allOf, unionAll, withinSpans } from './range.sql';
import { type RangeTiers } from './time-range.split';

/** How one report reads each tier; `where` already holds the tier's time condition and the report's filters. */
export interface TierBranches {
  rollup: (unit: RollupUnit, where: Prisma.Sql) => Prisma.Sql;
  raw: (where: Prisma.Sql) => Prisma.Sql;
}

/** The rollup tables of event counts, per unit. */
export const EVENT_COUNT_TABLES: Record<RollupUnit, Prisma.Sql> = {
  minute: Prisma.raw('event_counts_minute'),
  hour: Prisma.raw('event_counts_hour'),
};

/**
 * The report's rows from every tier of the range, as one UNION ALL: whole hours from the hour rollup, whole
 * minutes from the minute rollup, sub-minute edges from `events` (by its `occurred_at` index). The tiers are
 * disjoint, so summing the union is exact.
 */
export function tieredUnion(tiers: RangeTiers, branches: TierBranches, filters: readonly Prisma.Sql[]): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (tiers.hour.length > 0)
    parts.push(branches.rollup('hour', allOf([withinSpans('bucket', tiers.hour), ...filters])));
  if (tiers.minute.length > 0)
    parts.push(branches.rollup('minute', allOf([withinSpans('bucket', tiers.minute), ...filters])));
  if (tiers.raw.length > 0) parts.push(branches.raw(allOf([withinSpans('occurred_at', tiers.raw), ...filters])));
  return parts.length === 0 ? branches.raw(Prisma.sql`FALSE`) : unionAll(parts);
}

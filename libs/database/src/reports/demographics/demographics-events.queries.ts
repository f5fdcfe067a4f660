import { type Source } from '@evp/contracts';
import { Prisma } from '../../generated/prisma/client';
import { type ReportQuery } from '../shared/report.query';
import { EVENT_COUNT_TABLES, tieredUnion } from '../shared/tiered.sql';
import { type Span, splitRange } from '../shared/time-range.split';

/** Events stored of a source with any in the range. */
export interface SourceEventsRow {
  source: string;
  /** int8, as a string. */
  events: string;
}

/** Events per source in the range (only `source` when given), from the count rollups and the raw edges. */
export function eventsPerSource(run: ReportQuery, range: Span, source: Source | undefined): Promise<SourceEventsRow[]> {
  const tiers = tieredUnion(
    splitRange(range),
    {
      rollup: (unit, where) => Prisma.sql`SELECT source, events AS n FROM ${EVENT_COUNT_TABLES[unit]} WHERE ${where}`,
      raw: (where) => Prisma.sql`SELECT source, count(*) AS n FROM events WHERE ${where} GROUP BY source`,
    },
    source === undefined ? [] : [Prisma.sql`source = ${source}`],
  );
  return run<SourceEventsRow>(
    Prisma.sql`SELECT source, sum(n)::int8 AS events FROM (${tiers}) AS tiers GROUP BY source`,
  );
}

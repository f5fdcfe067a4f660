import { type Source } from '@evp/contracts';
import { Prisma } from '../../generated/prisma/client';
import { withinSpans } from '../shared/range.sql';
import { type ReportQuery } from '../shared/report.query';
import { type Span } from '../shared/time-range.split';

/** Ingestion counts per (source, outcome, reason) with any in the range. */
export interface IngestionReportRow {
  source: string;
  outcome: string;
  reason: string;
  /** int8, as a string. */
  count: string;
}

/**
 * Sums of the ingestion minutes whose start lies in the range. With `source`, only that source's counts, and the
 * throttled requests of every sender (a throttled request's body is not read, so its source is unknown).
 */
export function ingestionReportRows(run: ReportQuery, range: Span, source?: Source): Promise<IngestionReportRow[]> {
  const bySource = source === undefined ? Prisma.sql`TRUE` : Prisma.sql`(source = ${source} OR outcome = 'throttled')`;
  return run<IngestionReportRow>(Prisma.sql`
        SELECT source, outcome, reason, sum(count)::int8 AS count
        FROM ingestion_counts_minute
        WHERE ${withinSpans('bucket', [range])} AND ${bySource}
        GROUP BY 1, 2, 3`);
}

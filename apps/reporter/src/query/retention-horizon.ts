import { type RangeTiers, type ReportQuery, type Span, retentionHorizon } from '@evp/database';
import { InvalidReportQueryError } from './report-query.error';

/**
 * Whole minutes and hours come from the rollups, kept for good; only the sub-minute edges of a range read stored
 * events. An edge before the retention horizon would silently count nothing, so the range is refused instead.
 */
export async function assertEdgesRetained(run: ReportQuery, range: Span, tiers: RangeTiers): Promise<void> {
  if (tiers.raw.length === 0) return;
  const horizon = await retentionHorizon(run, 'events');
  const lost = horizon === undefined ? undefined : tiers.raw.find((span) => (span.from ?? -Infinity) < horizon);
  if (horizon === undefined || lost === undefined) return;
  const kept = new Date(horizon).toISOString();
  throw new InvalidReportQueryError([
    {
      parameter: lost.from === range.from ? 'from' : 'to',
      message: `events before ${kept} are past their retention, and only whole minutes of them are kept: give from and to in whole minutes before ${kept}`,
    },
  ]);
}

/**
 * Demographics of a bounded range counts users from the stored events' chains, which retention drops: a range
 * reaching before the horizon is refused rather than answered short. All time (neither from nor to) stays exact.
 */
export async function assertUsersRetained(run: ReportQuery, range: Span): Promise<void> {
  const horizon = await retentionHorizon(run, 'demographic_events');
  if (horizon === undefined || (range.from !== undefined && range.from >= horizon)) return;
  const kept = new Date(horizon).toISOString();
  throw new InvalidReportQueryError([
    {
      parameter: 'from',
      message: `users are kept per event from ${kept} on (EVENTS_RETENTION_DAYS): give from at or after ${kept}, or neither from nor to for all time`,
    },
  ]);
}

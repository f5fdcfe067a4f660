export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Half-open interval `[from, to)` in epoch milliseconds; a missing side is unbounded. */
export interface Span {
  from?: number;
  to?: number;
}

/**
 * Where each part of a report range is answered from. The pieces are disjoint and together cover the
 * range exactly: whole hours from the hour rollup, whole minutes from the minute rollup, and the
 * sub-minute edges from the raw events, so a sum over the three is exact for any instants.
 */
export interface RangeTiers {
  hour: Span[];
  minute: Span[];
  raw: Span[];
}

/** The coarsest rollup a query may read: `minute` when the answer needs minute resolution (a minute series). */
export type CoarsestRollup = 'hour' | 'minute';

const floorTo = (instant: number, unit: number) => Math.floor(instant / unit) * unit;
const ceilTo = (instant: number, unit: number) => Math.ceil(instant / unit) * unit;

/** Splits `[from, to)` into rollup tiers; buckets are UTC-aligned, like the rollups' `date_trunc(unit, occurred_at, 'UTC')`. */
export function splitRange(range: Span, coarsest: CoarsestRollup = 'hour'): RangeTiers {
  const { from, to } = range;
  const innerFrom = from === undefined ? undefined : ceilTo(from, MINUTE_MS);
  const innerTo = to === undefined ? undefined : floorTo(to, MINUTE_MS);
  if (innerFrom !== undefined && innerTo !== undefined && innerFrom >= innerTo) {
    return { hour: [], minute: [], raw: from !== undefined && to !== undefined && from >= to ? [] : [{ from, to }] };
  }

  const raw: Span[] = [];
  if (from !== undefined && innerFrom !== undefined && from < innerFrom) raw.push({ from, to: innerFrom });
  if (to !== undefined && innerTo !== undefined && innerTo < to) raw.push({ from: innerTo, to });
  if (coarsest === 'minute') return { hour: [], minute: [{ from: innerFrom, to: innerTo }], raw };

  const hourFrom = innerFrom === undefined ? undefined : ceilTo(innerFrom, HOUR_MS);
  const hourTo = innerTo === undefined ? undefined : floorTo(innerTo, HOUR_MS);
  if (hourFrom !== undefined && hourTo !== undefined && hourFrom >= hourTo) {
    return { hour: [], minute: [{ from: innerFrom, to: innerTo }], raw };
  }
  const minute: Span[] = [];
  if (innerFrom !== undefined && hourFrom !== undefined && innerFrom < hourFrom)
    minute.push({ from: innerFrom, to: hourFrom });
  if (innerTo !== undefined && hourTo !== undefined && hourTo < innerTo) minute.push({ from: hourTo, to: innerTo });
  return { hour: [{ from: hourFrom, to: hourTo }], minute, raw };
}

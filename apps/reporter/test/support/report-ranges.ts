import { Random } from '@evp/synthetic';
import { BOUNDARY_INSTANTS, DAY, HOUR, MINUTE, T0 } from './report-dataset';
import { type RangeQuery } from './expected-reports';

/**
 * Ranges to check every report over: open ones, ones on bucket boundaries, ones cutting minutes and hours, one
 * inside a single minute, one with no events, and seeded random ones between boundary instants.
 */
export function reportRanges(): RangeQuery[] {
  const random = new Random(42);
  const fixed: RangeQuery[] = [
    {},
    { from: T0 },
    { to: T0 + DAY },
    { from: T0 + 10 * MINUTE + 30_000, to: T0 + 3 * HOUR + 5 * MINUTE + 1 },
    { from: T0, to: T0 + HOUR },
    { from: T0 + HOUR - 1, to: T0 + HOUR + 1 },
    { from: T0 + 1, to: T0 + MINUTE - 1 },
    { from: T0 + DAY - 1, to: T0 + DAY + 59 * MINUTE + 59_999 },
    { from: T0 - 3 * HOUR, to: T0 + 3 * DAY },
    { from: T0 + 5 * DAY, to: T0 + 6 * DAY },
  ];
  const randomRanges = Array.from({ length: 8 }, () => {
    const a = random.chance(0.5) ? random.pick(BOUNDARY_INSTANTS) : T0 - 2 * HOUR + random.int(0, 2 * DAY);
    const b = random.chance(0.5) ? random.pick(BOUNDARY_INSTANTS) : T0 - 2 * HOUR + random.int(0, 2 * DAY);
    return a === b ? { from: a, to: a + 1 } : { from: Math.min(a, b), to: Math.max(a, b) };
  });
  return [...fixed, ...randomRanges];
}

export const describeRange = ({ from, to }: RangeQuery) =>
  `[${from === undefined ? '-∞' : new Date(from).toISOString()}, ${to === undefined ? '∞' : new Date(to).toISOString()})`;

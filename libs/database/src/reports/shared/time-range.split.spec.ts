import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CoarsestRollup, HOUR_MS, MINUTE_MS, type Span, splitRange } from './time-range.split';

const T0 = Date.UTC(2026, 0, 1);

/** Instants near hour and minute boundaries are where splitting goes wrong, so most samples land there. */
const instant = fc.oneof(
  fc.integer({ min: 0, max: 3 * 24 * 60 }).map((minutes) => T0 + minutes * MINUTE_MS),
  fc.integer({ min: 0, max: 72 }).map((hours) => T0 + hours * HOUR_MS),
  fc.integer({ min: 0, max: 3 * 24 * HOUR_MS }).map((offset) => T0 + offset),
  fc
    .integer({ min: -3, max: 3 })
    .chain((hour) => fc.integer({ min: -2, max: 2 }).map((ms) => T0 + 24 * HOUR_MS + hour * HOUR_MS + ms)),
);

const inside = (span: Span, at: number) =>
  (span.from === undefined || at >= span.from) && (span.to === undefined || at < span.to);
const allSpans = (tiers: ReturnType<typeof splitRange>) => [...tiers.hour, ...tiers.minute, ...tiers.raw];
const isMultiple = (value: number | undefined, unit: number) => value === undefined || value % unit === 0;

describe('splitRange', () => {
  describe('when given any range', () => {
    it('should cover every instant of the range exactly once and nothing outside it', () => {
      fc.assert(
        fc.property(
          fc.option(instant, { nil: undefined }),
          fc.option(instant, { nil: undefined }),
          instant,
          fc.constantFrom<CoarsestRollup>('hour', 'minute'),
          (from, to, probe, coarsest) => {
            fc.pre(from === undefined || to === undefined || from < to);
            const range = { from, to };
            const spans = allSpans(splitRange(range, coarsest));
            for (const at of [probe, probe - 1, from ?? probe, (to ?? probe + 1) - 1, to ?? probe]) {
              expect(spans.filter((span) => inside(span, at)).length).toBe(inside(range, at) ? 1 : 0);
            }
          },
        ),
        { numRuns: 500 },
      );
    });

    it('should give the rollups only whole buckets and the raw events less than a minute at each edge', () => {
      fc.assert(
        fc.property(instant, instant, (a, b) => {
          fc.pre(a !== b);
          const tiers = splitRange({ from: Math.min(a, b), to: Math.max(a, b) });
          for (const span of tiers.hour)
            expect(isMultiple(span.from, HOUR_MS) && isMultiple(span.to, HOUR_MS)).toBe(true);
          for (const span of tiers.minute)
            expect(isMultiple(span.from, MINUTE_MS) && isMultiple(span.to, MINUTE_MS)).toBe(true);
          for (const span of tiers.raw) expect(span.to! - span.from!).toBeLessThan(MINUTE_MS);
          expect(tiers.raw.length).toBeLessThanOrEqual(2);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('when the range is unbounded', () => {
    it('should read everything from the hour rollup', () => {
      expect(splitRange({})).toEqual({ hour: [{ from: undefined, to: undefined }], minute: [], raw: [] });
    });
  });

  describe('when the range cuts minutes and hours', () => {
    it('should read whole hours, then whole minutes, then sub-minute edges', () => {
      const from = T0 + 10 * MINUTE_MS + 30_000;
      const to = T0 + 3 * HOUR_MS + 5 * MINUTE_MS + 1;
      expect(splitRange({ from, to })).toEqual({
        hour: [{ from: T0 + HOUR_MS, to: T0 + 3 * HOUR_MS }],
        minute: [
          { from: T0 + 11 * MINUTE_MS, to: T0 + HOUR_MS },
          { from: T0 + 3 * HOUR_MS, to: T0 + 3 * HOUR_MS + 5 * MINUTE_MS },
        ],
        raw: [
          { from, to: T0 + 11 * MINUTE_MS },
          { from: T0 + 3 * HOUR_MS + 5 * MINUTE_MS, to },
        ],
      });
    });
  });

  describe('when the range lies inside one minute', () => {
    it('should read only raw events', () => {
      expect(splitRange({ from: T0 + 1_000, to: T0 + 2_000 })).toEqual({
        hour: [],
        minute: [],
        raw: [{ from: T0 + 1_000, to: T0 + 2_000 }],
      });
    });
  });

  describe('when a minute series needs minute resolution', () => {
    it('should not use the hour rollup', () => {
      expect(splitRange({ from: T0, to: T0 + 5 * HOUR_MS }, 'minute')).toEqual({
        hour: [],
        minute: [{ from: T0, to: T0 + 5 * HOUR_MS }],
        raw: [],
      });
    });
  });
});

import { describe, expect, it } from 'vitest';
import { histogramDifference, histogramOf, histogramQuantile, histogramQuantiles } from './histogram.window';
import { parsePrometheusText } from './prometheus.scrape';

const exposition = (fb: number[], ttk: number[]) =>
  parsePrometheusText(
    [0.5, 1, 2, '+Inf']
      .flatMap((le, index) => [
        `h_bucket{source="facebook",lane="live",le="${le}"} ${fb[index]}`,
        `h_bucket{source="tiktok",lane="live",le="${le}"} ${ttk[index]}`,
      ])
      .concat([
        `h_count{source="facebook",lane="live"} ${fb[3]}`,
        `h_count{source="tiktok",lane="live"} ${ttk[3]}`,
        `h_sum{source="facebook",lane="live"} 10`,
        `h_sum{source="tiktok",lane="live"} 5`,
      ])
      .join('\n'),
  );

describe(histogramOf, () => {
  describe('when several series match', () => {
    it('should add them up bucket by bucket', () => {
      expect(histogramOf(exposition([1, 2, 3, 4], [10, 20, 30, 40]), 'h', { lane: 'live' })).toEqual({
        buckets: [
          { le: 0.5, count: 11 },
          { le: 1, count: 22 },
          { le: 2, count: 33 },
          { le: Infinity, count: 44 },
        ],
        count: 44,
        sum: 15,
      });
    });
  });
});

describe(histogramQuantile, () => {
  describe('when the observations of a run are the difference of two scrapes', () => {
    it('should interpolate within the bucket as Prometheus does', () => {
      const start = histogramOf(exposition([0, 0, 0, 0], [100, 100, 100, 100]), 'h');
      const end = histogramOf(exposition([50, 90, 100, 100], [100, 100, 100, 100]), 'h');
      const run = histogramDifference(end, start);

      expect(run.count).toBe(100);
      expect(histogramQuantile(run, 0.5)).toBe(0.5);
      expect(histogramQuantile(run, 0.7)).toBeCloseTo(0.75);
      expect(histogramQuantile(run, 0.95)).toBeCloseTo(1.5);
    });
  });

  describe('when the quantile falls past the last finite bound', () => {
    it('should answer that bound', () => {
      const run = histogramOf(exposition([0, 0, 50, 100], [0, 0, 0, 0]), 'h');
      expect(histogramQuantile(run, 0.99)).toBe(2);
    });
  });

  describe('when nothing was observed', () => {
    it('should answer no quantile', () => {
      const none = histogramOf(exposition([0, 0, 0, 0], [0, 0, 0, 0]), 'h');
      expect(histogramQuantiles(none)).toEqual({ count: 0, p50: undefined, p95: undefined, p99: undefined });
    });
  });
});

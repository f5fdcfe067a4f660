import { describe, expect, it } from 'vitest';
import { ascending, leastSquaresSlope, percentile, spread } from './sample.statistics';

describe('percentile', () => {
  describe('when given sorted values', () => {
    it('should pick the nearest rank', () => {
      const values = Array.from({ length: 100 }, (_, index) => index + 1);
      expect(percentile(values, 50)).toBe(50);
      expect(percentile(values, 99)).toBe(99);
      expect(percentile([7], 99)).toBe(7);
    });
  });

  describe('when given no values', () => {
    it('should return NaN', () => {
      expect(percentile([], 50)).toBeNaN();
    });
  });
});

describe('spread', () => {
  describe('when given values in any order', () => {
    it('should return the smallest, the nearest-rank median and the largest', () => {
      expect(spread([30, 10, 20, 40])).toEqual({ min: 10, median: 20, max: 40 });
      expect(ascending([10, 9, 100])).toEqual([9, 10, 100]);
    });
  });

  describe('when given no values', () => {
    it('should return NaN for each', () => {
      expect(spread([])).toEqual({ min: Number.NaN, median: Number.NaN, max: Number.NaN });
    });
  });
});

describe('leastSquaresSlope', () => {
  describe('when the points lie on a line', () => {
    it('should return its slope', () => {
      expect(leastSquaresSlope([0, 1, 2, 3].map((x) => ({ x, y: 5 - 2 * x })))).toBeCloseTo(-2);
    });
  });

  describe('when the points scatter around a flat line', () => {
    it('should return about zero', () => {
      expect(leastSquaresSlope([0, 1, 2, 3].map((x) => ({ x, y: x % 2 === 0 ? 10 : 12 })))).toBeCloseTo(0.4);
    });
  });

  describe('when every point has the same x', () => {
    it('should return NaN', () => {
      expect(
        leastSquaresSlope([
          { x: 1, y: 1 },
          { x: 1, y: 2 },
        ]),
      ).toBeNaN();
    });
  });
});

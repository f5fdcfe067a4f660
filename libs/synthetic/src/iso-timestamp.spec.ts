import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IsoTimestampFormatter } from './iso-timestamp';

describe('IsoTimestampFormatter', () => {
  describe('when formatting any instant', () => {
    it('should match Date#toISOString exactly', () => {
      const formatter = new IsoTimestampFormatter();
      fc.assert(
        fc.property(fc.integer({ min: -62_000_000_000_000, max: 8_000_000_000_000_000 }), (ms) => {
          expect(formatter.format(ms)).toBe(new Date(ms).toISOString());
        }),
        { numRuns: 2_000 },
      );
    });
  });

  describe('when instants fall in the same minute, or straddle its edges', () => {
    it('should match Date#toISOString at every millisecond', () => {
      const formatter = new IsoTimestampFormatter();
      const start = Date.UTC(2026, 0, 31, 23, 59, 59, 990);
      for (let ms = start; ms < start + 1_000; ms += 1) expect(formatter.format(ms)).toBe(new Date(ms).toISOString());
    });
  });

  describe('when given a fractional millisecond', () => {
    it('should truncate it as Date does', () => {
      expect(new IsoTimestampFormatter().format(1_700_000_000_123.9)).toBe(new Date(1_700_000_000_123.9).toISOString());
    });
  });
});

import { describe, expect, it } from 'vitest';
import {
  parseCheckpoints,
  parseCount,
  parseStorageBenchOptions,
  REAL_EVENTS_PER_SECOND,
  StorageBenchOptionsError,
} from './storage.options';

describe('parseCount', () => {
  describe('when given a count with or without a suffix', () => {
    it('should return the whole number', () => {
      expect(parseCount('2000', 'batch')).toBe(2_000);
      expect(parseCount('1_000_000', 'rows')).toBe(1_000_000);
      expect(parseCount('250k', 'rows')).toBe(250_000);
      expect(parseCount('2.5M', 'rows')).toBe(2_500_000);
      expect(parseCount('10m', 'rows')).toBe(10_000_000);
    });
  });

  describe('when given something else', () => {
    it('should throw an error naming the option', () => {
      for (const text of ['', '0', '-5', '1.5', 'ten', '1e6', '3G'])
        expect(() => parseCount(text, 'batch')).toThrow(/^--batch: not a positive whole number/);
    });
  });
});

describe('parseCheckpoints', () => {
  describe('when given a list', () => {
    it('should return it ascending', () => {
      expect(parseCheckpoints('10M,1M,3000000', 'events')).toEqual([1_000_000, 3_000_000, 10_000_000]);
    });
  });

  describe('when a checkpoint is listed twice', () => {
    it('should throw', () => {
      expect(() => parseCheckpoints('1M,1000000', 'events')).toThrow(StorageBenchOptionsError);
    });
  });
});

describe('parseStorageBenchOptions', () => {
  describe('when given no arguments', () => {
    it('should measure 1M and 10M events, both layouts, at the real rate', () => {
      expect(parseStorageBenchOptions([])).toEqual({
        checkpoints: [1_000_000, 10_000_000],
        rows: 10_000_000,
        batch: 2_000,
        skipLegacy: false,
        eventsPerSecond: REAL_EVENTS_PER_SECOND,
      });
    });
  });

  describe('when given --rows past the last checkpoint', () => {
    it('should write that many rows', () => {
      const options = parseStorageBenchOptions(['--events', '1M,10M', '--rows', '20M', '--skip-legacy']);
      expect(options).toMatchObject({ rows: 20_000_000, skipLegacy: true });
    });
  });

  describe('when given --rows below the last checkpoint', () => {
    it('should throw', () => {
      expect(() => parseStorageBenchOptions(['--events', '1M,10M', '--rows', '5M'])).toThrow(
        /--rows: 5000000 is below the last checkpoint/,
      );
    });
  });

  describe('when given an unknown option or a batch beyond the largest body', () => {
    it('should throw StorageBenchOptionsError', () => {
      expect(() => parseStorageBenchOptions(['--event', '1M'])).toThrow(StorageBenchOptionsError);
      expect(() => parseStorageBenchOptions(['--batch', '60000'])).toThrow(/--batch: 60000 is above 50000/);
    });
  });
});

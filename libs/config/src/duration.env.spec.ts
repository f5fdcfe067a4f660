import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigValidationError, loadConfig } from './config.loader';
import { duration, parseDuration } from './duration.env';

const schema = z.object({ MAX_FUTURE_SKEW: duration('23h') });

describe(parseDuration, () => {
  it('should read each unit as milliseconds', () => {
    expect(parseDuration('1500ms')).toBe(1_500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('23h')).toBe(82_800_000);
    expect(parseDuration('7d')).toBe(604_800_000);
  });

  it('should refuse a number without its unit, and other text', () => {
    expect(parseDuration('24')).toBeUndefined();
    expect(parseDuration('-1h')).toBeUndefined();
    expect(parseDuration('a day')).toBeUndefined();
  });
});

describe(duration, () => {
  describe('when the variable is unset', () => {
    it('should take the default', () => {
      expect(loadConfig('test-service', schema, {})).toEqual({ MAX_FUTURE_SKEW: 82_800_000 });
    });
  });

  describe('when the variable has no unit', () => {
    it('should refuse it, naming the variable and the expected form', () => {
      expect(() => loadConfig('test-service', schema, { MAX_FUTURE_SKEW: '23' })).toThrow(ConfigValidationError);
      expect(() => loadConfig('test-service', schema, { MAX_FUTURE_SKEW: '23' })).toThrow(
        /MAX_FUTURE_SKEW.*duration with a unit/,
      );
    });
  });
});

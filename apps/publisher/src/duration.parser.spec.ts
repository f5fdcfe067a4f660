import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.parser';

describe('parseDuration', () => {
  describe('when the text is a duration', () => {
    it.each([
      ['90', 90_000],
      ['90s', 90_000],
      ['1500ms', 1_500],
      ['2.5m', 150_000],
      ['1h', 3_600_000],
      [' 10 s ', 10_000],
    ])('should read %j as %d ms', (text, expected) => {
      expect(parseDuration(text)).toBe(expected);
    });
  });

  describe('when the text is not a positive duration', () => {
    it.each([[''], ['0'], ['0s'], ['-5s'], ['5d'], ['s'], ['1e3'], ['ten']])('should reject %j', (text) => {
      expect(parseDuration(text)).toBeUndefined();
    });
  });
});

import { describe, expect, it } from 'vitest';
import { parseIsoInstant } from './iso-instant.parser';

const epochOf = (text: string) => {
  const result = parseIsoInstant(text);
  return result.ok ? result.epochMs : result.message;
};

describe('parseIsoInstant', () => {
  describe('when given a valid instant', () => {
    it.each([
      ['2026-01-31T12:00:00Z', Date.UTC(2026, 0, 31, 12)],
      ['2026-01-31T12:00Z', Date.UTC(2026, 0, 31, 12)],
      ['2026-01-31T12:00:00.123Z', Date.UTC(2026, 0, 31, 12, 0, 0, 123)],
      ['2026-01-31T14:00:00+02:00', Date.UTC(2026, 0, 31, 12)],
      ['2026-01-31T07:30:00-0430', Date.UTC(2026, 0, 31, 12)],
      ['2026-01-31', Date.UTC(2026, 0, 31)],
      ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
      ['0001-01-01T00:00:00Z', -62135596800000],
      ['9999-12-31T23:59:59.999Z', 253402300799999],
    ])('should read %s', (text, expected) => {
      expect(epochOf(text)).toBe(expected);
    });

    it('should round a sub-millisecond fraction up, as stored times have millisecond precision', () => {
      expect(epochOf('2026-01-31T12:00:00.123000Z')).toBe(Date.UTC(2026, 0, 31, 12, 0, 0, 123));
      expect(epochOf('2026-01-31T12:00:00.1230001Z')).toBe(Date.UTC(2026, 0, 31, 12, 0, 0, 124));
    });
  });

  describe('when given something that is not a real instant', () => {
    it.each([
      ['', 'ISO-8601'],
      ['yesterday', 'ISO-8601'],
      ['1767225600000', 'ISO-8601'],
      ['2026-02-30T00:00:00Z', 'not a real date'],
      ['2025-02-29', 'not a real date'],
      ['2026-13-01T00:00:00Z', 'not a real date'],
      ['2026-01-01T24:00:00Z', 'not a real date'],
      ['2026-01-01T23:60:00Z', 'not a real date'],
      ['2026-01-01T12:00:00', 'time zone'],
      ['2026-01-01T12:00:00+25:00', 'offset'],
      ['0000-12-31T23:00:00Z', 'not a real date'],
      ['0001-01-01T00:00:00+01:00', 'between'],
      ['+275760-09-13T00:00:00Z', 'ISO-8601'],
      ["2026-01-01T00:00:00Z' OR 1=1 --", 'ISO-8601'],
    ])('should refuse %j', (text, message) => {
      expect(epochOf(text)).toEqual(expect.stringContaining(message));
    });
  });
});

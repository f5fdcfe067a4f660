import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry.backoff';

describe(retryDelayMs, () => {
  const backoff = { baseMs: 1_000, maxMs: 60_000 };

  describe('when a message failed on its first delivery', () => {
    it('should wait the base delay', () => {
      expect(retryDelayMs(1, backoff)).toBe(1_000);
    });
  });

  describe('when it keeps failing', () => {
    it('should double the delay with each delivery', () => {
      expect([2, 3, 4, 5, 6].map((count) => retryDelayMs(count, backoff))).toEqual([
        2_000, 4_000, 8_000, 16_000, 32_000,
      ]);
    });

    it('should never exceed the cap, however many deliveries', () => {
      expect(retryDelayMs(7, backoff)).toBe(60_000);
      expect(retryDelayMs(1_000, backoff)).toBe(60_000);
      expect(retryDelayMs(Number.MAX_SAFE_INTEGER, backoff)).toBe(60_000);
    });
  });

  describe('when the delivery count is out of range', () => {
    it('should treat zero or a negative count as a first delivery', () => {
      expect(retryDelayMs(0, backoff)).toBe(1_000);
      expect(retryDelayMs(-3, backoff)).toBe(1_000);
    });
  });
});

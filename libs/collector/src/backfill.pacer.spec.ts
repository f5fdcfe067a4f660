import { describe, expect, it } from 'vitest';
import { BackfillPacer } from './backfill.pacer';

describe(BackfillPacer, () => {
  describe('when batches are pulled back to back', () => {
    it('should space the pulls so that the events average the rate', () => {
      let now = 10_000;
      const pacer = new BackfillPacer(500, () => now);
      expect(pacer.delayMs()).toBe(0);

      pacer.pulled(1_000);
      expect(pacer.delayMs()).toBe(2_000);
      now += 500;
      pacer.pulled(250);
      expect(pacer.delayMs()).toBe(2_000);
    });
  });

  describe('when the lane was idle', () => {
    it('should not save up the idle time for a burst', () => {
      let now = 0;
      const pacer = new BackfillPacer(100, () => now);
      pacer.pulled(100);
      now = 60_000;
      expect(pacer.delayMs()).toBe(0);
      pacer.pulled(100);
      expect(pacer.delayMs()).toBe(1_000);
    });
  });
});

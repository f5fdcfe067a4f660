import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token.bucket';

function bucket(ratePerSecond: number, burst: number) {
  const clock = { now: 0 };
  return { clock, bucket: new TokenBucket(ratePerSecond, burst, () => clock.now) };
}

describe(TokenBucket, () => {
  describe('when it is full', () => {
    it('should admit and report the burst as remaining', () => {
      const { bucket: full } = bucket(10, 100);
      expect(full.check()).toEqual({ admitted: true, remaining: 100, secondsUntilAdmitted: 0 });
    });
  });

  describe('when a request took more events than it held', () => {
    it('should refuse until the debt is repaid at the rate', () => {
      const { bucket: indebted, clock } = bucket(10, 100);
      indebted.charge(130);
      // 30 events of debt, and one token needed: 3.1 s at 10 a second.
      expect(indebted.check()).toEqual({ admitted: false, remaining: 0, secondsUntilAdmitted: 3.1 });
      clock.now = 3_000;
      expect(indebted.check().admitted).toBe(false);
      clock.now = 3_100;
      expect(indebted.check()).toMatchObject({ admitted: true, remaining: 1 });
    });
  });

  describe('when time passes', () => {
    it('should refill at the rate up to the burst, never beyond', () => {
      const { bucket: refilled, clock } = bucket(10, 100);
      refilled.charge(100);
      clock.now = 2_000;
      expect(refilled.check()).toMatchObject({ admitted: true, remaining: 20 });
      clock.now = 60_000;
      expect(refilled.check()).toMatchObject({ remaining: 100 });
    });
  });
});

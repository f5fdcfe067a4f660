import { describe, expect, it } from 'vitest';
import { ReportConcurrencyLimiter } from './report-concurrency.limiter';
import { ReportUnavailableError } from './report-unavailable.error';

const LATER = () => performance.now() + 60_000;

/** Settles a promise into what it gave, so the order of settlements can be compared. */
const outcome = <T>(promise: Promise<T>) =>
  promise.then(
    () => 'granted',
    (error: unknown) => error,
  );

describe(ReportConcurrencyLimiter, () => {
  describe('when places are free', () => {
    it('should grant them at once, and again once given back', async () => {
      const limiter = new ReportConcurrencyLimiter({ concurrent: 2, queued: 0, retryAfterSeconds: 3 });
      const first = await limiter.acquire(LATER());
      await limiter.acquire(LATER());
      first();
      first();
      await expect(limiter.acquire(LATER())).resolves.toBeTypeOf('function');
      await expect(limiter.acquire(LATER())).rejects.toBeInstanceOf(ReportUnavailableError);
    });
  });

  describe('when every place is taken and nobody may wait', () => {
    it('should refuse at once with 503 busy and Retry-After', async () => {
      const limiter = new ReportConcurrencyLimiter({ concurrent: 1, queued: 0, retryAfterSeconds: 3 });
      await limiter.acquire(LATER());
      const error = (await limiter.acquire(LATER()).catch((caught: unknown) => caught)) as ReportUnavailableError;
      expect(error).toMatchObject({ code: 'REPORTER.BUSY', reason: 'busy', headers: { 'retry-after': '3' } });
      expect(error.getStatus()).toBe(503);
      expect(error.getResponse()).toEqual({
        error: 'Service Unavailable',
        message: 'every place for a report is taken (1 computed at once, 0 waiting): retry in 3 s',
      });
    });
  });

  describe('when every place is taken and some may wait', () => {
    it('should queue up to the limit in arrival order and refuse the next at once', async () => {
      const limiter = new ReportConcurrencyLimiter({ concurrent: 1, queued: 2, retryAfterSeconds: 1 });
      const running = await limiter.acquire(LATER());
      const settled: string[] = [];
      const second = limiter.acquire(LATER()).then((release) => (settled.push('second'), release));
      const third = limiter.acquire(LATER()).then((release) => (settled.push('third'), release));
      await expect(limiter.acquire(LATER())).rejects.toMatchObject({ code: 'REPORTER.BUSY' });
      expect(settled).toEqual([]);
      running();
      (await second)();
      await third;
      expect(settled).toEqual(['second', 'third']);
    });

    it('should refuse a waiter whose deadline passes, and give its place in the queue back', async () => {
      const limiter = new ReportConcurrencyLimiter({ concurrent: 1, queued: 1, retryAfterSeconds: 1 });
      const running = await limiter.acquire(LATER());
      const started = performance.now();
      const error = await outcome(limiter.acquire(performance.now() + 50));
      expect(performance.now() - started).toBeGreaterThanOrEqual(45);
      expect(error).toMatchObject({
        code: 'REPORTER.BUSY',
        message: 'no place for the report came free before its deadline (1 computed at once): retry in 1 s',
      });
      const waiting = outcome(limiter.acquire(LATER()));
      running();
      await expect(waiting).resolves.toBe('granted');
    });
  });
});

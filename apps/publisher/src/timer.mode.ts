import { performance } from 'node:perf_hooks';
import type { BatchFactory } from './batch.factory';
import type { BatchDispatcher } from './batch.dispatcher';
import type { LineSink } from './progress.reporter';
import type { PublisherStats } from './publisher.stats';

export interface TimerModeOptions {
  intervalMs: number;
  /** Requests in flight at most; a tick that finds the cap reached sends nothing. Undefined: no cap. */
  concurrency?: number;
}

/**
 * The real image's pacing: a fixed timer fires one batch per interval whether or not earlier
 * requests have been answered, so a slow receiver sees requests pile up. Resolves when sending
 * stops (stop signal, or the factory's total is reached); replies may still be in flight.
 * A batch still being built when the stop comes is discarded: it never reached the wire.
 * Ticks sit on a fixed grid (start + n × interval) rather than re-arming after each callback, so
 * event-loop lag delays a tick without slowing every later one; a slot missed entirely is skipped,
 * never made up with a burst.
 */
export function runTimerMode(
  options: TimerModeOptions,
  factory: BatchFactory,
  dispatcher: BatchDispatcher,
  stats: PublisherStats,
  log: LineSink,
  stop: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted) {
      resolve();
      return;
    }
    let building = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', finish);
      resolve();
    };
    const build = async () => {
      building += 1;
      const batch = await factory.next();
      building -= 1;
      if (batch && !stop.aborted) void dispatcher.dispatch(batch);
      if (factory.exhausted && building === 0) finish();
    };
    const tick = () => {
      if (factory.exhausted) return;
      const pending = dispatcher.inFlightCount + building;
      if (options.concurrency !== undefined && pending >= options.concurrency) {
        stats.skipped();
        log(`tick skipped: ${pending} requests in flight (cap ${options.concurrency})`);
        return;
      }
      void build();
    };
    const started = performance.now();
    let slot = 0;
    const scheduleNext = () => {
      const elapsed = performance.now() - started;
      // Timers may fire a hair early, so the next slot is always after the one just served.
      slot = Math.max(slot + 1, Math.floor(elapsed / options.intervalMs) + 1);
      timer = setTimeout(
        () => {
          tick();
          if (!stop.aborted && !factory.exhausted) scheduleNext();
        },
        Math.max(0, slot * options.intervalMs - elapsed),
      );
    };
    stop.addEventListener('abort', finish);
    tick();
    scheduleNext();
  });
}

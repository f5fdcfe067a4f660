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
    const finish = () => {
      clearInterval(timer);
      stop.removeEventListener('abort', finish);
      resolve();
    };
    const tick = () => {
      if (options.concurrency !== undefined && dispatcher.inFlightCount >= options.concurrency) {
        stats.skipped();
        log(`tick skipped: ${dispatcher.inFlightCount} requests in flight (cap ${options.concurrency})`);
        return;
      }
      const batch = factory.next();
      if (batch) void dispatcher.dispatch(batch);
      if (!batch || factory.exhausted) finish();
    };
    const timer = setInterval(tick, options.intervalMs);
    stop.addEventListener('abort', finish);
    tick();
  });
}

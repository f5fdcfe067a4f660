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
    const finish = () => {
      clearInterval(timer);
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
    const timer = setInterval(tick, options.intervalMs);
    stop.addEventListener('abort', finish);
    tick();
  });
}

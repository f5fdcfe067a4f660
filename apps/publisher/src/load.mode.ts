import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchFactory } from './batch.factory';
import type { BatchDispatcher } from './batch.dispatcher';

export interface LoadModeOptions {
  /** Requests kept in flight: each sender starts its next request as soon as its last one settles. */
  concurrency: number;
}

/** After a request that could not connect, its sender waits this long, so a down gateway is not a busy loop. */
export const CONNECTION_FAILURE_PAUSE_MS = 100;

/**
 * Sends as fast as the receiver answers, with a fixed number of requests in flight; for benchmarks.
 * Resolves when sending stops (stop signal, or the factory's total is reached); replies may still be
 * in flight when it resolves on a stop.
 */
export async function runLoadMode(
  options: LoadModeOptions,
  factory: BatchFactory,
  dispatcher: BatchDispatcher,
  stop: AbortSignal,
): Promise<void> {
  const sender = async () => {
    while (!stop.aborted) {
      const batch = await factory.next();
      // A batch finished after the stop never reaches the wire.
      if (!batch || stop.aborted) return;
      const outcome = await dispatcher.dispatch(batch);
      if (outcome.kind === 'failure' && outcome.reason === 'connection' && !stop.aborted) {
        await sleep(CONNECTION_FAILURE_PAUSE_MS, undefined, { signal: stop }).catch(() => undefined);
      }
    }
  };
  let onStop = () => {};
  const stopped = new Promise<void>((resolve) => {
    onStop = resolve;
    if (stop.aborted) resolve();
    else stop.addEventListener('abort', onStop);
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: options.concurrency }, sender)), stopped]);
  } finally {
    stop.removeEventListener('abort', onStop);
  }
}

import { writeFile } from 'node:fs/promises';
import { BatchDispatcher } from './batch.dispatcher';
import { BatchFactory } from './batch.factory';
import { HttpSender } from './http.sender';
import { LedgerWriter, ledgerPaths } from './ledger.writer';
import { runLoadMode } from './load.mode';
import { type LineSink, ProgressReporter, summaryLine } from './progress.reporter';
import type { PublisherOptions } from './publisher.config';
import { PublisherStats, type PublisherSummary } from './publisher.stats';
import { runTimerMode } from './timer.mode';

export interface PublisherRunControls {
  /** Aborting it stops sending; replies in flight are awaited up to `shutdownTimeoutMs`. */
  signal?: AbortSignal;
  /** Aborting it abandons the replies still in flight at once (a second Ctrl-C). */
  forceSignal?: AbortSignal;
  /** Receives every plain-text line (start, requests, progress, summary). @default console.log */
  log?: LineSink;
}

/**
 * Runs the emulator until it is stopped, its `--total` is sent or its `--duration` is over; then
 * waits for replies in flight (bounded), flushes the ledger, prints and returns the summary.
 */
export async function runPublisher(
  options: PublisherOptions,
  controls: PublisherRunControls = {},
): Promise<PublisherSummary> {
  const log = controls.log ?? ((line: string) => console.log(line));
  const ledger = options.ledgerPath === undefined ? undefined : await LedgerWriter.open(options.ledgerPath);
  const sender = new HttpSender({
    endpoint: options.endpoint,
    requestTimeoutMs: options.requestTimeoutMs,
    connections: options.concurrency,
    gzip: options.gzip,
  });
  const stats = new PublisherStats();
  const factory = new BatchFactory(options);
  const dispatcher = new BatchDispatcher(sender, stats, ledger, options.logRequests ? log : undefined);
  const progress = new ProgressReporter(stats, log, options.progressIntervalMs);

  const stop = new AbortController();
  const stopSending = () => stop.abort();
  const abandon = () => sender.abandonInFlight();
  controls.signal?.addEventListener('abort', stopSending);
  controls.forceSignal?.addEventListener('abort', abandon);
  if (controls.signal?.aborted) stopSending();
  const durationTimer = options.durationMs === undefined ? undefined : setTimeout(stopSending, options.durationMs);

  log(startLine(options));
  progress.start();
  try {
    if (options.mode === 'load') {
      await runLoadMode({ concurrency: options.concurrency ?? 1 }, factory, dispatcher, stop.signal);
    } else {
      await runTimerMode(options, factory, dispatcher, stats, log, stop.signal);
    }
    if (dispatcher.inFlightCount > 0)
      log(`sending stopped; waiting up to ${options.shutdownTimeoutMs} ms for ${dispatcher.inFlightCount} replies`);
    await dispatcher.drain(options.shutdownTimeoutMs);
  } finally {
    clearTimeout(durationTimer);
    progress.stop();
    controls.signal?.removeEventListener('abort', stopSending);
    controls.forceSignal?.removeEventListener('abort', abandon);
    await sender.close();
    await ledger?.close();
  }

  const summary = stats.summary({
    mode: options.mode,
    endpoint: options.endpoint,
    seed: options.seed,
    ...(options.ledgerPath === undefined ? {} : { ledger: ledgerPaths(options.ledgerPath) }),
  });
  log(summaryLine(summary));
  if (options.summaryJsonPath !== undefined)
    await writeFile(options.summaryJsonPath, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

function startLine(options: PublisherOptions): string {
  const pacing = options.mode === 'load' ? 'as fast as replies come back' : `one batch every ${options.intervalMs} ms`;
  const limits = [
    options.totalEvents === undefined ? undefined : `${options.totalEvents} events`,
    options.durationMs === undefined ? undefined : `${options.durationMs} ms`,
  ].filter((limit) => limit !== undefined);
  return (
    `publisher: ${options.mode} mode, POST ${options.endpoint}, ${pacing}, batches of ${options.batchMin}-${options.batchMax} events, ` +
    `corruption ${options.corruptionRate}, duplicates ${options.duplicateRate}, jitter ${options.jitterMs} ms, ` +
    `concurrency ${options.concurrency ?? 'unlimited'}, seed ${options.seed}, ${limits.length > 0 ? `stop after ${limits.join(' or ')}` : 'until stopped'}`
  );
}

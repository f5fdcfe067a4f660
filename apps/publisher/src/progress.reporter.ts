import type { PreparedBatch } from './batch.factory';
import type { SendOutcome } from './http.sender';
import { type PublisherStats, type PublisherSummary, isSuccess } from './publisher.stats';

/** Where the emulator's plain-text lines go; stdout by default, a collector in tests. */
export type LineSink = (line: string) => void;

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;

/** One line per request, like the real image: what was sent and what came back. */
export function requestLine(batch: PreparedBatch, outcome: SendOutcome): string {
  const sent = `batch #${batch.seq}: sent ${count(batch.eventCount)} events (${megabytes(batch.body.length)})`;
  const took = `${Math.round(outcome.elapsedMs)} ms`;
  if (outcome.kind === 'failure')
    return `${sent} -> no reply after ${took} (${outcome.reason}: ${outcome.message}); batch dropped`;
  const counts = [
    outcome.accepted === undefined ? undefined : `accepted ${count(outcome.accepted)}`,
    outcome.rejected === undefined ? undefined : `rejected ${count(outcome.rejected)}`,
  ].filter((part) => part !== undefined);
  const said = counts.length > 0 ? ` (${counts.join(', ')})` : '';
  if (isSuccess(outcome.status)) return `${sent} -> ${outcome.status} in ${took}${said}`;
  return `${sent} -> ${outcome.status} in ${took}${said}${outcome.detail ? `: ${outcome.detail}` : ''}; batch dropped`;
}

/**
 * Prints a progress line every period while a run lasts: events/s sent (overall and since the last
 * line), events in 2xx batches, events the replies reported rejected, failed requests, in flight.
 */
export class ProgressReporter {
  private timer: NodeJS.Timeout | undefined;
  private lastSeconds = 0;
  private lastSent = 0;

  constructor(
    private readonly stats: PublisherStats,
    private readonly sink: LineSink,
    private readonly periodMs: number,
  ) {}

  start(): void {
    if (this.periodMs <= 0) return;
    this.timer = setInterval(() => this.sink(this.line()), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  line(): string {
    const s = this.stats;
    const seconds = s.elapsedSeconds();
    const recent = seconds > this.lastSeconds ? (s.eventsSent - this.lastSent) / (seconds - this.lastSeconds) : 0;
    this.lastSeconds = seconds;
    this.lastSent = s.eventsSent;
    return (
      `progress ${seconds.toFixed(1)}s: sent ${count(s.eventsSent)} events ` +
      `(${count(seconds > 0 ? s.eventsSent / seconds : 0)}/s, now ${count(recent)}/s), ` +
      `accepted ${count(s.eventsAcknowledged)} (2xx), rejected ${count(s.replyRejected)}, ` +
      `failed requests ${count(s.requestsRejected + s.requestsFailed)}, in flight ${s.inFlight}`
    );
  }
}

/** The last line of a run. */
export function summaryLine(summary: PublisherSummary): string {
  const { requests, events, rates, latency } = summary;
  return (
    `summary: ${summary.mode} mode, ${summary.durationSeconds.toFixed(1)}s, seed ${summary.seed}; ` +
    `requests ${count(requests.sent)} (2xx ${count(requests.succeeded)}, non-2xx ${count(requests.rejected)}, ` +
    `no reply ${count(requests.failed)}${requests.skipped > 0 ? `, ticks skipped ${count(requests.skipped)}` : ''}); ` +
    `events sent ${count(events.sent)} (${count(rates.sentEventsPerSecond)}/s), acknowledged ${count(events.acknowledged)} ` +
    `(${count(rates.acknowledgedEventsPerSecond)}/s), dropped ${count(events.dropped)}, duplicates ${count(events.duplicates)}, ` +
    `corrupted ${count(events.corrupted)}, reply-reported accepted ${count(events.replyAccepted)} / rejected ${count(events.replyRejected)}; ` +
    `${megabytes(summary.bytesSent)}; reply p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms`
  );
}

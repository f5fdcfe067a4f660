import { performance } from 'node:perf_hooks';
import type { PreparedBatch } from './batch.factory';
import type { SendOutcome } from './http.sender';

/** Reply time statistics for requests of one body-size class. */
export interface LatencyFigures {
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Body-size classes reply times are reported by (upper bounds in bytes; the last is open). */
const SIZE_CLASSES = [
  { label: '<1MB', below: 1_000_000 },
  { label: '1-5MB', below: 5_000_000 },
  { label: '5-10MB', below: 10_000_000 },
  { label: '10-25MB', below: 25_000_000 },
  { label: '>=25MB', below: Number.POSITIVE_INFINITY },
] as const;

export interface PublisherSummary {
  mode: string;
  endpoint: string;
  seed: number;
  startedAt: string;
  endedAt: string;
  /** From the first send to the last reply (or abandonment). */
  durationSeconds: number;
  requests: {
    sent: number;
    /** Answered 2xx. */
    succeeded: number;
    /** Answered with another status: the batch was dropped. */
    rejected: number;
    /** No reply (connection error, timeout, abandoned at shutdown): the batch was dropped. */
    failed: number;
    /** Timer ticks skipped because the concurrency cap was reached. */
    skipped: number;
    byStatus: Record<string, number>;
    byFailure: Record<string, number>;
  };
  events: {
    /** Every element sent: new events, duplicates, corrupted ones. */
    sent: number;
    duplicates: number;
    corrupted: number;
    /** Elements of batches answered 2xx. */
    acknowledged: number;
    /** Valid elements (contract-conforming, duplicates included) of batches answered 2xx: the ledger lines. */
    acknowledgedValid: number;
    /** Elements of batches dropped (non-2xx or no reply). */
    dropped: number;
    /** Sums of the `accepted` / `rejected` counts the replies reported, when they did. */
    replyAccepted: number;
    replyRejected: number;
  };
  bytesSent: number;
  rates: { sentEventsPerSecond: number; acknowledgedEventsPerSecond: number };
  latency: LatencyFigures & { bySize: Record<string, LatencyFigures> };
  ledger?: { acknowledged: string; unacknowledged: string; corrupted: string };
}

/** Live counters of one run, read by the progress reporter and turned into the final summary. */
export class PublisherStats {
  readonly startedAtMs = performance.now();
  readonly startedAt = new Date();
  requestsSent = 0;
  requestsSucceeded = 0;
  requestsRejected = 0;
  requestsFailed = 0;
  ticksSkipped = 0;
  inFlight = 0;
  eventsSent = 0;
  duplicatesSent = 0;
  corruptedSent = 0;
  eventsAcknowledged = 0;
  validAcknowledged = 0;
  eventsDropped = 0;
  replyAccepted = 0;
  replyRejected = 0;
  bytesSent = 0;
  private readonly byStatus = new Map<number, number>();
  private readonly byFailure = new Map<string, number>();
  private readonly replyTimes: Array<{ bytes: number; ms: number }> = [];

  sent(batch: PreparedBatch): void {
    this.requestsSent += 1;
    this.inFlight += 1;
    this.eventsSent += batch.eventCount;
    this.duplicatesSent += batch.duplicateCount;
    if (batch.corruption) this.corruptedSent += 1;
    this.bytesSent += batch.body.length;
  }

  settled(batch: PreparedBatch, outcome: SendOutcome): void {
    this.inFlight -= 1;
    if (outcome.kind === 'failure') {
      this.requestsFailed += 1;
      this.eventsDropped += batch.eventCount;
      this.byFailure.set(outcome.reason, (this.byFailure.get(outcome.reason) ?? 0) + 1);
      return;
    }
    this.byStatus.set(outcome.status, (this.byStatus.get(outcome.status) ?? 0) + 1);
    this.replyTimes.push({ bytes: batch.body.length, ms: outcome.elapsedMs });
    this.replyAccepted += outcome.accepted ?? 0;
    this.replyRejected += outcome.rejected ?? 0;
    if (isSuccess(outcome.status)) {
      this.requestsSucceeded += 1;
      this.eventsAcknowledged += batch.eventCount;
      this.validAcknowledged += batch.validIds.length;
    } else {
      this.requestsRejected += 1;
      this.eventsDropped += batch.eventCount;
    }
  }

  skipped(): void {
    this.ticksSkipped += 1;
  }

  elapsedSeconds(): number {
    return (performance.now() - this.startedAtMs) / 1000;
  }

  summary(context: {
    mode: string;
    endpoint: string;
    seed: number;
    ledger?: PublisherSummary['ledger'];
  }): PublisherSummary {
    const seconds = this.elapsedSeconds();
    const perSecond = (count: number) => (seconds > 0 ? Math.round(count / seconds) : 0);
    const bySize: Record<string, LatencyFigures> = {};
    for (const sizeClass of SIZE_CLASSES) {
      const lower = SIZE_CLASSES[SIZE_CLASSES.indexOf(sizeClass) - 1]?.below ?? 0;
      const times = this.replyTimes
        .filter(({ bytes }) => bytes >= lower && bytes < sizeClass.below)
        .map(({ ms }) => ms);
      if (times.length > 0) bySize[sizeClass.label] = latencyFigures(times);
    }
    return {
      ...context,
      startedAt: this.startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      durationSeconds: round(seconds, 3),
      requests: {
        sent: this.requestsSent,
        succeeded: this.requestsSucceeded,
        rejected: this.requestsRejected,
        failed: this.requestsFailed,
        skipped: this.ticksSkipped,
        byStatus: Object.fromEntries([...this.byStatus].map(([status, count]) => [String(status), count])),
        byFailure: Object.fromEntries(this.byFailure),
      },
      events: {
        sent: this.eventsSent,
        duplicates: this.duplicatesSent,
        corrupted: this.corruptedSent,
        acknowledged: this.eventsAcknowledged,
        acknowledgedValid: this.validAcknowledged,
        dropped: this.eventsDropped,
        replyAccepted: this.replyAccepted,
        replyRejected: this.replyRejected,
      },
      bytesSent: this.bytesSent,
      rates: {
        sentEventsPerSecond: perSecond(this.eventsSent),
        acknowledgedEventsPerSecond: perSecond(this.eventsAcknowledged),
      },
      latency: { ...latencyFigures(this.replyTimes.map(({ ms }) => ms)), bySize },
    };
  }
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function latencyFigures(times: number[]): LatencyFigures {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (quantile: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] ?? 0, 1);
  return {
    requests: sorted.length,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: round(sorted.at(-1) ?? 0, 1),
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

import { Inject, Injectable } from '@nestjs/common';
import { type Source } from '@evp/contracts';
import { METRICS_REGISTRY } from '@evp/observability';
import { Counter, Histogram, type Registry } from 'prom-client';

/** `unknown` when a rejected event names no known source. */
export type SourceLabel = Source | 'unknown';
/** `invalid` and `future_timestamp` events are dead-lettered; `publish_failed` ones were not acknowledged (503). */
export type FailureReason = 'invalid' | 'future_timestamp' | 'publish_failed';

const MEBIBYTE = 1024 * 1024;

/** The gateway's own series, registered in the service's registry (scraped at `/metrics`). */
@Injectable()
export class IngestMetrics {
  private readonly accepted: Counter<'source'>;
  private readonly processed: Counter<'source'>;
  private readonly failed: Counter<'source' | 'reason'>;
  private readonly duration: Histogram<'route' | 'status_class'>;
  private readonly bodyBytes: Histogram<'route'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.accepted = new Counter({
      name: 'gateway_events_accepted_total',
      help: 'Events that passed validation and were taken in for publishing.',
      labelNames: ['source'],
      registers,
    });
    this.processed = new Counter({
      name: 'gateway_events_processed_total',
      help: 'Events acknowledged by JetStream (stored or recognised as duplicates).',
      labelNames: ['source'],
      registers,
    });
    this.failed = new Counter({
      name: 'gateway_events_failed_total',
      help: 'Events not taken in: invalid or future_timestamp (dead-lettered), or publish_failed (not acknowledged by JetStream).',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.duration = new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time from receiving a webhook request to answering it, body upload included.',
      labelNames: ['route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.bodyBytes = new Histogram({
      name: 'gateway_request_body_bytes',
      help: 'Size of webhook request bodies.',
      labelNames: ['route'],
      buckets: [
        1024,
        16 * 1024,
        128 * 1024,
        MEBIBYTE,
        4 * MEBIBYTE,
        8 * MEBIBYTE,
        16 * MEBIBYTE,
        24 * MEBIBYTE,
        32 * MEBIBYTE,
        64 * MEBIBYTE,
      ],
      registers,
    });
  }

  eventsAccepted(counts: ReadonlyMap<SourceLabel, number>): void {
    for (const [source, count] of counts) this.accepted.inc({ source }, count);
  }

  eventsProcessed(counts: ReadonlyMap<SourceLabel, number>): void {
    for (const [source, count] of counts) this.processed.inc({ source }, count);
  }

  eventsFailed(reason: FailureReason, counts: ReadonlyMap<SourceLabel, number>): void {
    for (const [source, count] of counts) this.failed.inc({ source, reason }, count);
  }

  requestHandled(route: string, statusCode: number, seconds: number, bodyBytes: number): void {
    this.duration.observe({ route, status_class: `${Math.floor(statusCode / 100)}xx` }, seconds);
    this.bodyBytes.observe({ route }, bodyBytes);
  }
}

/** Counts items per source label, for the per-source counters above. */
export function countBySource<T>(
  items: readonly T[],
  sourceOf: (item: T) => SourceLabel | undefined,
): Map<SourceLabel, number> {
  const counts = new Map<SourceLabel, number>();
  for (const item of items) {
    const source = sourceOf(item) ?? 'unknown';
    counts.set(source, (counts.get(source) ?? 0) + 1);
  }
  return counts;
}

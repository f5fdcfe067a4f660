import type { Lane, Source } from '@evp/contracts';
import { JetStreamConsumerRunner } from '@evp/messaging';
import { METRICS_REGISTRY } from '@evp/observability';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { COLLECTOR_SETTINGS } from './collector.constants';
import type { CollectorSettings } from './collector.settings';

/**
 * Why an event was not stored; each failed event counts under exactly one reason (a message poison as a whole counts
 * as one).
 * `invalid`: poison (not JSON, not a valid event of this source, not storable), dead-lettered.
 * `dead_letter`: a valid event given up on: refused by the database as a data error, or out of deliveries.
 * `database`: the database could not take the batch; the event's message is naked and retried.
 */
export type FailureReason = 'invalid' | 'dead_letter' | 'database';

interface SourceCounter {
  inc(value?: number): void;
}

interface SourceHistogram {
  observe(value: number): void;
}

/**
 * The collector's Prometheus metrics, in the application's registry (`METRICS_REGISTRY`) when there is one,
 * otherwise a private registry. Series are bound to the source once, so the hot path only adds numbers.
 */
@Injectable()
export class CollectorMetrics {
  readonly registry: Registry;
  readonly processed: SourceCounter;
  readonly duplicates: SourceCounter;
  readonly batchSize: SourceHistogram;
  readonly writeDuration: SourceHistogram;
  private readonly freshness: Record<Lane, SourceHistogram>;
  private readonly failed: Counter<'source' | 'reason'>;
  private readonly source: Source;
  private readonly acceptedEvents: SourceCounter;
  private readonly receivedMessages: SourceCounter;
  private eventsReceived = 0;
  private messagesReceived = 0;

  constructor(
    @Inject(COLLECTOR_SETTINGS) settings: CollectorSettings,
    @Inject(JetStreamConsumerRunner) runner: JetStreamConsumerRunner,
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
  ) {
    this.registry = registry ?? new Registry();
    this.source = settings.source;
    const registers = [this.registry];
    const labels = { source: settings.source };
    this.acceptedEvents = new Counter({
      name: 'collector_events_accepted_total',
      help: 'Events received from the durable consumer, in every message fetched (redeliveries included; a message poison as a whole counts as one), by source.',
      labelNames: ['source'],
      registers,
    }).labels(labels);
    this.receivedMessages = new Counter({
      name: 'collector_messages_received_total',
      help: 'Messages received from the durable consumer (redeliveries included), by source; each carries one or more events.',
      labelNames: ['source'],
      registers,
    }).labels(labels);
    this.processed = new Counter({
      name: 'collector_events_processed_total',
      help: 'Events stored (new rows), by source.',
      labelNames: ['source'],
      registers,
    }).labels(labels);
    this.duplicates = new Counter({
      name: 'collector_events_duplicate_total',
      help: 'Events acked without a new row: already stored or repeated in the batch, by source.',
      labelNames: ['source'],
      registers,
    }).labels(labels);
    this.failed = new Counter({
      name: 'collector_events_failed_total',
      help: 'Events not stored, by source and reason: invalid (poison, dead-lettered), dead_letter (valid but given up on), database (write failed, retried).',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'collector_batch_size',
      help: 'Events per fetched batch, by source.',
      labelNames: ['source'],
      buckets: [1, 10, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000],
      registers,
    }).labels(labels);
    this.writeDuration = new Histogram({
      name: 'collector_write_duration_seconds',
      help: 'Time to store one fetched batch in PostgreSQL (its bounded writes, each one statement and transaction, plus splits around refused rows), by source.',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }).labels(labels);
    const freshness = new Histogram({
      name: 'pipeline_ingest_to_stored_seconds',
      help: 'Time from the gateway receiving an event (its received_at) to the collector committing its row, per event of each acked message, by source and lane (live, backfill).',
      labelNames: ['source', 'lane'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.freshness = {
      live: freshness.labels({ ...labels, lane: 'live' }),
      backfill: freshness.labels({ ...labels, lane: 'backfill' }),
    };
    // Both lag gauges come from one consumer-info request, shared when a scrape collects them together.
    let reading: Promise<void> | undefined;
    const readPending = (): Promise<void> =>
      (reading ??= (async () => {
        try {
          const work = await runner.pending(settings.durable);
          const messages = work.pending + work.ackPending;
          pending.set(labels, messages);
          pendingEvents.set(labels, Math.round(messages * this.eventsPerMessage()));
        } catch {
          // NATS unreachable: the readiness check says so; the scrape keeps the last known values.
        } finally {
          reading = undefined;
        }
      })());
    const pending = new Gauge({
      name: 'collector_consumer_pending',
      help: 'Messages the durable consumer has not finished (not yet delivered plus delivered and not acked), by source.',
      labelNames: ['source'],
      registers,
      collect: readPending,
    });
    const pendingEvents = new Gauge({
      name: 'collector_consumer_pending_events',
      help: 'Events the durable consumer has not finished, estimated: its unfinished messages times the events per message this collector has received so far (1 before it received any), by source.',
      labelNames: ['source'],
      registers,
      collect: readPending,
    });
  }

  /** A fetched batch of `messages` carrying `events` in all. */
  received(messages: number, events: number): void {
    this.receivedMessages.inc(messages);
    this.acceptedEvents.inc(events);
    this.messagesReceived += messages;
    this.eventsReceived += events;
  }

  /** Events per message received so far; 1 before any message, as every message carries at least one. */
  eventsPerMessage(): number {
    return this.messagesReceived === 0 ? 1 : this.eventsReceived / this.messagesReceived;
  }

  /** `events` events of `lane` committed `seconds` after the gateway received them. */
  stored(lane: Lane, seconds: number, events: number): void {
    const series = this.freshness[lane];
    for (let i = 0; i < events; i++) series.observe(seconds);
  }

  fail(reason: FailureReason, count: number): void {
    if (count > 0) this.failed.inc({ source: this.source, reason }, count);
  }
}

import { METRICS_REGISTRY } from '@evp/observability';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { StreamInfo } from '@nats-io/jetstream';
import { Counter, Gauge, Registry } from 'prom-client';
import { JetStreamInfoCache } from './jetstream-info.cache';
import { type JetStreamSettings } from './jetstream.settings';
import { JETSTREAM_SETTINGS } from './messaging.constants';
import { declaredStreams } from './stream.config';

/** Why the module terminated a message; a fixed set, so the label stays low-cardinality. */
export type TermReason = 'dead-letter' | 'max-deliveries';

/**
 * The module's Prometheus metrics, in the application's registry when the observability module provides one
 * (`METRICS_REGISTRY`), otherwise in a private registry so the module also works on its own.
 */
@Injectable()
export class MessagingMetrics {
  readonly registry: Registry;
  readonly published: Counter<'subject'>;
  readonly publishDuplicates: Counter;
  readonly publishFailures: Counter<'reason'>;
  readonly acked: Counter<'durable'>;
  readonly naked: Counter<'durable'>;
  readonly termed: Counter<'durable' | 'reason'>;
  readonly redelivered: Counter<'durable'>;
  readonly deadLettered: Counter<'origin'>;
  readonly consumerPending: Gauge<'stream' | 'durable'>;
  readonly streamBytes: Gauge<'stream'>;
  readonly streamMessages: Gauge<'stream'>;
  readonly streamMaxBytes: Gauge<'stream'>;

  constructor(
    @Inject(JetStreamInfoCache) infoCache: JetStreamInfoCache,
    @Inject(JETSTREAM_SETTINGS) settings: JetStreamSettings,
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
  ) {
    this.registry = registry ?? new Registry();
    const registers = [this.registry];
    this.published = new Counter({
      name: 'messaging_published_total',
      help: 'Messages JetStream stored (new, not duplicates), by subject.',
      labelNames: ['subject'],
      registers,
    });
    this.publishDuplicates = new Counter({
      name: 'messaging_publish_duplicates_total',
      help: 'Published messages JetStream acknowledged as duplicates of a message id inside its window.',
      registers,
    });
    this.publishFailures = new Counter({
      name: 'messaging_publish_failures_total',
      help: 'Messages of failed publishes that were not confirmed, by reason (rejected, no-responders, timeout, disconnected, invalid-message).',
      labelNames: ['reason'],
      registers,
    });
    this.acked = new Counter({
      name: 'messaging_acked_total',
      help: 'Messages acked by consumers.',
      labelNames: ['durable'],
      registers,
    });
    this.naked = new Counter({
      name: 'messaging_naked_total',
      help: 'Messages naked with a delay for a later retry.',
      labelNames: ['durable'],
      registers,
    });
    this.termed = new Counter({
      name: 'messaging_termed_total',
      help: 'Messages terminated after dead-lettering, by reason (dead-letter, max-deliveries).',
      labelNames: ['durable', 'reason'],
      registers,
    });
    this.redelivered = new Counter({
      name: 'messaging_redelivered_total',
      help: 'Messages received again after an earlier delivery (nak, ack timeout, crash).',
      labelNames: ['durable'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'messaging_dead_lettered_total',
      help: 'Messages confirmed in the dead-letter stream, by origin (the service that dead-lettered them).',
      labelNames: ['origin'],
      registers,
    });
    const consumers = settings.consumers;
    const consumerPending = new Gauge<'stream' | 'durable'>({
      name: 'messaging_consumer_pending',
      help: 'Messages a durable consumer has not finished: not yet delivered plus delivered and not acked.',
      labelNames: ['stream', 'durable'],
      registers,
      async collect() {
        await Promise.all(
          consumers.map(async ({ stream, durable }) => {
            try {
              const info = await infoCache.consumer(stream, durable);
              consumerPending.set({ stream, durable }, info.num_pending + info.num_ack_pending);
            } catch {
              // The readiness check reports an unreachable consumer; a scrape keeps the last known value.
            }
          }),
        );
      },
    });
    this.consumerPending = consumerPending;

    // The three stream gauges read the same cached stream info (shared with the readiness checks), so however
    // often Prometheus scrapes, each stream costs the server one info request per `infoCacheMs`.
    const streams = declaredStreams(settings).map((stream) => stream.name);
    const streamGauge = (name: string, help: string, read: (info: StreamInfo) => number): Gauge<'stream'> => {
      const gauge = new Gauge<'stream'>({
        name,
        help,
        labelNames: ['stream'],
        registers,
        async collect() {
          await Promise.all(
            streams.map(async (stream) => {
              try {
                gauge.set({ stream }, read(await infoCache.stream(stream)));
              } catch {
                // The readiness check reports an unreachable stream; a scrape keeps the last known value.
              }
            }),
          );
        },
      });
      return gauge;
    };
    this.streamBytes = streamGauge(
      'messaging_stream_bytes',
      'Bytes a stream holds (a work queue: messages not yet consumed), from JetStream stream info.',
      (info) => info.state.bytes,
    );
    this.streamMessages = streamGauge(
      'messaging_stream_messages',
      'Messages a stream holds (a work queue: messages not yet consumed), from JetStream stream info.',
      (info) => info.state.messages,
    );
    this.streamMaxBytes = streamGauge(
      'messaging_stream_max_bytes',
      "A stream's byte limit as the server has it (-1: none). A full stream refuses new messages.",
      (info) => info.config.max_bytes,
    );
  }
}

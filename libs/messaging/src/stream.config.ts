import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import {
  type ConsumerSettings,
  DEAD_LETTER_EXTRA_DELIVERIES,
  type JetStreamSettings,
  type StreamSettings,
} from './jetstream.settings';

const WEEK_MS = 7 * 86_400_000;

/** Every stream the module provisions: the declared ones plus the dead-letter stream. */
export function declaredStreams(settings: JetStreamSettings): StreamSettings[] {
  const { deadLetter } = settings;
  if (!deadLetter.provision) return settings.streams;
  return [
    ...settings.streams,
    {
      name: deadLetter.stream,
      subjects: [`${deadLetter.subjectPrefix}.>`],
      retention: 'limits',
      duplicateWindowMs: 120_000,
      maxAgeMs: deadLetter.maxAgeMs,
      maxBytes: deadLetter.maxBytes,
      replicas: deadLetter.replicas,
    },
  ];
}

/**
 * File storage; discard `new` so a full stream refuses publishes (the publisher sees the error) instead of
 * deleting the oldest unconsumed messages; work queues keep messages until acked unless an age is set.
 */
export function streamConfig(stream: StreamSettings): Partial<StreamConfig> & { name: string } {
  const maxAgeMs = stream.maxAgeMs ?? (stream.retention === 'workqueue' ? 0 : WEEK_MS);
  return {
    name: stream.name,
    subjects: stream.subjects,
    retention: stream.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    duplicate_window: nanos(stream.duplicateWindowMs),
    max_age: nanos(maxAgeMs),
    max_bytes: stream.maxBytes,
    num_replicas: stream.replicas,
  };
}

/**
 * The broker's `max_deliver` is a few deliveries above the module's, so a message whose dead-lettering failed
 * is delivered again and dead-lettered then, instead of stopping in the stream for good.
 */
export function consumerConfig(consumer: ConsumerSettings): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: consumer.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    filter_subject: consumer.filterSubject,
    max_deliver: consumer.maxDeliver + DEAD_LETTER_EXTRA_DELIVERIES,
    ack_wait: nanos(consumer.ackWaitMs),
    max_ack_pending: consumer.maxAckPending ?? consumer.batchSize * 10,
  };
}

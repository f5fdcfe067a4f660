import { AckPolicy, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_EXTRA_DELIVERIES, resolveJetStreamSettings } from './jetstream.settings';
import { consumerConfig, declaredStreams, streamConfig } from './stream.config';

describe(streamConfig, () => {
  const settings = resolveJetStreamSettings({
    streams: [{ name: 'EVENTS', subjects: ['events.>'] }],
    consumers: [
      { stream: 'EVENTS', durable: 'fb-collector', filterSubject: 'events.facebook', maxDeliver: 4, batchSize: 500 },
    ],
    deadLetter: { stream: 'EVENTS_DLQ', subjectPrefix: 'dlq', maxAgeMs: 86_400_000 },
  });

  describe('when the stream is a work queue', () => {
    it('should keep unconsumed messages with no age limit, on file, refusing new messages when full', () => {
      expect(streamConfig(settings.streams[0]!)).toMatchObject({
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        discard: DiscardPolicy.New,
        max_age: 0,
        max_bytes: -1,
        duplicate_window: nanos(120_000),
      });
    });
  });

  describe('when the dead-letter stream is provisioned', () => {
    it('should add it with limits retention, its own subjects and its age limit', () => {
      const deadLetter = declaredStreams(settings).find((stream) => stream.name === 'EVENTS_DLQ')!;
      expect(streamConfig(deadLetter)).toMatchObject({
        subjects: ['dlq.>'],
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.New,
        max_age: nanos(86_400_000),
      });
    });

    it('should leave it out when provisioning is off', () => {
      const withoutDeadLetter = resolveJetStreamSettings({ deadLetter: { provision: false } });
      expect(declaredStreams(withoutDeadLetter)).toEqual([]);
    });
  });

  describe('when replicas are declared', () => {
    const replicated = resolveJetStreamSettings({
      streams: [{ name: 'EVENTS', subjects: ['events.>'], replicas: 3 }],
      deadLetter: { replicas: 3 },
    });

    it('should give the stream and the dead-letter stream that many copies', () => {
      expect(declaredStreams(replicated).map((stream) => streamConfig(stream).num_replicas)).toEqual([3, 3]);
    });

    it('should keep one copy when none are declared', () => {
      expect(declaredStreams(settings).map((stream) => streamConfig(stream).num_replicas)).toEqual([1, 1]);
    });

    it('should refuse more copies than JetStream allows', () => {
      expect(() =>
        resolveJetStreamSettings({ streams: [{ name: 'EVENTS', subjects: ['events.>'], replicas: 6 }] }),
      ).toThrow(/streams\.0\.replicas/);
    });
  });

  describe('when a limits stream has no age set', () => {
    it('should keep messages for seven days', () => {
      const [stream] = resolveJetStreamSettings({
        streams: [{ name: 'AUDIT', subjects: ['audit.>'], retention: 'limits' }],
      }).streams;
      expect(streamConfig(stream!).max_age).toBe(nanos(7 * 86_400_000));
    });
  });
});

describe(consumerConfig, () => {
  const [consumer] = resolveJetStreamSettings({
    consumers: [
      {
        stream: 'EVENTS',
        durable: 'fb-collector',
        filterSubject: 'events.facebook',
        maxDeliver: 4,
        batchSize: 500,
        ackWaitMs: 20_000,
      },
    ],
  }).consumers;

  describe('when a durable pull consumer is declared', () => {
    it('should use explicit acks, its filter and ack wait, and room for several batches in flight', () => {
      expect(consumerConfig(consumer!)).toMatchObject({
        durable_name: 'fb-collector',
        ack_policy: AckPolicy.Explicit,
        filter_subject: 'events.facebook',
        ack_wait: nanos(20_000),
        max_ack_pending: 5_000,
      });
    });

    it('should let the broker deliver a few times past maxDeliver, so a failed dead-lettering is retried', () => {
      expect(consumerConfig(consumer!).max_deliver).toBe(4 + DEAD_LETTER_EXTRA_DELIVERIES);
    });
  });
});

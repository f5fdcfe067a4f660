import { describe, expect, it } from 'vitest';
import { resolveJetStreamSettings } from './jetstream.settings';
import { MessagingOptionsError } from './messaging.errors';

describe(resolveJetStreamSettings, () => {
  describe('when given no options', () => {
    it('should fill in every default', () => {
      expect(resolveJetStreamSettings({})).toEqual({
        servers: ['nats://127.0.0.1:4222'],
        auth: {},
        connectionName: 'evp',
        streams: [],
        consumers: [],
        deadLetter: {
          stream: 'EVENTS_DLQ',
          subjectPrefix: 'dlq',
          maxAgeMs: 30 * 86_400_000,
          maxBytes: -1,
          replicas: 1,
          provision: true,
        },
        publishTimeoutMs: 5_000,
        inFlightWindow: 2_000,
        shutdownTimeoutMs: 10_000,
        reconnectTimeWaitMs: 1_000,
        waitOnFirstConnect: false,
        retryBackoff: { baseMs: 1_000, maxMs: 60_000 },
        infoCacheMs: 2_000,
      });
    });
  });

  describe('when the identity is incomplete or ambiguous', () => {
    it('should refuse a user without a password, and two identities at once', () => {
      expect(() => resolveJetStreamSettings({ auth: { user: 'gateway' } })).toThrow(
        /auth: user and password go together/,
      );
      expect(() => resolveJetStreamSettings({ auth: { token: 'a', nkeySeed: 'SUA' } })).toThrow(
        /auth: give one of user\/password, token or nkeySeed/,
      );
    });
  });

  describe('when streams and consumers are declared with only their names', () => {
    it('should default them to a work queue and the documented consumer limits', () => {
      const settings = resolveJetStreamSettings({
        streams: [{ name: 'EVENTS', subjects: ['events.>'] }],
        consumers: [{ stream: 'EVENTS', durable: 'fb-collector', filterSubject: 'events.facebook' }],
      });
      expect(settings.streams[0]).toEqual({
        name: 'EVENTS',
        subjects: ['events.>'],
        retention: 'workqueue',
        duplicateWindowMs: 120_000,
        maxBytes: -1,
        replicas: 1,
      });
      expect(settings.consumers[0]).toEqual({
        stream: 'EVENTS',
        durable: 'fb-collector',
        filterSubject: 'events.facebook',
        maxDeliver: 10,
        ackWaitMs: 30_000,
        batchSize: 1_000,
        maxWaitMs: 1_000,
      });
    });
  });

  describe('when options are invalid', () => {
    it('should name every bad option in one error', () => {
      const error = (() => {
        try {
          resolveJetStreamSettings({
            streams: [{ name: 'has.dot', subjects: [] }],
            consumers: [{ stream: 'EVENTS', durable: 'c', filterSubject: 'events.>', maxWaitMs: 100 }],
            inFlightWindow: 0,
          });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(MessagingOptionsError);
      const options = (error as MessagingOptionsError).problems.map((problem) => problem.option);
      expect(options).toEqual(
        expect.arrayContaining(['streams.0.name', 'streams.0.subjects', 'consumers.0.maxWaitMs', 'inFlightWindow']),
      );
      expect((error as MessagingOptionsError).code).toBe('MESSAGING.INVALID_OPTIONS');
    });

    it('should refuse a back-off whose cap is below its base', () => {
      expect(() => resolveJetStreamSettings({ retryBackoff: { baseMs: 5_000, maxMs: 1_000 } })).toThrow(
        /retryBackoff.*maxMs must be at least baseMs/s,
      );
    });

    it('should refuse the same durable declared twice', () => {
      const consumer = { stream: 'EVENTS', durable: 'twice', filterSubject: 'events.>' };
      expect(() => resolveJetStreamSettings({ consumers: [consumer, consumer] })).toThrow(
        /durable twice is declared twice/,
      );
    });
  });
});

import { resolve } from 'node:path';
import {
  backfillSubject,
  COLLECTOR_DURABLES,
  DEAD_LETTER_STREAM,
  DEAD_LETTER_SUBJECT_PREFIX,
  EVENTS_STREAM,
  EVENTS_SUBJECT_PREFIX,
  eventSubject,
  laneDurable,
} from '@evp/contracts';
import { ConnectError, eventsStream, type JetStreamModuleOptions, type NatsAuthOptions } from '@evp/messaging';
import { type PrivateNats, startPrivateNats } from '@evp/testing';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, eventually, type JetStreamApp, observabilityStub, startJetStreamApp } from './jetstream.harness';

/** The compose deployment's NATS configuration, exactly as the nats service mounts it. */
const NATS_CONF = resolve(__dirname, '../../../deploy/nats/nats.conf');

const PASSWORDS = {
  NATS_GATEWAY_PASSWORD: 'gateway-test-password',
  NATS_FB_COLLECTOR_PASSWORD: 'fb-collector-test-password',
  NATS_TTK_COLLECTOR_PASSWORD: 'ttk-collector-test-password',
  NATS_PROVISIONER_PASSWORD: 'provisioner-test-password',
};

const FB_DURABLE = COLLECTOR_DURABLES.facebook;
const FB_BACKFILL_DURABLE = laneDurable('backfill', FB_DURABLE);

describe('deploy/nats/nats.conf identities', () => {
  let nats: PrivateNats;
  let gateway: JetStreamApp;
  let collector: JetStreamApp;
  const consumed: string[] = [];

  /** The streams as the gateway and collectors declare them, as the given identity. */
  const serviceOptions = (connectionName: string, auth: NatsAuthOptions): JetStreamModuleOptions => ({
    servers: [nats.url],
    connectionName,
    auth,
    streams: [eventsStream(EVENTS_STREAM, EVENTS_SUBJECT_PREFIX, { maxBytes: 64 * 1024 * 1024, maxAgeMs: 0 })],
    deadLetter: { stream: DEAD_LETTER_STREAM, subjectPrefix: DEAD_LETTER_SUBJECT_PREFIX, maxBytes: 16 * 1024 * 1024 },
    publishTimeoutMs: 3_000,
    infoCacheMs: 0,
  });

  beforeAll(async () => {
    nats = await startPrivateNats({ configFile: NATS_CONF, env: PASSWORDS });
    gateway = await startJetStreamApp(
      serviceOptions('gateway', { user: 'gateway', password: PASSWORDS.NATS_GATEWAY_PASSWORD }),
      [],
      [observabilityStub().module],
    );
    collector = await startJetStreamApp(
      {
        ...serviceOptions(FB_DURABLE, { user: FB_DURABLE, password: PASSWORDS.NATS_FB_COLLECTOR_PASSWORD }),
        consumers: [
          {
            stream: EVENTS_STREAM,
            durable: FB_DURABLE,
            filterSubject: eventSubject('facebook'),
            ackWaitMs: 5_000,
            maxWaitMs: 1_000,
          },
          {
            stream: EVENTS_STREAM,
            durable: FB_BACKFILL_DURABLE,
            filterSubject: backfillSubject('facebook'),
            ackWaitMs: 5_000,
            maxWaitMs: 1_000,
          },
        ],
      },
      [],
      [observabilityStub().module],
    );
    for (const durable of [FB_DURABLE, FB_BACKFILL_DURABLE]) {
      collector.runner.register(durable, (messages) => {
        consumed.push(...messages.map((message) => message.msgId ?? ''));
        return Promise.resolve(
          messages.map((message) =>
            message.msgId?.startsWith('poison') ? { kind: 'dead-letter', reason: 'poison' } : { kind: 'ack' },
          ),
        );
      });
    }
  });

  afterAll(async () => {
    await collector?.context.close();
    await gateway?.context.close();
    await nats?.dispose();
  });

  describe('when the gateway identity', () => {
    it('should publish events and its dead letters, which the collector identity consumes from its durables', async () => {
      const report = await gateway.publisher.publishMany([
        { subject: eventSubject('facebook'), data: encode('{}'), msgId: 'valid' },
        { subject: eventSubject('facebook'), data: encode('{}'), msgId: 'poison' },
        { subject: backfillSubject('facebook'), data: encode('{}'), msgId: 'valid-backfill' },
        { subject: backfillSubject('facebook'), data: encode('{}'), msgId: 'poison-backfill' },
      ]);
      expect(report.stored).toBe(4);
      await gateway.publisher.deadLetterMany([
        { origin: 'gateway', reason: 'invalid', originalSubject: eventSubject('facebook'), data: encode('[') },
      ]);
      const all = ['valid', 'poison', 'valid-backfill', 'poison-backfill'];
      await eventually(() => all.every((id) => consumed.includes(id)), 10_000, 'every event consumed');
      const deadLetters = () => collector.connection.jsm.streams.info(DEAD_LETTER_STREAM);
      await eventually(
        async () => (await deadLetters()).state.messages === 3,
        10_000,
        "the gateway's letter and the collector's two",
      );
      expect((await deadLetters()).config.max_bytes).toBe(16 * 1024 * 1024);
    });

    it('should be refused a pull from a collector durable', async () => {
      const pull = gateway.connection.nc.request(`$JS.API.CONSUMER.MSG.NEXT.${EVENTS_STREAM}.${FB_DURABLE}`, '{}');
      await expect(pull).rejects.toThrow(/Permissions Violation for Publish to "\$JS\.API\.CONSUMER\.MSG\.NEXT/);
      await expect(jetstream(gateway.connection.nc).consumers.get(EVENTS_STREAM, FB_DURABLE)).rejects.toThrow(
        /Permissions Violation/,
      );
    });

    it('should be refused deleting or purging a stream', async () => {
      await expect(gateway.connection.jsm.streams.purge(EVENTS_STREAM)).rejects.toThrow(/Permissions Violation/);
      await expect(gateway.connection.jsm.streams.delete(DEAD_LETTER_STREAM)).rejects.toThrow(/Permissions Violation/);
    });
  });

  describe('when a collector identity', () => {
    it('should be refused publishing to events.>', async () => {
      await expect(collector.connection.js.publish(eventSubject('facebook'), encode('{}'))).rejects.toThrow(
        /Permissions Violation for Publish to "events\.facebook"/,
      );
    });

    it("should be refused the other collector's durable", async () => {
      await expect(
        collector.connection.nc.request(
          `$JS.API.CONSUMER.MSG.NEXT.${EVENTS_STREAM}.${COLLECTOR_DURABLES.tiktok}`,
          '{}',
        ),
      ).rejects.toThrow(/Permissions Violation/);
    });
  });

  describe('when the password is wrong', () => {
    it('should refuse the connection with an error naming the identity', async () => {
      const start = startJetStreamApp(
        serviceOptions('gateway', { user: 'gateway', password: 'not-the-password' }),
        [],
        [observabilityStub().module],
      );
      await expect(start).rejects.toThrow(ConnectError);
      await expect(start).rejects.toMatchObject({
        code: 'MESSAGING.AUTHENTICATION_FAILED',
        message: expect.stringMatching(/refused the credentials of user gateway: Authorization Violation/),
      });
    });
  });
});

import { type PrivateNats, startPrivateNats, uniqueNames } from '@evp/testing';
import { JetStreamConnection, type OutgoingMessage, PublishError } from '@evp/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encode,
  eventually,
  type JetStreamApp,
  observabilityStub,
  startJetStreamApp,
  suiteConsumer,
  suiteOptions,
} from './jetstream.harness';

describe(JetStreamConnection, () => {
  const names = uniqueNames('reconnect');
  const durable = names.durable('collector');
  const observability = observabilityStub();
  const consumed = new Set<string>();
  let nats: PrivateNats;
  let app: JetStreamApp;

  beforeAll(async () => {
    nats = await startPrivateNats({ jetstream: true });
    app = await startJetStreamApp(
      suiteOptions(names, {
        servers: [nats.url],
        reconnectTimeWaitMs: 200,
        publishTimeoutMs: 2_000,
        consumers: [suiteConsumer(names, durable, { batchSize: 200 })],
      }),
      [],
      [observability.module],
    );
    app.runner.register(durable, (messages) => {
      for (const message of messages) consumed.add(message.msgId!);
      return Promise.resolve(messages.map(() => ({ kind: 'ack' }) as const));
    });
  });

  afterAll(async () => {
    await app?.context.close();
    await nats?.dispose();
  });

  const batch = (label: string, count: number): OutgoingMessage[] =>
    Array.from({ length: count }, (_, index) => ({
      subject: `${names.subjectPrefix}.tiktok`,
      data: encode(`${label}-${index}`),
      msgId: `${label}-${index}`,
    }));

  const readiness = () => observability.readiness.run('nats');

  describe('when the NATS server crashes and comes back', () => {
    const before = batch('before', 500);
    const during = batch('during', 20_000);
    const after = batch('after', 500);
    let outageError: unknown;
    let crashedPublish: unknown;

    beforeAll(async () => {
      await app.publisher.publishMany(before);
      await eventually(
        () => before.every((message) => consumed.has(message.msgId!)),
        15_000,
        'the first batch consumed',
      );

      // Crash the server while a large publish is in flight.
      const inFlight = app.publisher.publishMany(during, { window: 1_000 }).catch((error: unknown) => error);
      // Crash once part of it is stored, so PubAcks are outstanding.
      const streamSequence = async () => (await app.connection.jsm.streams.info(names.stream)).state.last_seq;
      await eventually(async () => (await streamSequence()) > before.length, 10_000, 'the publish under way');
      await nats.kill();
      crashedPublish = await inFlight;
      outageError = await app.publisher.publishMany(after).catch((error: unknown) => error);
    });

    it('should fail publishes during the outage with a PublishError, never a false success', () => {
      expect(outageError).toBeInstanceOf(PublishError);
      // Refused at once while reconnecting rather than after the publish timeout.
      expect(outageError).toMatchObject({ code: 'MESSAGING.PUBLISH_FAILED', reason: 'disconnected', confirmed: 0 });
      expect(crashedPublish).toBeInstanceOf(PublishError);
      expect(crashedPublish).toMatchObject({ code: 'MESSAGING.PUBLISH_FAILED', reason: 'disconnected' });
      expect((crashedPublish as PublishError).confirmed).toBeLessThan(during.length);
    });

    it('should report NATS as not ready while it is down', async () => {
      expect((await readiness()).up).toBe(false);
    });

    it('should publish again once the server is back, the retried messages deduplicated by id', async () => {
      await nats.restart();
      await eventually(async () => (await readiness()).up, 15_000, 'reconnected');
      let report: { stored: number; duplicates: number } | undefined;
      await eventually(
        async () => {
          report = await app.publisher.publishMany([...during, ...after]).catch(() => undefined);
          return report !== undefined;
        },
        20_000,
        'a successful publish',
      );
      // Every message is confirmed once more, as new or as duplicate. After a crash the server rebuilds its duplicate
      // window from what the stream still holds, so ids of messages already consumed (and removed from the work
      // queue) are stored again: the collectors' idempotent writes absorb that.
      expect(report!.stored + report!.duplicates).toBe(during.length + after.length);
    });

    it('should keep consuming after the reconnect and lose nothing that was confirmed', async () => {
      const confirmed = [...before, ...during, ...after].map((message) => message.msgId!);
      await eventually(() => confirmed.every((id) => consumed.has(id)), 30_000, 'every confirmed message consumed');
      await eventually(
        async () => {
          const { pending, ackPending } = await app.runner.pending(durable);
          return pending === 0 && ackPending === 0;
        },
        15_000,
        'nothing pending',
      );
    });
  });
});

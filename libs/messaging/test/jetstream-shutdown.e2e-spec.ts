import { uniqueNames } from '@evp/testing';
import { type BatchHandler, type ConsumedMessage, JetStreamLifecycle } from '@evp/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminClient,
  encode,
  eventually,
  type JetStreamApp,
  openAdmin,
  startJetStreamApp,
  suiteConsumer,
  suiteOptions,
} from './jetstream.harness';

describe(JetStreamLifecycle, () => {
  const names = uniqueNames('shutdown');
  const durable = names.durable('collector');
  const options = suiteOptions(names, {
    consumers: [suiteConsumer(names, durable, { batchSize: 20, ackWaitMs: 3_000 })],
  });
  let admin: AdminClient;

  beforeAll(async () => {
    admin = await openAdmin();
  });

  afterAll(async () => {
    await admin?.cleanUp(names);
  });

  const publishNumbered = (app: JetStreamApp, from: number, count: number) =>
    app.publisher.publishMany(
      Array.from({ length: count }, (_, offset) => ({
        subject: `${names.subjectPrefix}.facebook`,
        data: encode(String(from + offset)),
        msgId: `${names.id}-${from + offset}`,
      })),
    );

  const consumerState = async () => {
    const info = await admin.jsm.consumers.info(names.stream, durable);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  };

  describe('when the application shuts down with a batch in the handler', () => {
    const firstRun: ConsumedMessage[] = [];
    let releaseHandler!: () => void;
    let app: JetStreamApp;
    let closed = false;
    let closing: Promise<void>;

    beforeAll(async () => {
      app = await startJetStreamApp(options);
      const released = new Promise<void>((resolve) => (releaseHandler = resolve));
      const slowHandler: BatchHandler = async (messages) => {
        firstRun.push(...messages);
        await released;
        return messages.map(() => ({ kind: 'ack' }));
      };
      app.runner.register(durable, slowHandler);
      await publishNumbered(app, 0, 50);
      await eventually(() => firstRun.length > 0, 10_000, 'a batch in the handler');
      closing = app.context.close().then(() => {
        closed = true;
      });
    });

    it('should wait for the batch in hand before closing', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(closed).toBe(false);
      releaseHandler();
      await closing;
      expect(closed).toBe(true);
    });

    it('should have acked exactly what was handled and left the rest undelivered', async () => {
      // The batch in the handler, plus the one pulled ahead while it ran (handled too, never left to time out).
      expect(firstRun.length).toBeGreaterThanOrEqual(20);
      expect(firstRun.length).toBeLessThan(50);
      expect(await consumerState()).toEqual({ pending: 50 - firstRun.length, ackPending: 0 });
    });

    it('should make a second close() a no-op', async () => {
      await expect(app.lifecycle.close()).resolves.toBeUndefined();
    });

    it('should let a new instance consume the rest, nothing lost and nothing twice', async () => {
      const secondRun: ConsumedMessage[] = [];
      const next = await startJetStreamApp(options);
      try {
        next.runner.register(durable, (messages) => {
          secondRun.push(...messages);
          return Promise.resolve(messages.map(() => ({ kind: 'ack' }) as const));
        });
        await eventually(() => secondRun.length >= 50 - firstRun.length, 10_000, 'the remaining messages');
        await eventually(async () => (await consumerState()).ackPending === 0, 10_000, 'acks settled');
      } finally {
        await next.context.close();
      }
      const handled = [...firstRun, ...secondRun].map((message) => message.msgId);
      expect(new Set(handled).size).toBe(50);
      expect(handled).toHaveLength(50);
      expect(secondRun.every((message) => message.deliveryCount === 1)).toBe(true);
    });
  });

  describe('when the application shuts down while a pull waits for messages', () => {
    it('should leave messages published afterwards pending for the next instance, not delivered to the stopped one', async () => {
      const app = await startJetStreamApp(options);
      const seen: ConsumedMessage[] = [];
      app.runner.register(durable, (messages) => {
        seen.push(...messages);
        return Promise.resolve(messages.map(() => ({ kind: 'ack' }) as const));
      });
      // Let the loop open its pull.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await app.context.close();

      const producer = await startJetStreamApp(suiteOptions(names));
      try {
        await publishNumbered(producer, 100, 5);
      } finally {
        await producer.context.close();
      }
      await eventually(async () => (await consumerState()).pending === 5, 5_000, 'five pending');
      expect(await consumerState()).toEqual({ pending: 5, ackPending: 0 });
      expect(seen).toHaveLength(0);
    });
  });
});

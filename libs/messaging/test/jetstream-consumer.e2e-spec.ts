import { currentCorrelation } from '@evp/observability';
import { readStream, uniqueNames } from '@evp/testing';
import {
  type ConsumedMessage,
  DEAD_LETTER_ORIGIN_HEADER,
  DEAD_LETTER_REASON_HEADER,
  HandlerRegistrationError,
  JetStreamBatchHandler,
  JetStreamConsumerRunner,
  type MessageOutcome,
  ORIGINAL_MSG_ID_HEADER,
  ORIGINAL_PART_HEADER,
  ORIGINAL_SUBJECT_HEADER,
} from '@evp/messaging';
import { Injectable } from '@nestjs/common';
import type { StoredMsg } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminClient,
  decode,
  encode,
  eventually,
  type JetStreamApp,
  observabilityStub,
  openAdmin,
  startJetStreamApp,
  suiteConsumer,
  suiteOptions,
} from './jetstream.harness';

const ack: MessageOutcome = { kind: 'ack' };

describe(JetStreamConsumerRunner, () => {
  const names = uniqueNames('consumer');
  const cases = [
    'round-trip',
    'nak',
    'max-deliver',
    'dead-letter',
    'parts',
    'sized',
    'paced',
    'throws',
    'miscount',
    'decorated',
  ] as const;
  type Case = (typeof cases)[number];
  const durable = (name: Case) => names.durable(name);
  const subject = (name: Case) => `${names.subjectPrefix}.${name}`;
  const observability = observabilityStub();
  const decorated: ConsumedMessage[] = [];

  @Injectable()
  class DecoratedHandler {
    @JetStreamBatchHandler(durable('decorated'))
    handle(messages: readonly ConsumedMessage[]): Promise<MessageOutcome[]> {
      decorated.push(...messages);
      return Promise.resolve(messages.map(() => ack));
    }
  }

  let app: JetStreamApp;
  let admin: AdminClient;

  beforeAll(async () => {
    admin = await openAdmin();
    app = await startJetStreamApp(
      suiteOptions(names, {
        // batch size 1 where the test times redeliveries, so a pull never waits to fill a batch.
        consumers: cases.map((name) =>
          suiteConsumer(names, durable(name), {
            filterSubject: subject(name),
            batchSize: name === 'nak' || name === 'max-deliver' ? 1 : 100,
            maxDeliver: name === 'max-deliver' ? 3 : 10,
          }),
        ),
        retryBackoff: { baseMs: 500, maxMs: 1_000 },
      }),
      [DecoratedHandler],
      [observability.module],
    );
  });

  afterAll(async () => {
    await app?.lifecycle.close();
    await app?.context.close();
    await admin?.cleanUp(names);
  });

  const publish = (name: Case, bodies: string[], correlationId = `corr-${name}`) =>
    app.publisher.publishMany(
      bodies.map((body, index) => ({
        subject: subject(name),
        data: encode(body),
        msgId: `${name}-${index}-${names.id}`,
        correlationId,
        headers: { 'x-test-case': name },
      })),
    );

  const settled = (name: Case) => async () => {
    const { pending, ackPending } = await app.runner.pending(durable(name));
    return pending === 0 && ackPending === 0;
  };

  const deadLetters = async (name: Case): Promise<StoredMsg[]> =>
    (await readStream(admin.jsm, names.deadLetterStream)).filter(
      (letter) => letter.header.get(DEAD_LETTER_ORIGIN_HEADER) === durable(name),
    );

  const counter = async (
    metric: 'acked' | 'naked' | 'redelivered' | 'termed' | 'deadLettered',
    labels: Record<string, string>,
  ) =>
    (await app.metrics[metric].get()).values.find((value) =>
      Object.entries(labels).every(
        ([key, label]) => (value.labels as Record<string, string | number | undefined>)[key] === label,
      ),
    )?.value ?? 0;

  describe('when the handler acks a published batch', () => {
    it('should deliver payload, ids and headers once, in the publisher correlation scope, and leave nothing pending', async () => {
      const received: ConsumedMessage[] = [];
      const scopes: Array<string | undefined> = [];
      app.runner.register(durable('round-trip'), (messages) => {
        received.push(...messages);
        scopes.push(currentCorrelation()?.correlationId);
        return Promise.resolve(messages.map(() => ack));
      });

      await publish('round-trip', ['one', 'two', 'three']);
      await eventually(() => received.length === 3, 10_000, 'three deliveries');
      await eventually(settled('round-trip'), 10_000, 'nothing pending');

      expect(received.map((message) => decode(message.data))).toEqual(['one', 'two', 'three']);
      expect(received[0]).toMatchObject({
        subject: subject('round-trip'),
        msgId: `round-trip-0-${names.id}`,
        correlationId: 'corr-round-trip',
        deliveryCount: 1,
        headers: { 'x-test-case': 'round-trip', 'x-correlation-id': 'corr-round-trip' },
      });
      expect(received[0]!.streamSequence).toBeGreaterThan(0);
      expect(scopes.every((scope) => scope === 'corr-round-trip')).toBe(true);
      expect(await counter('acked', { durable: durable('round-trip') })).toBe(3);
    });
  });

  describe('when the handler asks for a retry', () => {
    it('should nak with the back-off delay and get the message again with a higher delivery count', async () => {
      const deliveries: Array<{ at: number; count: number }> = [];
      app.runner.register(durable('nak'), (messages) => {
        deliveries.push(...messages.map((message) => ({ at: Date.now(), count: message.deliveryCount })));
        return Promise.resolve(
          messages.map((message) => (message.deliveryCount === 1 ? { kind: 'retry', reason: 'db busy' } : ack)),
        );
      });

      await publish('nak', ['later']);
      await eventually(() => deliveries.length === 2, 10_000, 'a redelivery');
      await eventually(settled('nak'), 10_000, 'nothing pending');

      expect(deliveries.map((delivery) => delivery.count)).toEqual([1, 2]);
      // The first retry waits baseMs (500 ms); an immediate redelivery would arrive within a few ms.
      expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(450);
      expect(await counter('naked', { durable: durable('nak') })).toBe(1);
      expect(await counter('redelivered', { durable: durable('nak') })).toBe(1);
    });
  });

  describe('when a message keeps failing until maxDeliver', () => {
    it('should dead-letter it with the last reason and terminate it', async () => {
      const counts: number[] = [];
      app.runner.register(durable('max-deliver'), (messages) => {
        counts.push(...messages.map((message) => message.deliveryCount));
        return Promise.resolve(messages.map(() => ({ kind: 'retry', reason: 'database unavailable' }) as const));
      });

      await publish('max-deliver', ['doomed']);
      await eventually(async () => (await deadLetters('max-deliver')).length === 1, 15_000, 'a dead letter');
      await eventually(settled('max-deliver'), 10_000, 'nothing pending');

      expect(counts).toEqual([1, 2, 3]);
      const [letter] = await deadLetters('max-deliver');
      expect(letter!.header.get(DEAD_LETTER_REASON_HEADER)).toBe('max deliveries reached: database unavailable');
      expect(letter!.header.get(ORIGINAL_SUBJECT_HEADER)).toBe(subject('max-deliver'));
      expect(letter!.header.get(ORIGINAL_MSG_ID_HEADER)).toBe(`max-deliver-0-${names.id}`);
      expect(letter!.header.get('x-correlation-id')).toBe('corr-max-deliver');
      expect(decode(letter!.data)).toBe('doomed');
      expect(await counter('termed', { durable: durable('max-deliver'), reason: 'max-deliveries' })).toBe(1);
    });
  });

  describe('when the handler dead-letters a poison message', () => {
    it('should publish it to the dead-letter stream with the reason, terminate it, and ack the others', async () => {
      const seen: string[] = [];
      app.runner.register(durable('dead-letter'), (messages) => {
        seen.push(...messages.map((message) => decode(message.data)));
        return Promise.resolve(
          messages.map((message) =>
            decode(message.data) === 'poison' ? { kind: 'dead-letter', reason: 'unparseable JSON' } : ack,
          ),
        );
      });

      await publish('dead-letter', ['fine', 'poison', 'also fine']);
      await eventually(async () => (await deadLetters('dead-letter')).length === 1, 10_000, 'a dead letter');
      await eventually(settled('dead-letter'), 10_000, 'nothing pending');

      const [letter] = await deadLetters('dead-letter');
      expect(letter!.subject).toBe(`${names.deadLetterPrefix}.${durable('dead-letter')}`);
      expect(letter!.header.get(DEAD_LETTER_REASON_HEADER)).toBe('unparseable JSON');
      expect(letter!.header.get('x-delivery-count')).toBe('1');
      expect(decode(letter!.data)).toBe('poison');
      // Delivered once: terminated, not redelivered.
      expect(seen.sort()).toEqual(['also fine', 'fine', 'poison']);
      expect(await counter('termed', { durable: durable('dead-letter'), reason: 'dead-letter' })).toBe(1);
      expect(await counter('acked', { durable: durable('dead-letter') })).toBe(2);
      expect(await counter('deadLettered', { origin: durable('dead-letter') })).toBe(1);
    });
  });

  describe('when the handler acks a message with parts to dead-letter', () => {
    it('should dead-letter each part alone with its reason and index, then ack the message', async () => {
      app.runner.register(durable('parts'), (messages) =>
        Promise.resolve(
          messages.map((message): MessageOutcome => {
            const parts = decode(message.data).split('|');
            return {
              kind: 'ack',
              deadLetterParts: parts.flatMap((part, index) =>
                part.startsWith('bad')
                  ? [{ index, reason: `${part} is bad`, data: encode(part), id: `id-${part}` }]
                  : [],
              ),
            };
          }),
        ),
      );

      await publish('parts', ['good|bad-1|good|bad-2', 'good|good']);
      await eventually(async () => (await deadLetters('parts')).length === 2, 10_000, 'two dead letters');
      await eventually(settled('parts'), 10_000, 'nothing pending');

      const letters = await deadLetters('parts');
      expect(letters.map((letter) => decode(letter.data))).toEqual(['bad-1', 'bad-2']);
      expect(letters.map((letter) => letter.header.get(DEAD_LETTER_REASON_HEADER))).toEqual([
        'bad-1 is bad',
        'bad-2 is bad',
      ]);
      expect(letters.map((letter) => letter.header.get(ORIGINAL_PART_HEADER))).toEqual(['1', '3']);
      expect(letters.map((letter) => letter.header.get(ORIGINAL_MSG_ID_HEADER))).toEqual(['id-bad-1', 'id-bad-2']);
      expect(letters.every((letter) => letter.header.get(ORIGINAL_SUBJECT_HEADER) === subject('parts'))).toBe(true);
      expect(await counter('acked', { durable: durable('parts') })).toBe(2);
      expect(await counter('termed', { durable: durable('parts'), reason: 'dead-letter' })).toBe(0);
    });
  });

  describe('when the handler sizes its pulls', () => {
    it('should ask for that many messages at most in each pull', async () => {
      const batches: number[] = [];
      app.runner.register(
        durable('sized'),
        (messages) => {
          batches.push(messages.length);
          return Promise.resolve(messages.map(() => ack));
        },
        { nextBatchSize: () => 2 },
      );

      await publish('sized', ['a', 'b', 'c', 'd', 'e']);
      await eventually(() => batches.reduce((sum, size) => sum + size, 0) === 5, 10_000, 'every message');

      expect(Math.max(...batches)).toBe(2);
    });
  });

  describe('when the handler paces its pulls', () => {
    it('should wait the delay it asks for before each pull, leaving what arrives meanwhile in the stream', async () => {
      const delays: number[] = [];
      const received: string[] = [];
      app.runner.register(
        durable('paced'),
        (messages) => {
          received.push(...messages.map((message) => decode(message.data)));
          return Promise.resolve(messages.map(() => ack));
        },
        // The first pull at once, then a wait far longer than the suite: the loop must sit in it (and the suite's
        // shutdown must cut it short).
        { delayBeforePull: () => (delays.push(delays.length === 0 ? 0 : 600_000), delays.at(-1) ?? 0) },
      );

      await publish('paced', ['first']);
      await eventually(() => received.length === 1 && delays.length === 2, 10_000, 'the first pull and the wait');
      await app.publisher.publish({ subject: subject('paced'), data: encode('second'), msgId: `paced-2-${names.id}` });

      expect(await app.runner.pending(durable('paced'))).toEqual({ pending: 1, ackPending: 0 });
      expect(received).toEqual(['first']);
    });
  });

  describe('when the handler throws', () => {
    it('should retry the whole batch and ack nothing of the failed attempt', async () => {
      const attempts: number[][] = [];
      app.runner.register(durable('throws'), (messages) => {
        attempts.push(messages.map((message) => message.deliveryCount));
        if (attempts.length === 1) return Promise.reject(new Error('connection reset'));
        return Promise.resolve(messages.map(() => ack));
      });

      await publish('throws', ['a', 'b']);
      await eventually(() => attempts.flat().filter((count) => count === 2).length === 2, 10_000, 'both redelivered');
      await eventually(settled('throws'), 10_000, 'nothing pending');

      expect(attempts[0]).toEqual([1, 1]);
      expect(await counter('acked', { durable: durable('throws') })).toBe(2);
    });
  });

  describe('when the handler returns fewer outcomes than messages', () => {
    it('should treat the batch as failed and retry all of it', async () => {
      const attempts: number[][] = [];
      app.runner.register(durable('miscount'), (messages) => {
        attempts.push(messages.map((message) => message.deliveryCount));
        return Promise.resolve(attempts.length === 1 ? [ack] : messages.map(() => ack));
      });

      await publish('miscount', ['a', 'b', 'c']);
      await eventually(
        () => attempts.flat().filter((count) => count === 2).length === 3,
        10_000,
        'all three redelivered',
      );
      await eventually(settled('miscount'), 10_000, 'nothing pending');

      expect(attempts[0]).toEqual([1, 1, 1]);
      expect(await counter('acked', { durable: durable('miscount') })).toBe(3);
    });
  });

  describe('when a provider method carries @JetStreamBatchHandler', () => {
    it('should be discovered and receive the batches of its durable', async () => {
      expect(app.runner.running).toContain(durable('decorated'));
      await publish('decorated', ['via decorator']);
      await eventually(() => decorated.length === 1, 10_000, 'the decorated handler');
      expect(decode(decorated[0]!.data)).toBe('via decorator');
    });
  });

  describe('when a handler is registered for an undeclared durable', () => {
    it('should refuse it with MESSAGING.HANDLER_REGISTRATION', () => {
      expect(() => app.runner.register('nobody', () => Promise.resolve([]))).toThrow(HandlerRegistrationError);
    });
  });

  describe('when readiness is checked', () => {
    it('should report the connection, the streams and the consumers as up', async () => {
      const { readiness } = observability;
      expect(readiness.names()).toEqual(
        expect.arrayContaining([
          'nats',
          `stream:${names.stream}`,
          `stream:${names.deadLetterStream}`,
          `consumer:${durable('nak')}`,
        ]),
      );
      for (const name of readiness.names()) expect(await readiness.run(name)).toEqual({ up: true });
    });
  });

  describe('when metrics are scraped', () => {
    it('should expose the messaging metrics in the application registry, with consumer pending per durable', async () => {
      const text = await observability.registry.metrics();
      for (const metric of [
        'messaging_published_total',
        'messaging_acked_total',
        'messaging_naked_total',
        'messaging_termed_total',
        'messaging_redelivered_total',
      ]) {
        expect(text).toContain(metric);
      }
      expect(text).toContain(
        `messaging_consumer_pending{stream="${names.stream}",durable="${durable('round-trip')}"} 0`,
      );
    });
  });

  describe('when the dead-letter stream cannot take the message', () => {
    const isolated = uniqueNames('consumer-dlq-down');
    const isolatedDurable = isolated.durable('poison');
    let isolatedApp: JetStreamApp;

    afterAll(async () => {
      await isolatedApp?.context.close();
      await admin.jsm.streams.delete(isolated.stream).catch(() => undefined);
      await admin.jsm.streams.delete(isolated.deadLetterStream).catch(() => undefined);
    });

    it('should keep retrying the poison message, and dead-letter it once the stream is back', async () => {
      isolatedApp = await startJetStreamApp(
        suiteOptions(isolated, {
          // Nobody provisions the dead-letter stream, so dead-lettering fails with no responders at first.
          deadLetter: { stream: isolated.deadLetterStream, subjectPrefix: isolated.deadLetterPrefix, provision: false },
          consumers: [suiteConsumer(isolated, isolatedDurable, { batchSize: 1 })],
          retryBackoff: { baseMs: 200, maxMs: 200 },
        }),
      );
      const deliveries: number[] = [];
      isolatedApp.runner.register(isolatedDurable, (messages) => {
        deliveries.push(...messages.map((message) => message.deliveryCount));
        return Promise.resolve(messages.map(() => ({ kind: 'dead-letter', reason: 'poison' }) as const));
      });
      await isolatedApp.publisher.publish({
        subject: `${isolated.subjectPrefix}.facebook`,
        data: encode('poison'),
        msgId: 'p-1',
      });
      await eventually(() => deliveries.length >= 2, 10_000, 'a redelivery after the failed dead-lettering');
      // Still in the stream: naked for another try, not terminated.
      const unfinished = await isolatedApp.runner.pending(isolatedDurable);
      expect(unfinished.pending + unfinished.ackPending).toBe(1);
      expect(await admin.jsm.streams.info(isolated.stream).then((info) => info.state.messages)).toBe(1);

      await admin.jsm.streams.add({ name: isolated.deadLetterStream, subjects: [`${isolated.deadLetterPrefix}.>`] });
      await eventually(
        async () => (await readStream(admin.jsm, isolated.deadLetterStream)).length === 1,
        10_000,
        'the dead letter',
      );
      await eventually(
        async () => {
          const { pending, ackPending } = await isolatedApp.runner.pending(isolatedDurable);
          return pending === 0 && ackPending === 0;
        },
        10_000,
        'the message terminated',
      );
      const [letter] = await readStream(admin.jsm, isolated.deadLetterStream);
      expect(letter!.header.get(DEAD_LETTER_REASON_HEADER)).toBe('poison');
      expect(deliveries[0]).toBe(1);
    });
  });
});

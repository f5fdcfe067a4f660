import { CollectorBatchHandler } from '@evp/collector';
import { DEAD_LETTER_ORIGIN_HEADER, DEAD_LETTER_REASON_HEADER, ORIGINAL_SUBJECT_HEADER } from '@evp/messaging';
import { eventSubject } from '@evp/contracts';
import { amountToCents, centsToAmount, type DecimalAmount } from '@evp/database';
import { createTestDatabase, readStream, streamMessageCount } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  eventually,
  publishAll,
  startTestCollector,
  type TestCollector,
  type TestMessage,
} from './support/collector.harness';
import { type CollectorSuite, openCollectorSuite, suiteCollectorOptions } from './support/collector.suite';

describe(CollectorBatchHandler, () => {
  let suite: CollectorSuite;
  let collector: TestCollector;
  let subject: string;

  beforeAll(async () => {
    suite = await openCollectorSuite('collector', await createTestDatabase());
    subject = eventSubject('facebook', suite.names.subjectPrefix);
    collector = await startTestCollector(suiteCollectorOptions(suite, 'facebook', { batchSize: 100 }));
  });

  afterEach(async () => {
    await suite.pool.query('TRUNCATE events, event_counts_minute, event_counts_hour, revenue_minute, revenue_hour');
  });

  afterAll(async () => {
    await collector?.close();
    await suite?.close();
  });

  const drained = async (accepted: number) =>
    (await collector.metric('collector_events_accepted_total')) >= accepted &&
    (await streamMessageCount(suite.admin.jsm, suite.names.stream)) === 0;

  describe('when events arrive repeated within batches and across batches', () => {
    it('should store each event once with its raw event, correlation id and exact amount', async () => {
      const generator = new EventGenerator({ seed: 21 });
      const events = Array.from({ length: 1_500 }, () => generator.facebook());
      const correlationOf = (index: number) => `request-${Math.floor(index / 300)}`;
      const messageOf = (index: number): TestMessage => ({
        subject,
        data: JSON.stringify(events[index]),
        correlationId: correlationOf(index),
      });
      // No message ids: the stream keeps the repeats, as it does for repeats beyond its duplicate window.
      const messages: TestMessage[] = [];
      events.forEach((_, index) => {
        messages.push(messageOf(index));
        if (index % 5 === 0) messages.push(messageOf(index));
      });
      for (let index = 0; index < events.length; index += 7) messages.push(messageOf(index));
      const acceptedBefore = await collector.metric('collector_events_accepted_total');
      await publishAll(suite.admin.js, messages);
      await eventually(() => drained(acceptedBefore + messages.length), 60_000, 'every message handled');

      expect(await countRows(suite.pool)).toBe(events.length);
      const rows = (
        await suite.pool.query<{ event_id: string; event_type: string; correlation_id: string; raw: unknown }>(
          'SELECT event_id, event_type, correlation_id, raw FROM events',
        )
      ).rows;
      const byId = new Map(rows.map((row) => [row.event_id, row]));
      events.forEach((event, index) => {
        expect(byId.get(event.eventId), event.eventId).toEqual({
          event_id: event.eventId,
          event_type: event.eventType,
          correlation_id: correlationOf(index),
          raw: event,
        });
      });
      const expectedCents = events.reduce((sum, event) => {
        const amount = event.funnelStage === 'bottom' ? event.data.engagement.purchaseAmount : null;
        return amount === null ? sum : sum + amountToCents(amount as DecimalAmount);
      }, 0n);
      expect(expectedCents).toBeGreaterThan(0n);
      const { total } = (
        await suite.pool.query<{ total: string }>('SELECT sum(purchase_amount)::text AS total FROM events')
      ).rows[0]!;
      expect(total).toBe(centsToAmount(expectedCents));

      expect(await collector.metric('collector_events_processed_total', { source: 'facebook' })).toBe(events.length);
      expect(await collector.metric('collector_events_duplicate_total', { source: 'facebook' })).toBe(
        messages.length - events.length,
      );
      expect(await collector.metric('collector_events_failed_total')).toBe(0);
    });
  });

  describe('when events already stored arrive again', () => {
    it('should ack them as duplicates and store nothing new', async () => {
      const generator = new EventGenerator({ seed: 22 });
      const events = Array.from({ length: 300 }, () => generator.facebook());
      const messages = events.map((event): TestMessage => ({
        subject,
        data: JSON.stringify(event),
        correlationId: 'first',
      }));
      const processedBefore = await collector.metric('collector_events_processed_total');
      const duplicatesBefore = await collector.metric('collector_events_duplicate_total');
      let accepted = await collector.metric('collector_events_accepted_total');
      await publishAll(suite.admin.js, messages);
      await eventually(() => drained(accepted + messages.length), 60_000, 'the first delivery handled');
      accepted += messages.length;
      await publishAll(
        suite.admin.js,
        messages.map((message) => ({ ...message, correlationId: 'again' })),
      );
      await eventually(() => drained(accepted + messages.length), 60_000, 'the repeats handled');

      expect(await countRows(suite.pool)).toBe(events.length);
      expect(await countRows(suite.pool, `correlation_id = 'again'`)).toBe(0);
      expect((await collector.metric('collector_events_processed_total')) - processedBefore).toBe(events.length);
      expect((await collector.metric('collector_events_duplicate_total')) - duplicatesBefore).toBe(events.length);
    });
  });

  describe('when poison messages arrive among valid events', () => {
    it('should store the valid events and dead-letter each poison message with its reason', async () => {
      const generator = new EventGenerator({ seed: 23 });
      const valid = Array.from({ length: 60 }, () => generator.facebook());
      const missingId = { ...generator.facebook(), eventId: undefined };
      const otherSource = generator.tiktok();
      const refusedByDatabase = generator.facebook('page.like');
      refusedByDatabase.data.user.name = 'Nul\u0000Byte';
      const poison: TestMessage[] = [
        { subject, data: '{"eventId": "half', correlationId: 'poison', msgId: 'not-json' },
        { subject, data: JSON.stringify(missingId), correlationId: 'poison' },
        { subject, data: JSON.stringify(otherSource), correlationId: 'poison', msgId: otherSource.eventId },
        { subject, data: JSON.stringify(refusedByDatabase), correlationId: 'poison', msgId: refusedByDatabase.eventId },
      ];
      const messages = [
        ...valid
          .slice(0, 30)
          .map((event): TestMessage => ({ subject, data: JSON.stringify(event), correlationId: 'valid' })),
        ...poison,
        ...valid
          .slice(30)
          .map((event): TestMessage => ({ subject, data: JSON.stringify(event), correlationId: 'valid' })),
      ];
      const accepted = await collector.metric('collector_events_accepted_total');
      await publishAll(suite.admin.js, messages);
      await eventually(() => drained(accepted + messages.length), 60_000, 'every message handled');
      await eventually(
        async () => (await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream)) === poison.length,
        10_000,
        'the dead letters',
      );

      expect(await countRows(suite.pool)).toBe(valid.length);
      const letters = await readStream(suite.admin.jsm, suite.names.deadLetterStream);
      const durable = suite.names.durable('facebook');
      expect(letters.map((letter) => letter.subject)).toEqual(
        poison.map(() => `${suite.names.deadLetterPrefix}.${durable}`),
      );
      expect(letters.map((letter) => letter.header.get(DEAD_LETTER_ORIGIN_HEADER))).toEqual(poison.map(() => durable));
      expect(letters.map((letter) => letter.header.get(ORIGINAL_SUBJECT_HEADER))).toEqual(poison.map(() => subject));
      expect(letters.map((letter) => letter.string())).toEqual(poison.map((message) => message.data));
      const reasons = letters.map((letter) => letter.header.get(DEAD_LETTER_REASON_HEADER));
      expect(reasons[0]).toMatch(/^not JSON: /);
      expect(reasons[1]).toMatch(/^invalid event: eventId: /);
      expect(reasons[2]).toBe('event of source tiktok on the facebook subject');
      expect(reasons[3]).toMatch(/^database refused the event: /);
      expect(await collector.metric('collector_events_failed_total', { reason: 'invalid' })).toBe(3);
      expect(await collector.metric('collector_events_failed_total', { reason: 'dead_letter' })).toBe(1);
      expect(await collector.readiness.run('database')).toEqual({ up: true });
    });
  });
});

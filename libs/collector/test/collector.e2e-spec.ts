import { CollectorBatchHandler } from '@evp/collector';
import {
  DEAD_LETTER_ORIGIN_HEADER,
  DEAD_LETTER_REASON_HEADER,
  ORIGINAL_MSG_ID_HEADER,
  ORIGINAL_PART_HEADER,
  ORIGINAL_SUBJECT_HEADER,
} from '@evp/messaging';
import { eventSubject, type FacebookEvent, type MarketingEvent } from '@evp/contracts';
import { amountToCents, centsToAmount, type DecimalAmount, EventBatchWriter, type EventRow } from '@evp/database';
import { createTestDatabase, eventRowOf, readStream, streamMessageCount } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  eventually,
  packedMessages,
  publishAll,
  startTestCollector,
  type TestCollector,
  type TestMessage,
  withExtraFields,
} from './support/collector.harness';
import { type CollectorSuite, openCollectorSuite, suiteCollectorOptions } from './support/collector.suite';

/**
 * The columns of `events_as_received` the suite's normaliser (the shared fixture `eventRowOf`) fills for an event, as
 * PostgreSQL gives them back: every typed column, the ids as sent, and `extra` (null: none of these events has fields
 * outside the contract).
 */
function storedColumnsOf(event: MarketingEvent, correlationId: string): Record<string, unknown> {
  const columnOf = (field: string) => field.replaceAll(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  const valueOf = (field: string, value: unknown): unknown => {
    if (value === null || value === undefined) return null;
    if (field === 'occurredAt' || field === 'actionTime') return new Date(value as string);
    // numeric(12,2) answers with two decimals
    if (field === 'purchaseAmount') return centsToAmount(amountToCents(value as DecimalAmount));
    return value;
  };
  return Object.fromEntries(
    Object.entries(eventRowOf(event, { correlationId })).map(([field, value]) => [
      columnOf(field),
      valueOf(field, value),
    ]),
  );
}

const MAX_EVENTS_PER_WRITE = 250;
/** Binds only for large events: 250 events of the usual ~600 bytes are ~150 KB. */
const MAX_BYTES_PER_WRITE = 256 * 1024;

describe(CollectorBatchHandler, () => {
  let suite: CollectorSuite;
  let collector: TestCollector;
  let subject: string;
  /** Rows of each statement the collector wrote. */
  const writes: number[] = [];

  beforeAll(async () => {
    suite = await openCollectorSuite('collector', await createTestDatabase());
    subject = eventSubject('facebook', suite.names.subjectPrefix);
    collector = await startTestCollector(
      suiteCollectorOptions(suite, 'facebook', {
        batchSize: 100,
        maxEventsPerWrite: MAX_EVENTS_PER_WRITE,
        maxBytesPerWrite: MAX_BYTES_PER_WRITE,
      }),
    );
    // Watches the statements the collector sends; the writer itself is left as it is.
    const writer = collector.context.get(EventBatchWriter);
    const write = writer.write.bind(writer);
    writer.write = (rows: readonly EventRow[]) => {
      writes.push(rows.length);
      return write(rows);
    };
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
    it('should store each event once with its ids as sent, typed columns, correlation id and exact amount', async () => {
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
      // `events` keys rows by uuid; the view gives the ids back as sent, with every other column. The generated
      // events carry no field outside the contract, so `extra` stays empty (checked below with events that do).
      const rows = (await suite.pool.query<Record<string, unknown>>('SELECT * FROM events_as_received')).rows;
      const byId = new Map(rows.map((row) => [row.event_id, row]));
      events.forEach((event, index) => {
        expect(byId.get(event.eventId), event.eventId).toMatchObject(storedColumnsOf(event, correlationOf(index)));
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
      const unstorable = generator.facebook('page.like');
      unstorable.data.user.name = 'Nul\u0000Byte';
      const poison: TestMessage[] = [
        { subject, data: '{"eventId": "half', correlationId: 'poison', msgId: 'not-json' },
        { subject, data: JSON.stringify(missingId), correlationId: 'poison' },
        { subject, data: JSON.stringify(otherSource), correlationId: 'poison', msgId: otherSource.eventId },
        { subject, data: JSON.stringify(unstorable), correlationId: 'poison', msgId: unstorable.eventId },
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
      // The contract refuses what PostgreSQL cannot store, so the collector names it before any write is tried.
      expect(reasons[3]).toMatch(/^invalid event: data\.user\.name: must not contain the NUL character/);
      expect(await collector.metric('collector_events_failed_total', { reason: 'invalid' })).toBe(4);
      expect(await collector.readiness.run('database')).toEqual({ up: true });
    });
  });

  describe('when large events arrive', () => {
    it('should bound each write by bytes as well as by count, and store every event', async () => {
      const generator = new EventGenerator({ seed: 31 });
      // ~4 KB each, in a field outside the contract (kept in `extra`): 64 of them fill a write's bytes.
      const events = Array.from({ length: 300 }, () => ({ ...generator.facebook(), notes: 'n'.repeat(4_000) }));
      const messages = packedMessages(subject, events, 50, { correlationId: 'large' });
      const eventBytes = Math.min(...messages.map((message) => Buffer.byteLength(message.data) / 50));
      const acceptedBefore = await collector.metric('collector_events_accepted_total');
      writes.length = 0;

      await publishAll(suite.admin.js, messages);
      await eventually(() => drained(acceptedBefore + events.length), 60_000, 'every message handled');

      expect(await countRows(suite.pool, `correlation_id = 'large'`)).toBe(events.length);
      expect(writes.reduce((sum, rows) => sum + rows, 0)).toBe(events.length);
      expect(Math.max(...writes)).toBeLessThanOrEqual(Math.floor(MAX_BYTES_PER_WRITE / eventBytes));
      expect(Math.max(...writes)).toBeLessThan(MAX_EVENTS_PER_WRITE);
    });
  });

  describe('when events arrive as arrays in messages, beside single-object messages of the earlier format', () => {
    it('should store every event once in bounded writes, and count events and messages', async () => {
      const generator = new EventGenerator({ seed: 28 });
      const events = Array.from({ length: 1_000 }, () => generator.facebook());
      const large = Array.from({ length: 300 }, () => generator.facebook());
      const single = Array.from({ length: 20 }, () => generator.facebook());
      const messages = [
        ...packedMessages(subject, events, 100, { correlationId: 'packed', receivedAt: '2026-12-06T01:02:03.456Z' }),
        ...packedMessages(subject, large, large.length, { correlationId: 'packed' }),
        ...single.map((event): TestMessage => ({ subject, data: JSON.stringify(event), correlationId: 'single' })),
      ];
      const total = events.length + large.length + single.length;
      const acceptedBefore = await collector.metric('collector_events_accepted_total');
      const processedBefore = await collector.metric('collector_events_processed_total');
      const messagesBefore = await collector.metric('collector_messages_received_total');
      writes.length = 0;

      await publishAll(suite.admin.js, messages);
      await eventually(() => drained(acceptedBefore + total), 60_000, 'every message handled');

      expect(await countRows(suite.pool)).toBe(total);
      expect(await countRows(suite.pool, `correlation_id = 'single'`)).toBe(single.length);
      // The gateway's received time is stored with every event of a message that carries it, NULL for the others.
      expect(await countRows(suite.pool, `received_at = '2026-12-06T01:02:03.456Z'`)).toBe(events.length);
      expect(await countRows(suite.pool, 'received_at IS NULL')).toBe(large.length + single.length);
      expect((await collector.metric('collector_events_processed_total')) - processedBefore).toBe(total);
      expect((await collector.metric('collector_messages_received_total')) - messagesBefore).toBe(messages.length);
      expect(Math.max(...writes)).toBeLessThanOrEqual(MAX_EVENTS_PER_WRITE);
      expect(writes.reduce((sum, rows) => sum + rows, 0)).toBe(total);

      // The same arrays again (as after the duplicate window): every event a duplicate, nothing stored twice.
      const duplicatesBefore = await collector.metric('collector_events_duplicate_total');
      await publishAll(suite.admin.js, packedMessages(subject, events, 100, { correlationId: 'again' }));
      await eventually(() => drained(acceptedBefore + total + events.length), 60_000, 'the repeats handled');
      expect(await countRows(suite.pool)).toBe(total);
      expect((await collector.metric('collector_events_duplicate_total')) - duplicatesBefore).toBe(events.length);
    });
  });

  describe('when an array message holds events that cannot be stored', () => {
    it('should dead-letter each of them alone, naming its index, and store the others of the message', async () => {
      const generator = new EventGenerator({ seed: 29 });
      const valid = Array.from({ length: 6 }, () => generator.facebook());
      const missingUser = { ...generator.facebook(), data: {} };
      const otherSource = generator.tiktok();
      const unstorable = generator.facebook('page.like');
      unstorable.data.user.name = 'Nul\u0000Byte';
      const events = [valid[0], valid[1], missingUser, valid[2], otherSource, valid[3], unstorable, valid[4]];
      const [message] = packedMessages(subject, events, events.length, {
        correlationId: 'parts',
        msgIdPrefix: 'parts',
      });
      const accepted = await collector.metric('collector_events_accepted_total');
      const invalidBefore = await collector.metric('collector_events_failed_total', { reason: 'invalid' });
      const lettersBefore = await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream);

      await publishAll(suite.admin.js, [message!, { subject, data: JSON.stringify([valid[5]]) }]);
      await eventually(() => drained(accepted + events.length + 1), 60_000, 'both messages handled');
      await eventually(
        async () => (await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream)) === lettersBefore + 3,
        10_000,
        'the dead letters',
      );

      expect(await countRows(suite.pool)).toBe(valid.length);
      const letters = (await readStream(suite.admin.jsm, suite.names.deadLetterStream)).slice(lettersBefore);
      expect(letters.map((letter) => JSON.parse(letter.string()) as unknown)).toEqual([
        missingUser,
        otherSource,
        unstorable,
      ]);
      expect(letters.map((letter) => letter.header.get(ORIGINAL_PART_HEADER))).toEqual(['2', '4', '6']);
      expect(letters.map((letter) => letter.header.get(ORIGINAL_MSG_ID_HEADER))).toEqual([
        missingUser.eventId,
        otherSource.eventId,
        unstorable.eventId,
      ]);
      expect(letters.every((letter) => letter.header.get('x-correlation-id') === 'parts')).toBe(true);
      const reasons = letters.map((letter) => letter.header.get(DEAD_LETTER_REASON_HEADER));
      expect(reasons[0]).toMatch(/^event 2 of the message: invalid event: data/);
      expect(reasons[1]).toBe('event 4 of the message: event of source tiktok on the facebook subject');
      expect(reasons[2]).toMatch(/^event 6 of the message: invalid event: data\.user\.name: must not contain the NUL/);
      expect((await collector.metric('collector_events_failed_total', { reason: 'invalid' })) - invalidBefore).toBe(3);
    });
  });

  /** A bottom-funnel Facebook checkout with an amount: it shows in every rollup table, revenue included. */
  function checkout(seed: number): Extract<FacebookEvent, { funnelStage: 'bottom' }> {
    const event = new EventGenerator({ seed }).facebook('checkout.complete');
    if (event.funnelStage !== 'bottom') throw new Error('checkout.complete is a bottom-funnel event');
    return event;
  }

  /** An instant of yesterday (UTC): instants of one day share a day partition, and yesterday is always retained. */
  function yesterdayAt(hour: number, minute: number): string {
    const today = new Date();
    today.setUTCHours(0, 0, 0, 0);
    return new Date(today.getTime() - 86_400_000 + (hour * 60 + minute) * 60_000).toISOString();
  }

  const truncateTo = (iso: string, unit: 'minute' | 'hour'): Date => {
    const date = new Date(iso);
    date.setUTCSeconds(0, 0);
    if (unit === 'hour') date.setUTCMinutes(0);
    return date;
  };

  /** Every row of the four rollup tables, as the reports read them. */
  async function rollups(): Promise<Record<string, unknown[]>> {
    const counts = (unit: string) =>
      suite.pool.query(`SELECT bucket, event_type, events::int AS events FROM event_counts_${unit} ORDER BY bucket`);
    const revenue = (unit: string) =>
      suite.pool.query(
        `SELECT bucket, revenue::text AS revenue, transactions::int AS transactions
         FROM revenue_${unit} ORDER BY bucket`,
      );
    return {
      countsPerMinute: (await counts('minute')).rows,
      countsPerHour: (await counts('hour')).rows,
      revenuePerMinute: (await revenue('minute')).rows,
      revenuePerHour: (await revenue('hour')).rows,
    };
  }

  /** Publishes one message (no message id, as a re-send after the broker's duplicate window) and waits for it. */
  async function publishOne(message: TestMessage): Promise<void> {
    const accepted = await collector.metric('collector_events_accepted_total');
    await publishAll(suite.admin.js, [message]);
    await eventually(() => drained(accepted + 1), 30_000, 'the message handled');
  }

  describe('when an event id arrives again with another timestamp of the same day', () => {
    it('should store the first, dead-letter the second as a conflicting timestamp, and count the event once', async () => {
      const first = { ...checkout(24), timestamp: yesterdayAt(3, 15) };
      const second = { ...first, timestamp: yesterdayAt(20, 40) };
      const processedBefore = await collector.metric('collector_events_processed_total');
      const duplicatesBefore = await collector.metric('collector_events_duplicate_total');
      const deadLetteredBefore = await collector.metric('collector_events_failed_total', { reason: 'dead_letter' });
      const lettersBefore = await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream);

      // One after the other, so the first is stored before the second is seen, whatever the batching.
      await publishOne({ subject, data: JSON.stringify(first), correlationId: 'first-time' });
      await publishOne({ subject, data: JSON.stringify(second), correlationId: 'other-time' });
      await eventually(
        async () => (await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream)) === lettersBefore + 1,
        10_000,
        'the dead letter',
      );

      const stored = await suite.pool.query<{ occurred_at: Date; correlation_id: string }>(
        'SELECT occurred_at, correlation_id FROM events_as_received WHERE event_id = $1',
        [first.eventId],
      );
      expect(stored.rows).toEqual([{ occurred_at: new Date(first.timestamp), correlation_id: 'first-time' }]);
      expect(await countRows(suite.pool)).toBe(1);

      const letter = (await readStream(suite.admin.jsm, suite.names.deadLetterStream)).at(-1);
      expect(letter?.string()).toBe(JSON.stringify(second));
      expect(letter?.header.get(ORIGINAL_SUBJECT_HEADER)).toBe(subject);
      expect(letter?.header.get(DEAD_LETTER_REASON_HEADER)).toMatch(/^conflicting timestamp/);

      const amount = centsToAmount(amountToCents(first.data.engagement.purchaseAmount as DecimalAmount));
      expect(await rollups()).toEqual({
        countsPerMinute: [
          { bucket: truncateTo(first.timestamp, 'minute'), event_type: 'checkout.complete', events: 1 },
        ],
        countsPerHour: [{ bucket: truncateTo(first.timestamp, 'hour'), event_type: 'checkout.complete', events: 1 }],
        revenuePerMinute: [{ bucket: truncateTo(first.timestamp, 'minute'), revenue: amount, transactions: 1 }],
        revenuePerHour: [{ bucket: truncateTo(first.timestamp, 'hour'), revenue: amount, transactions: 1 }],
      });
      expect((await collector.metric('collector_events_processed_total')) - processedBefore).toBe(1);
      expect((await collector.metric('collector_events_duplicate_total')) - duplicatesBefore).toBe(0);
      expect(
        (await collector.metric('collector_events_failed_total', { reason: 'dead_letter' })) - deadLetteredBefore,
      ).toBe(1);
    });

    it('should store the id again as another event when its other timestamp is in another day', async () => {
      const first = { ...checkout(25), timestamp: yesterdayAt(12, 0) };
      const dayBefore = { ...first, timestamp: new Date(Date.parse(first.timestamp) - 86_400_000).toISOString() };
      const lettersBefore = await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream);

      await publishOne({ subject, data: JSON.stringify(first), correlationId: 'yesterday' });
      await publishOne({ subject, data: JSON.stringify(dayBefore), correlationId: 'day-before' });

      const stored = await suite.pool.query<{ occurred_at: Date; correlation_id: string }>(
        'SELECT occurred_at, correlation_id FROM events_as_received WHERE event_id = $1 ORDER BY occurred_at',
        [first.eventId],
      );
      expect(stored.rows).toEqual([
        { occurred_at: new Date(dayBefore.timestamp), correlation_id: 'day-before' },
        { occurred_at: new Date(first.timestamp), correlation_id: 'yesterday' },
      ]);
      expect((await rollups()).countsPerHour).toHaveLength(2);
      expect(await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream)).toBe(lettersBefore);
    });
  });

  describe('when events carry fields outside the contract', () => {
    it('should give those fields back in extra of events_as_received, at their paths, beside the typed columns', async () => {
      const generator = new EventGenerator({ seed: 26 });
      const plain = generator.facebook('ad.view');
      const event = checkout(27);
      const { user, engagement } = event.data;
      // A new top-level field, new fields in objects the contract describes (even nested ones), and a new object.
      const extra = {
        schemaVersion: 3,
        data: {
          user: { tier: 'gold', location: { postcode: '0150' } },
          engagement: { experiment: { arm: 'b', weights: [0.25, 0.75] } },
        },
      };

      await publishOne({ subject, data: JSON.stringify(plain), correlationId: 'plain' });
      await publishOne({ subject, data: JSON.stringify(withExtraFields(event, extra)), correlationId: 'enriched' });

      const rows = await suite.pool.query<Record<string, unknown>>(
        `SELECT event_id, user_id, user_name, city, purchase_amount, extra
         FROM events_as_received ORDER BY correlation_id`,
      );
      expect(rows.rows).toEqual([
        {
          event_id: event.eventId,
          user_id: user.userId,
          user_name: user.name,
          city: user.location.city,
          purchase_amount: centsToAmount(amountToCents(engagement.purchaseAmount as DecimalAmount)),
          extra,
        },
        {
          event_id: plain.eventId,
          user_id: plain.data.user.userId,
          user_name: plain.data.user.name,
          city: plain.data.user.location.city,
          purchase_amount: null,
          extra: null,
        },
      ]);
    });
  });
});

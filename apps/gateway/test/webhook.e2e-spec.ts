import { CORRELATION_ID_HEADER, EVENT_COUNT_HEADER, type MarketingEvent, SOURCES, validateEvent } from '@evp/contracts';
import { eventsIn, readStream, streamMessageCount } from '@evp/testing';
import { CORRUPTION_KINDS, EventGenerator, corruptEvent } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookController } from '../src/intake/webhook.controller';
import {
  type TestGateway,
  batchBody,
  metricValue,
  parseMetrics,
  postWebhook,
  startTestGateway,
} from './gateway.harness';

const MEBIBYTE = 1024 * 1024;
const EVENTS_PER_MESSAGE = 100;
const decoder = new TextDecoder();

/** Messages a body's valid events land in: per source, ceil(events / EVENTS_PER_MESSAGE). */
function messagesFor(events: readonly MarketingEvent[]): number {
  return SOURCES.reduce(
    (sum, source) => sum + Math.ceil(events.filter((event) => event.source === source).length / EVENTS_PER_MESSAGE),
    0,
  );
}

describe(WebhookController, () => {
  // Reading on a worker thread (the default) and on the main thread must answer alike.
  describe.each(['1', '0'])('with INGEST_WORKERS=%s', (workers) => {
    const generator = new EventGenerator({ seed: 4242 });
    let gateway: TestGateway;

    beforeAll(async () => {
      // A limit a little above the 20 MB body the suite sends, so 413 can be checked without 64 MB uploads.
      gateway = await startTestGateway({
        BODY_LIMIT_BYTES: String(24 * MEBIBYTE),
        MAX_REPORTED_ERRORS: '100',
        INGEST_WORKERS: workers,
        EVENTS_PER_MESSAGE: String(EVENTS_PER_MESSAGE),
      });
    });

    afterAll(async () => {
      await gateway?.dispose();
    });

    const messages = () => streamMessageCount(gateway.jsm, gateway.names.stream);
    const deadLetters = () => streamMessageCount(gateway.jsm, gateway.names.deadLetterStream);

    describe('when a batch holds every corruption kind among valid events', () => {
      const valid = Array.from({ length: 30 }, () => generator.next());
      // Every kind on an event of each source: some kinds leave an event of the other source valid.
      const corrupted = CORRUPTION_KINDS.flatMap((kind) => [
        corruptEvent(generator.facebook(), kind),
        corruptEvent(generator.tiktok(), kind),
      ]);
      const batch: unknown[] = [...valid, ...corrupted].sort(() => generator.random.next() - 0.5);
      const verdicts = batch.map((event) => validateEvent(event));
      const expectedValid = verdicts.filter((verdict) => verdict.ok).length;
      const expectedInvalidIndexes = verdicts.flatMap((verdict, index) => (verdict.ok ? [] : [index]));
      const correlationId = `corruption-${generator.random.uuid()}`;
      let answer: Awaited<ReturnType<typeof postWebhook>>;
      let messagesBefore: number;
      let deadLettersBefore: number;

      beforeAll(async () => {
        messagesBefore = await messages();
        deadLettersBefore = await deadLetters();
        answer = await postWebhook(gateway.url, batchBody(batch), {
          'content-type': 'application/json',
          [CORRELATION_ID_HEADER]: correlationId,
        });
      });

      it('should answer 202 with exact accepted and rejected counts', () => {
        expect(expectedInvalidIndexes.length).toBeGreaterThan(12);
        expect(answer.status).toBe(202);
        expect(answer.body).toMatchObject({
          accepted: expectedValid,
          rejected: expectedInvalidIndexes.length,
          duplicates: 0,
          correlationId,
        });
        expect(answer.headers.get(CORRELATION_ID_HEADER)).toBe(correlationId);
      });

      it('should list each rejected event with its index, id and issues', () => {
        const errors = answer.body.errors as Array<{
          index: number;
          eventId?: string;
          issues: Array<{ path: string; message: string }>;
        }>;
        expect(errors.map((error) => error.index)).toEqual(expectedInvalidIndexes);
        for (const error of errors) {
          expect(error.issues.length).toBeGreaterThan(0);
          const original = batch[error.index] as { eventId?: unknown };
          expect(error.eventId).toBe(typeof original.eventId === 'string' ? original.eventId : undefined);
        }
      });

      it('should publish the valid events of each source as one JSON array of their original bytes, with a digest id, the count and the correlation id', async () => {
        const validEvents = batch.filter((_, index) => verdicts[index]?.ok) as MarketingEvent[];
        const stored = (await readStream(gateway.jsm, gateway.names.stream)).slice(messagesBefore);
        expect(stored).toHaveLength(messagesFor(validEvents));
        expect(eventsIn(stored)).toBe(expectedValid);
        for (const message of stored) {
          const source = SOURCES.find((candidate) => message.subject === `${gateway.names.subjectPrefix}.${candidate}`);
          const ofSource = validEvents.filter((event) => event.source === source);
          expect(decoder.decode(message.data)).toBe(`[${ofSource.map((event) => JSON.stringify(event)).join(',')}]`);
          expect(message.header.get(EVENT_COUNT_HEADER)).toBe(String(ofSource.length));
          expect(message.header.get(CORRELATION_ID_HEADER)).toBe(correlationId);
          expect(message.header.get('Nats-Msg-Id')).toMatch(/^[\w-]{43}$/);
        }
      });

      it('should dead-letter every rejected event with its reason and raw bytes', async () => {
        expect(await deadLetters()).toBe(deadLettersBefore + expectedInvalidIndexes.length);
        const letters = (await readStream(gateway.jsm, gateway.names.deadLetterStream)).slice(deadLettersBefore);
        for (const [i, letter] of letters.entries()) {
          const index = expectedInvalidIndexes[i] as number;
          const verdict = verdicts[index];
          expect(letter.subject).toBe(`${gateway.names.deadLetterPrefix}.gateway`);
          expect(letter.header.get('x-dead-letter-origin')).toBe('gateway');
          expect(letter.header.get(CORRELATION_ID_HEADER)).toBe(correlationId);
          expect(JSON.parse(letter.header.get('x-dead-letter-reason'))).toEqual(
            verdict && !verdict.ok ? verdict.issues : undefined,
          );
          expect(decoder.decode(letter.data)).toBe(JSON.stringify(batch[index]));
        }
      });
    });

    describe('when an event cannot travel as a message', () => {
      it('should reject and dead-letter it alone, and accept the rest of the batch', async () => {
        const oversized = { ...generator.next(), padding: 'x'.repeat(70_000) };
        const lineBreakId = { ...generator.next(), eventId: 'fb-1\r\nx-injected: yes' };
        const good = generator.batch(3);
        const before = await deadLetters();

        const answer = await postWebhook(gateway.url, batchBody([good[0], oversized, good[1], lineBreakId, good[2]]));

        expect(answer.status).toBe(202);
        expect(answer.body).toMatchObject({ accepted: 3, rejected: 2 });
        expect((answer.body.errors as Array<{ index: number }>).map((error) => error.index)).toEqual([1, 3]);
        expect(await deadLetters()).toBe(before + 2);
      });
    });

    describe('when events repeat within a request and across requests', () => {
      it('should accept them all, leaving the repeats to the database, since their messages differ', async () => {
        const [a, b, c] = [generator.next(), generator.next(), generator.next()];
        const before = await messages();

        const first = await postWebhook(gateway.url, batchBody([a, b, a]));
        const second = await postWebhook(gateway.url, batchBody([a, c, c]));

        expect(first.body).toMatchObject({ accepted: 3, rejected: 0, duplicates: 0 });
        expect(second.body).toMatchObject({ accepted: 3, rejected: 0, duplicates: 0 });
        expect(await messages()).toBe(before + messagesFor([a, b, a]) + messagesFor([a, c, c]));
      });
    });

    describe('when the same body is sent again', () => {
      it('should answer with every event a duplicate, and store no message twice', async () => {
        const body = batchBody(generator.batch(450));
        const before = await messages();

        const first = await postWebhook(gateway.url, body);
        const again = await postWebhook(gateway.url, body);

        expect(first.body).toMatchObject({ accepted: 450, rejected: 0, duplicates: 0 });
        expect(again.body).toMatchObject({ accepted: 450, rejected: 0, duplicates: 450 });
        expect(await messages()).toBe(before + messagesFor(JSON.parse(body) as MarketingEvent[]));
      });
    });

    describe('when the body is one event object', () => {
      it('should accept it', async () => {
        const answer = await postWebhook(gateway.url, JSON.stringify(generator.next()));
        expect(answer.status).toBe(202);
        expect(answer.body).toMatchObject({ accepted: 1, rejected: 0, errors: [] });
      });
    });

    describe('when posted to an alias, with a charset', () => {
      it('should accept on /events and /webhooks', async () => {
        for (const path of ['/events', '/webhooks']) {
          const answer = await postWebhook(
            gateway.url,
            batchBody([generator.next()]),
            { 'content-type': 'application/json; charset=utf-8' },
            path,
          );
          expect(answer.status, path).toBe(202);
          expect(answer.body).toMatchObject({ accepted: 1 });
        }
      });
    });

    describe('when the array is empty', () => {
      it('should answer 202 with zeros', async () => {
        const answer = await postWebhook(gateway.url, '[]');
        expect(answer.status).toBe(202);
        expect(answer.body).toMatchObject({ accepted: 0, rejected: 0, duplicates: 0, errors: [] });
      });
    });

    describe('when no correlation id is sent', () => {
      it('should generate one and return it in the header and the body', async () => {
        const answer = await postWebhook(gateway.url, '[]');
        const correlationId = answer.headers.get(CORRELATION_ID_HEADER);
        expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
        expect(answer.body.correlationId).toBe(correlationId);
      });
    });

    describe('when the body is 20 MB', () => {
      it('should accept every event', async ({ annotate }) => {
        const batch = generator.batch(48_000);
        const body = batchBody(batch);
        expect(Buffer.byteLength(body)).toBeGreaterThan(20_000_000);
        const before = await messages();

        const answer = await postWebhook(gateway.url, body);

        await annotate(
          `${Buffer.byteLength(body)} bytes, ${batch.length} events answered in ${Math.round(answer.elapsedMs)} ms`,
        );
        expect(answer.status).toBe(202);
        expect(answer.body).toMatchObject({ accepted: batch.length, rejected: 0, duplicates: 0 });
        expect(await messages()).toBe(before + messagesFor(batch));
        const stored = (await readStream(gateway.jsm, gateway.names.stream)).slice(before);
        const ids = stored.flatMap((message) =>
          (JSON.parse(decoder.decode(message.data)) as MarketingEvent[]).map((event) => event.eventId),
        );
        expect(ids.sort()).toEqual(batch.map((event) => event.eventId).sort());
      });
    });

    describe('when the body is over the limit', () => {
      it('should answer 413 with a JSON error', async () => {
        const answer = await postWebhook(gateway.url, Buffer.alloc(25 * MEBIBYTE, 0x20));
        expect(answer.status).toBe(413);
        expect(answer.body).toMatchObject({ error: 'GATEWAY.BODY_TOO_LARGE' });
      });
    });

    describe('when the content type is not JSON', () => {
      it('should answer 415 with a JSON error', async () => {
        const answer = await postWebhook(gateway.url, batchBody([generator.next()]), { 'content-type': 'text/plain' });
        expect(answer.status).toBe(415);
        expect(answer.body).toMatchObject({ error: 'GATEWAY.UNSUPPORTED_MEDIA_TYPE' });
        expect(answer.body.message).toContain('text/plain');
      });
    });

    describe('when the JSON is malformed', () => {
      it('should answer 400 with the position and publish none of the events before the error', async () => {
        const good = batchBody(generator.batch(5));
        const body = `${good.slice(0, -1)}, {"eventId": nope}]`;
        const before = await messages();

        const answer = await postWebhook(gateway.url, body);

        expect(answer.status).toBe(400);
        const position = Buffer.from(body).indexOf('nope') + 1;
        expect(answer.body).toMatchObject({ error: 'GATEWAY.MALFORMED_JSON', position, accepted: 0 });
        expect(answer.body.message).toContain(`position ${position}`);
        expect(await messages()).toBe(before);
      });

      it('should answer 400 for JSON that is neither an array nor an object', async () => {
        const answer = await postWebhook(gateway.url, '42');
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ error: 'GATEWAY.UNSUPPORTED_BODY' });
      });
    });

    describe('when no event of the body is valid', () => {
      it('should answer 400 with the errors and still dead-letter them', async () => {
        const batch = [
          corruptEvent(generator.facebook(), 'missing-user'),
          corruptEvent(generator.tiktok(), 'invalid-timestamp'),
          'not an event',
        ];
        const before = await deadLetters();

        const answer = await postWebhook(gateway.url, batchBody(batch));

        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ error: 'GATEWAY.NO_VALID_EVENT', accepted: 0, rejected: 3 });
        expect(answer.body.errors).toHaveLength(3);
        expect(await deadLetters()).toBe(before + 3);
      });
    });

    describe('when scraped for metrics', () => {
      it('should count accepted, processed and failed events by source and time the requests', async () => {
        const samples = parseMetrics(await (await fetch(`${gateway.url}/metrics`)).text());
        const value = (name: string, labels: Record<string, string>) => metricValue(samples, name, labels);
        for (const source of ['facebook', 'tiktok']) {
          expect(value('gateway_events_accepted_total', { source })).toBeGreaterThan(0);
          expect(value('gateway_events_processed_total', { source })).toBe(
            value('gateway_events_accepted_total', { source }),
          );
        }
        expect(value('gateway_events_failed_total', { source: 'facebook', reason: 'invalid' })).toBeGreaterThan(0);
        expect(value('gateway_events_failed_total', { source: 'unknown', reason: 'invalid' })).toBeGreaterThan(0);
        expect(
          value('gateway_request_duration_seconds_count', { route: '/webhook', status_class: '2xx' }),
        ).toBeGreaterThan(0);
        expect(
          value('gateway_request_duration_seconds_count', { route: '/webhook', status_class: '4xx' }),
        ).toBeGreaterThan(0);
        expect(value('gateway_request_body_bytes_bucket', { route: '/webhook', le: '67108864' })).toBeGreaterThan(0);
      });
    });
  });
});

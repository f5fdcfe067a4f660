import { connect as connectTcp, type Socket } from 'node:net';
import { type MarketingEvent } from '@evp/contracts';
import { freePort, readStream, streamEventCount, streamMessageCount } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OMITTED_DEAD_LETTERS_HEADER } from '../src/ingest/event-ingest.service';
import { WebhookController } from '../src/intake/webhook.controller';
import {
  type TestGateway,
  batchBody,
  eventually,
  metricValue,
  parseMetrics,
  postWebhook,
  startTestGateway,
} from './gateway.harness';

const MEBIBYTE = 1024 * 1024;
const JSON_TYPE = { 'content-type': 'application/json' };

/** A raw HTTP/1.1 upload of `contentLength` declared bytes, of which only `firstBytes` are sent at once. */
interface Upload {
  socket: Socket;
  /** Everything the server sent back until it closed the connection. */
  answer: Promise<string>;
}

function startUpload(url: string, contentLength: number, firstBytes = ''): Upload {
  const { hostname, port } = new URL(url);
  const socket = connectTcp(Number(port), hostname);
  const answer = new Promise<string>((resolve) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
  });
  socket.write(
    `POST /webhook HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${contentLength}\r\n\r\n${firstBytes}`,
  );
  return { socket, answer };
}

async function metric(gateway: TestGateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricValue(parseMetrics(await (await fetch(`${gateway.url}/metrics`)).text()), name, labels);
}

/** A body of `count` publisher-shaped events, at least `minBytes` long when given. */
function eventsOf(generator: EventGenerator, count: number): MarketingEvent[] {
  return Array.from({ length: count }, () => generator.next());
}

describe(WebhookController, () => {
  const generator = new EventGenerator({ seed: 2323 });

  describe('with a 1 MiB body limit, a 1 s request timeout and bounded dead-lettering', () => {
    let gateway: TestGateway;

    beforeAll(async () => {
      gateway = await startTestGateway({
        BODY_LIMIT_BYTES: String(MEBIBYTE),
        MAX_IN_FLIGHT_BYTES: String(2 * MEBIBYTE),
        REQUEST_TIMEOUT_MS: '1000',
        MAX_EVENTS_PER_BODY: '250000',
        MAX_INVALID_EVENTS_DEAD_LETTERED: '100',
        // The 200,000-item bodies would exhaust a sender's quota (apps/gateway/src/quota), not the subject here.
        QUOTA_EVENTS_PER_SECOND: '0',
      });
    });

    afterAll(async () => {
      await gateway?.dispose();
    });

    const stored = () => streamEventCount(gateway.jsm, gateway.names.stream);
    const deadLetters = () => streamMessageCount(gateway.jsm, gateway.names.deadLetterStream);

    describe('when a body trickles in', () => {
      it('should cut it with 408 once the request timeout has passed, though bytes keep coming', async () => {
        const upload = startUpload(gateway.url, 10_000, '[');
        const trickle = setInterval(() => upload.socket.write('0,'), 100);
        try {
          expect(await upload.answer).toMatch(/^HTTP\/1\.1 408 /);
        } finally {
          clearInterval(trickle);
          upload.socket.destroy();
        }
      });
    });

    describe('when a body is over the body limit', () => {
      it('should answer 413 with the gateway error shape', async () => {
        const answer = await postWebhook(gateway.url, `[${'0,'.repeat(MEBIBYTE / 2)}0]`);
        expect(answer.status).toBe(413);
        expect(answer.body).toMatchObject({
          error: 'GATEWAY.BODY_TOO_LARGE',
          message: expect.stringMatching(/1048576 bytes/),
        });
      });
    });

    describe('when a body holds 200,000 invalid items', () => {
      it('should answer 400 and dead-letter the first 100 and one letter counting the others', async () => {
        const before = await deadLetters();
        const answer = await postWebhook(gateway.url, `[${'0,'.repeat(199_999)}0]`);
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({
          error: 'GATEWAY.NO_VALID_EVENT',
          accepted: 0,
          rejected: 200_000,
          errorsTruncated: true,
          message: expect.stringMatching(/the first 100 were dead-lettered/),
        });
        expect((answer.body.errors as unknown[]).length).toBe(100);
        expect(await deadLetters()).toBe(before + 101);
        const letters = await readStream(gateway.jsm, gateway.names.deadLetterStream);
        const summary = letters.find((letter) => letter.header?.get(OMITTED_DEAD_LETTERS_HEADER));
        expect(summary?.header.get(OMITTED_DEAD_LETTERS_HEADER)).toBe('199900');
        expect(summary?.json()).toEqual({ rejected: 200_000, deadLettered: 100, omitted: 199_900 });
      });
    });

    describe('when a body holds more items than MAX_EVENTS_PER_BODY', () => {
      it('should answer 413 and publish nothing of it', async () => {
        const [storedBefore, deadBefore] = [await stored(), await deadLetters()];
        const events = JSON.stringify(eventsOf(generator, 10)).slice(1, -1);
        const answer = await postWebhook(gateway.url, `[${events},${'0,'.repeat(249_999)}0]`);
        expect(answer.status).toBe(413);
        expect(answer.body).toMatchObject({
          error: 'GATEWAY.TOO_MANY_EVENTS',
          message: 'the body holds more than 250000 events; send at most 250000 events per request',
        });
        expect(await stored()).toBe(storedBefore);
        expect(await deadLetters()).toBe(deadBefore);
      });
    });

    describe('when events hold values PostgreSQL cannot store', () => {
      it('should refuse each with its reason and store every valid event of the batch', async () => {
        const valid = eventsOf(generator, 20);
        const tiktok = generator.tiktok();
        const facebook = generator.facebook();
        const unstorable = [
          { ...tiktok, data: { ...tiktok.data, user: { ...tiktok.data.user, followers: 2 ** 31 } } },
          { ...generator.next(), timestamp: '0000-06-01T00:00:00.000Z' },
          { ...facebook, data: { ...facebook.data, user: { ...facebook.data.user, name: 'Ann\u0000' } } },
          { ...generator.next(), comment: 'hidden \u0000 in an extra field' },
        ];
        const [storedBefore, deadBefore] = [await stored(), await deadLetters()];
        const answer = await postWebhook(
          gateway.url,
          batchBody([...valid.slice(0, 10), ...unstorable, ...valid.slice(10)]),
        );
        expect(answer.status).toBe(202);
        expect(answer.body).toMatchObject({
          accepted: 20,
          rejected: 4,
          errors: [
            {
              index: 10,
              issues: [{ path: 'data.user.followers', message: 'must be at most 2147483647 (a PostgreSQL integer)' }],
            },
            { index: 11, issues: [{ path: 'timestamp', message: expect.stringMatching(/no year 0000/) }] },
            { index: 12, issues: [{ path: 'data.user.name', message: expect.stringMatching(/NUL character/) }] },
            { index: 13, issues: [{ path: 'comment', message: expect.stringMatching(/NUL character/) }] },
          ],
        });
        expect(await stored()).toBe(storedBefore + 20);
        expect(await deadLetters()).toBe(deadBefore + 4);
      });
    });
  });

  describe('with a cap on request bytes in flight', () => {
    let gateway: TestGateway;

    beforeAll(async () => {
      gateway = await startTestGateway({
        BODY_LIMIT_BYTES: String(MEBIBYTE),
        MAX_IN_FLIGHT_BYTES: String(1.5 * MEBIBYTE),
        RETRY_AFTER_SECONDS: '7',
      });
    });

    afterAll(async () => {
      await gateway?.dispose();
    });

    describe('when a body would take the bytes in flight over the cap', () => {
      it('should answer 503 with Retry-After before reading it, count it, and admit it once there is room', async () => {
        const refusedBefore = await metric(gateway, 'gateway_requests_over_capacity_total');
        const held = startUpload(gateway.url, MEBIBYTE, '[');
        await eventually(
          async () => (await metric(gateway, 'gateway_webhook_bytes_in_flight')) === MEBIBYTE,
          10_000,
          'the held upload being admitted',
        );
        const body = batchBody(eventsOf(generator, 1_300));
        expect(body.length).toBeGreaterThan(0.5 * MEBIBYTE);

        const refused = await postWebhook(gateway.url, body);
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('7');
        expect(refused.body).toMatchObject({ error: 'GATEWAY.OVER_CAPACITY', message: expect.any(String) });
        expect(await metric(gateway, 'gateway_requests_over_capacity_total')).toBe(refusedBefore + 1);

        const small = await postWebhook(gateway.url, batchBody(eventsOf(generator, 3)), JSON_TYPE);
        expect(small.status).toBe(202);

        held.socket.destroy();
        await held.answer;
        await eventually(async () => (await metric(gateway, 'gateway_webhook_bytes_in_flight')) === 0, 10_000);
        const admitted = await postWebhook(gateway.url, body);
        expect(admitted.status).toBe(202);
        expect(admitted.body).toMatchObject({ accepted: 1_300 });
      });
    });
  });

  describe('with METRICS_PORT set and the default body limit', () => {
    let gateway: TestGateway;
    let internalUrl: string;

    beforeAll(async () => {
      const metricsPort = await freePort();
      internalUrl = `http://127.0.0.1:${metricsPort}`;
      gateway = await startTestGateway({ METRICS_PORT: String(metricsPort) });
    });

    afterAll(async () => {
      await gateway?.dispose();
    });

    it('should serve /metrics and /health/* on the internal port only', async () => {
      for (const path of ['/metrics', '/health/liveness', '/health/readiness']) {
        expect((await fetch(`${internalUrl}${path}`)).status).toBe(200);
        const hidden = await fetch(`${gateway.url}${path}`);
        expect(hidden.status).toBe(404);
        expect(await hidden.json()).toMatchObject({ message: expect.stringMatching(/internal metrics port only/) });
      }
      expect(await (await fetch(`${internalUrl}/metrics`)).text()).toMatch(/gateway_webhook_bytes_in_flight/);
    });

    it('should take webhooks on the public port, and not on the internal one', async () => {
      expect((await postWebhook(gateway.url, batchBody(eventsOf(generator, 2)))).status).toBe(202);
      expect((await postWebhook(internalUrl, batchBody(eventsOf(generator, 2)))).status).toBe(404);
    });

    it('should refuse a body declared over 24 MiB with 413 without reading it', async () => {
      const upload = startUpload(gateway.url, 24 * MEBIBYTE + 1, '[');
      expect(await upload.answer).toMatch(/^HTTP\/1\.1 413 [\s\S]*GATEWAY\.BODY_TOO_LARGE/);
    });
  });
});

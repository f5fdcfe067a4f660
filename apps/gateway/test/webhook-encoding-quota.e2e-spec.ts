import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { type StoredMsg } from '@nats-io/jetstream';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { eventsIn, readStream, streamMessageCount } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyDecoder } from '../src/intake/body-decoding';
import { SenderQuotas } from '../src/quota/sender.quotas';
import {
  type TestGateway,
  batchBody,
  metricValue,
  parseMetrics,
  postWebhook,
  startTestGateway,
} from './gateway.harness';

const BODY_LIMIT_BYTES = 1024 * 1024;
/** zlib hands out decoded bytes in chunks of 16 KiB: the most a bomb may inflate past the cap before it is cut. */
const ZLIB_CHUNK_BYTES = 16 * 1024;

const JSON_TYPE = { 'content-type': 'application/json' };

async function metric(gateway: TestGateway, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return metricValue(parseMetrics(text), name, labels);
}

/** What a message of the events stream holds, with the subject relative to the gateway's own prefix. */
function stored(gateway: TestGateway, messages: readonly StoredMsg[]) {
  return messages.map((message) => ({
    subject: message.subject.slice(gateway.names.subjectPrefix.length),
    msgId: message.header.get('Nats-Msg-Id'),
    data: Buffer.from(message.data).toString('utf8'),
  }));
}

describe(BodyDecoder, () => {
  const generator = new EventGenerator({ seed: 2222 });
  let plain: TestGateway;
  let compressed: TestGateway;

  beforeAll(async () => {
    const env = { BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES), EVENTS_PER_MESSAGE: '50' };
    [plain, compressed] = await Promise.all([startTestGateway(env), startTestGateway(env)]);
  });

  afterAll(async () => {
    await Promise.all([plain?.dispose(), compressed?.dispose()]);
  });

  describe('when a gzip body and its plain twin are sent to two gateways', () => {
    it('should store exactly the same messages from both', async () => {
      const body = batchBody(generator.batch(400));
      const sent = [
        await postWebhook(plain.url, body),
        await postWebhook(compressed.url, gzipSync(body), { ...JSON_TYPE, 'content-encoding': 'gzip' }),
      ];
      for (const answer of sent) expect(answer).toMatchObject({ status: 202, body: { accepted: 400, rejected: 0 } });

      const plainMessages = await readStream(plain.jsm, plain.names.stream);
      expect(eventsIn(plainMessages)).toBe(400);
      const fromGzip = stored(compressed, await readStream(compressed.jsm, compressed.names.stream));
      expect(fromGzip).toEqual(stored(plain, plainMessages));
      const gzipBytes = gzipSync(body).length;
      expect(await metric(compressed, 'gateway_body_bytes_total', { encoding: 'gzip', stage: 'received' })).toBe(
        gzipBytes,
      );
      expect(await metric(compressed, 'gateway_body_bytes_total', { encoding: 'gzip', stage: 'decoded' })).toBe(
        Buffer.byteLength(body),
      );
      expect(await metric(plain, 'gateway_body_bytes_total', { encoding: 'identity', stage: 'decoded' })).toBe(
        Buffer.byteLength(body),
      );
    });
  });

  describe('when a small gzip body inflates past the body limit (a bomb)', () => {
    it('should answer 413 having decoded at most one zlib chunk past the limit', async () => {
      // About 40 KB that inflate to 40 MiB of JSON whitespace, forty times the limit.
      const bomb = gzipSync(Buffer.alloc(40 * BODY_LIMIT_BYTES, 0x20), { level: 9 });
      expect(bomb.length).toBeLessThan(64 * 1024);
      const decodedBefore = await metric(compressed, 'gateway_body_bytes_total', {
        encoding: 'gzip',
        stage: 'decoded',
      });
      const messagesBefore = await streamMessageCount(compressed.jsm, compressed.names.stream);

      const answer = await postWebhook(compressed.url, bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });

      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ error: 'GATEWAY.BODY_TOO_LARGE' });
      const decoded =
        (await metric(compressed, 'gateway_body_bytes_total', { encoding: 'gzip', stage: 'decoded' })) - decodedBefore;
      expect(decoded).toBeGreaterThan(BODY_LIMIT_BYTES);
      expect(decoded).toBeLessThanOrEqual(BODY_LIMIT_BYTES + ZLIB_CHUNK_BYTES);
      expect(await streamMessageCount(compressed.jsm, compressed.names.stream)).toBe(messagesBefore);
    });
  });

  describe('when the encoding is unknown', () => {
    it('should answer 415 with a JSON message naming it', async () => {
      const answer = await postWebhook(compressed.url, batchBody(generator.batch(3)), {
        ...JSON_TYPE,
        'content-encoding': 'compress',
        [CORRELATION_ID_HEADER]: 'unknown-encoding',
      });
      expect(answer.status).toBe(415);
      expect(answer.body).toMatchObject({ error: 'GATEWAY.UNSUPPORTED_ENCODING', correlationId: 'unknown-encoding' });
      expect(answer.body.message).toContain('"compress"');
    });
  });

  describe('when the gzip stream is corrupt', () => {
    it('should answer 400 saying it could not be decoded, and publish nothing', async () => {
      const messagesBefore = await streamMessageCount(compressed.jsm, compressed.names.stream);
      const corrupt = gzipSync(batchBody(generator.batch(50)));
      corrupt.fill(0x41, 30, 200);
      const answer = await postWebhook(compressed.url, corrupt, { ...JSON_TYPE, 'content-encoding': 'gzip' });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'GATEWAY.CORRUPT_BODY' });
      expect(answer.body.message).toContain('could not be decoded');
      expect(await streamMessageCount(compressed.jsm, compressed.names.stream)).toBe(messagesBefore);
    });
  });
});

describe(SenderQuotas, () => {
  const generator = new EventGenerator({ seed: 3333 });
  const busy = 'busy-sender-token-0001';
  const quiet = 'quiet-sender-token-0002';
  const secret = 'quota-suite-hmac-secret-0001';
  let gateway: TestGateway;
  /** Headers of a request signed with the suite's secret: the `signature` sender. */
  const signed = (body: string) => ({
    ...JSON_TYPE,
    'x-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  });
  const plainBytesRead = () => metric(gateway, 'gateway_body_bytes_total', { encoding: 'identity', stage: 'received' });

  beforeAll(async () => {
    // 10 events a second, 100 at once: a 300-event body leaves its sender ~20 s in debt.
    gateway = await startTestGateway({
      WEBHOOK_TOKENS: `${busy},${quiet}`,
      WEBHOOK_HMAC_SECRET: secret,
      QUOTA_EVENTS_PER_SECOND: '10',
      QUOTA_BURST_EVENTS: '100',
    });
  });

  afterAll(async () => {
    await gateway?.dispose();
  });

  describe('when a sender is over its quota', () => {
    it('should answer it 429 with Retry-After and RateLimit-*, publish nothing, and still accept another sender', async () => {
      const first = await postWebhook(gateway.url, batchBody(generator.batch(300)), {
        ...JSON_TYPE,
        'x-webhook-token': busy,
      });
      expect(first.status).toBe(202);
      const messagesBefore = await streamMessageCount(gateway.jsm, gateway.names.stream);
      const bytesReadBefore = await plainBytesRead();

      const throttled = await postWebhook(gateway.url, batchBody(generator.batch(5)), {
        ...JSON_TYPE,
        'x-webhook-token': busy,
      });
      expect(throttled.status).toBe(429);
      expect(throttled.body).toMatchObject({ error: 'GATEWAY.RATE_LIMITED' });
      const retryAfter = Number(throttled.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(throttled.headers.get('ratelimit-limit')).toBe('100');
      expect(throttled.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(throttled.headers.get('ratelimit-reset'))).toBe(retryAfter);
      expect(await streamMessageCount(gateway.jsm, gateway.names.stream)).toBe(messagesBefore);
      expect(await metric(gateway, 'gateway_requests_throttled_total', { sender: 'token-1' })).toBe(1);
      // Refused on its token alone: its body was never taken in.
      expect(await plainBytesRead()).toBe(bytesReadBefore);

      const other = await postWebhook(gateway.url, batchBody(generator.batch(5)), {
        ...JSON_TYPE,
        'x-webhook-token': quiet,
      });
      expect(other).toMatchObject({ status: 202, body: { accepted: 5 } });
      expect(await metric(gateway, 'gateway_requests_throttled_total', { sender: 'token-2' })).toBe(0);
    });

    it('should throttle a signed sender once its signature is checked, on its own bucket', async () => {
      const first = batchBody(generator.batch(300));
      expect((await postWebhook(gateway.url, first, signed(first))).status).toBe(202);
      const messagesBefore = await streamMessageCount(gateway.jsm, gateway.names.stream);

      const second = batchBody(generator.batch(5));
      const throttled = await postWebhook(gateway.url, second, signed(second));

      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await streamMessageCount(gateway.jsm, gateway.names.stream)).toBe(messagesBefore);
      expect(await metric(gateway, 'gateway_requests_throttled_total', { sender: 'signature' })).toBe(1);
    });
  });
});

import { ingestionStreamName } from '@evp/contracts';
import { ServiceProcess, buildServicesOnce, uniqueNames } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileWebhookBody, type HostileBody } from './support/hostile-body.arbitrary';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** Small enough that an oversize body is cheap to send, large enough for every fuzzed body. */
const BODY_LIMIT_BYTES = 2 * 1024 * 1024;
const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
/** Authentication is on, as in staging and production; the token travels in the URL as the publisher sends it. */
const WEBHOOK_TOKEN = 'hostile-webhook-token-0123456789';

describe('gateway webhook under hostile input', () => {
  const names = uniqueNames('hostile-webhook');
  let gateway: ServiceProcess;

  const post = async (body: HostileBody): Promise<number> => {
    const headers: Record<string, string> = {};
    if (body.contentType !== undefined) headers['content-type'] = body.contentType;
    const response = await fetch(`${gateway.url}/webhook?token=${WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers,
      body: body.bytes,
    });
    await response.arrayBuffer();
    return response.status;
  };

  beforeAll(async () => {
    buildServicesOnce();
    gateway = await ServiceProcess.start('gateway', {
      env: {
        NATS_URL,
        EVENTS_STREAM: names.stream,
        EVENTS_SUBJECT_PREFIX: names.subjectPrefix,
        DEAD_LETTER_STREAM: names.deadLetterStream,
        DEAD_LETTER_SUBJECT_PREFIX: names.deadLetterPrefix,
        BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
        LOG_LEVEL: 'warn',
        WEBHOOK_TOKENS: WEBHOOK_TOKEN,
      },
    });
  });

  afterAll(async () => {
    await gateway?.kill();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for (const stream of [names.stream, names.deadLetterStream, ingestionStreamName(names.stream)])
      await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  });

  describe('when fuzzed bodies arrive (wrong types, missing fields, huge strings, deep nesting, prototype keys, invalid UTF-8, truncated JSON, wrong content types)', () => {
    const statuses = new Map<number, number>();

    beforeAll(async () => {
      await fc.assert(
        fc.asyncProperty(hostileWebhookBody(), async (body) => {
          const status = await post(body);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          return status < 500;
        }),
        { numRuns: RUNS, seed: Number(process.env.HOSTILE_SEED ?? 10) },
      );
    }, 120_000);

    it('should never answer a 5xx', () => {
      expect([...statuses.keys()].filter((status) => status >= 500 || status === 401)).toEqual([]);
      expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(RUNS);
    });

    it('should stay alive and ready', async () => {
      expect(gateway.pid).toBeDefined();
      const readiness = await fetch(`${gateway.url}/health/readiness`);
      expect(readiness.status).toBe(200);
    });

    it('should still accept a valid batch afterwards', async () => {
      const events = new EventGenerator({ seed: 11 }).batch(5);
      const status = await post({ bytes: Buffer.from(JSON.stringify(events)), contentType: 'application/json' });
      expect(status).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(300);
    });
  });

  describe('when a body exceeds BODY_LIMIT_BYTES', () => {
    it('should answer 413 and stay ready', async () => {
      const events = new EventGenerator({ seed: 12 }).batch(10);
      const padding = 'x'.repeat(BODY_LIMIT_BYTES);
      const body = Buffer.from(JSON.stringify([...events, { ...events[0], eventId: 'oversize', padding }]));
      const status = await post({ bytes: body, contentType: 'application/json' });
      expect(status).toBe(413);
      expect((await fetch(`${gateway.url}/health/readiness`)).status).toBe(200);
    });
  });
});

import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { type PrivateNats, startPrivateNats, streamEventCount } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventIngestService } from '../src/ingest/event-ingest.service';
import {
  type TestGateway,
  batchBody,
  eventually,
  metricValue,
  parseMetrics,
  postWebhook,
  startTestGateway,
} from './gateway.harness';

describe(EventIngestService, () => {
  const generator = new EventGenerator({ seed: 503 });
  let nats: PrivateNats;
  let gateway: TestGateway;

  beforeAll(async () => {
    nats = await startPrivateNats();
    gateway = await startTestGateway({ NATS_URL: nats.url, PUBLISH_TIMEOUT_MS: '2000', RETRY_AFTER_SECONDS: '3' });
  });

  afterAll(async () => {
    await gateway?.dispose();
    await nats?.dispose();
  });

  describe('when NATS is stopped', () => {
    let storedBefore: number;
    let answer: Awaited<ReturnType<typeof postWebhook>>;

    beforeAll(async () => {
      const first = await postWebhook(gateway.url, batchBody(generator.batch(200)));
      expect(first.status).toBe(202);
      storedBefore = await streamEventCount(gateway.jsm, gateway.names.stream);
      await nats.kill();
      answer = await postWebhook(gateway.url, batchBody(generator.batch(1_000)), {
        'content-type': 'application/json',
        [CORRELATION_ID_HEADER]: 'nats-down',
      });
    });

    it('should answer 503 with Retry-After and no counts of accepted events', () => {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('3');
      expect(answer.body).toMatchObject({ error: 'GATEWAY.BROKER_UNAVAILABLE', correlationId: 'nats-down' });
      expect(answer.body).not.toHaveProperty('accepted');
    });

    it('should report not ready, naming NATS', async () => {
      const response = await fetch(`${gateway.url}/health/readiness`);
      expect(response.status).toBe(503);
      expect(JSON.stringify(await response.json())).toContain('nats');
    });

    it('should count the events as failed to publish', async () => {
      const samples = parseMetrics(await (await fetch(`${gateway.url}/metrics`)).text());
      const failed =
        metricValue(samples, 'gateway_events_failed_total', { source: 'facebook', reason: 'publish_failed' }) +
        metricValue(samples, 'gateway_events_failed_total', { source: 'tiktok', reason: 'publish_failed' });
      expect(failed).toBeGreaterThan(0);
    });

    it('should have stored none of the refused events once NATS is back, and accept again', async () => {
      await nats.restart();
      let after = await postWebhook(gateway.url, batchBody(generator.batch(100)));
      await eventually(async () => {
        after = after.status === 202 ? after : await postWebhook(gateway.url, batchBody(generator.batch(100)));
        return after.status === 202;
      });
      expect(after.body).toMatchObject({ accepted: 100 });
      // The suite's own client reconnects on its own schedule: a read that times out meanwhile is tried again.
      let stored: number | undefined;
      await eventually(async () => {
        stored = await streamEventCount(gateway.jsm, gateway.names.stream).catch(() => undefined);
        return stored !== undefined;
      });
      expect(stored).toBe(storedBefore + 100);
    });
  });
});

import { type MarketingEvent, RECEIVED_AT_HEADER, eventSubject } from '@evp/contracts';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { EventGenerator } from '@evp/synthetic';
import { PipelineSystem, buildServicesOnce } from '@evp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HOUR_MS = 3_600_000;
const FACEBOOK_EVENTS = 40;
const TIKTOK_EVENTS = 30;
const INVALID_EVENTS = 3;
const FUTURE_EVENTS = 2;
/** Requests sent once the sender is over its quota. */
const THROTTLED_REQUESTS = 2;
/** Messages on the Facebook subject that are not events, which the collector dead-letters. */
const POISON_MESSAGES = 1;

interface IngestionReportBody {
  accepted: number;
  stored: number;
  deadLettered: { total: number; byReason: Array<{ reason: string; count: number }> };
  throttled: { requests: number };
}

async function post(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('GET /reports/ingestion', () => {
  let system: PipelineSystem;
  const now = Date.now();
  const generator = new EventGenerator({ seed: 2_222 });
  const facebook = Array.from({ length: FACEBOOK_EVENTS }, () => generator.facebook());
  const tiktok = Array.from({ length: TIKTOK_EVENTS }, () => generator.tiktok());
  // Facebook events the contract refuses (an unknown funnel stage), and ones dated two days ahead of their arrival.
  const invalid = Array.from({ length: INVALID_EVENTS }, () => ({ ...generator.facebook(), funnelStage: 'nowhere' }));
  const futureGenerator = new EventGenerator({ seed: 2_223, clock: () => now + 48 * HOUR_MS });
  const future: MarketingEvent[] = Array.from({ length: FUTURE_EVENTS }, () => futureGenerator.facebook());
  const range = { from: new Date(now - HOUR_MS).toISOString(), to: new Date(now + HOUR_MS).toISOString() };

  const report = async (query: Record<string, string>): Promise<IngestionReportBody> => {
    const response = await fetch(`${system.reporter.url}/reports/ingestion?${new URLSearchParams(query).toString()}`);
    expect(response.status).toBe(200);
    return (await response.json()) as IngestionReportBody;
  };

  beforeAll(async () => {
    buildServicesOnce();
    system = await PipelineSystem.start({
      name: 'ingestion-report-e2e',
      // The first body (75 events) takes the whole burst and leaves the sender in debt for a minute.
      serviceEnv: { gateway: { QUOTA_EVENTS_PER_SECOND: '1', QUOTA_BURST_EVENTS: '60' } },
    });
    expect(await post(system.webhookUrl, [...facebook, ...tiktok, ...invalid, ...future])).toBe(202);
    for (let request = 0; request < THROTTLED_REQUESTS; request++) {
      expect(await post(system.webhookUrl, [generator.facebook()])).toBe(429);
    }
    await publishPoison(system);
    await system.waitUntilDrained({ timeoutMs: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await system?.dispose();
  });

  describe('when a body with valid, invalid and far-future events is sent, then requests over the quota and a message the collector cannot store', () => {
    it('should report what was sent: accepted, stored, dead-lettered by reason and throttled', async () => {
      await expect
        .poll(() => report(range), { timeout: 30_000 })
        .toEqual({
          filters: range,
          accepted: FACEBOOK_EVENTS + TIKTOK_EVENTS,
          stored: FACEBOOK_EVENTS + TIKTOK_EVENTS,
          deadLettered: {
            total: INVALID_EVENTS + FUTURE_EVENTS + POISON_MESSAGES,
            byReason: [
              { reason: 'invalid', count: INVALID_EVENTS },
              { reason: 'future_timestamp', count: FUTURE_EVENTS },
              { reason: 'unstorable', count: POISON_MESSAGES },
            ],
          },
          throttled: { requests: THROTTLED_REQUESTS },
        });
    });

    it('should narrow events to the source asked for, and keep every throttled request', async () => {
      await expect
        .poll(() => report({ ...range, source: 'tiktok' }), { timeout: 30_000 })
        .toMatchObject({
          accepted: TIKTOK_EVENTS,
          stored: TIKTOK_EVENTS,
          deadLettered: { total: 0 },
          throttled: { requests: THROTTLED_REQUESTS },
        });
      expect(await report({ ...range, source: 'facebook' })).toMatchObject({
        accepted: FACEBOOK_EVENTS,
        stored: FACEBOOK_EVENTS,
        deadLettered: { total: INVALID_EVENTS + FUTURE_EVENTS + POISON_MESSAGES },
      });
    });

    it('should count nothing in a range before the requests', async () => {
      expect(await report({ to: range.from })).toMatchObject({
        accepted: 0,
        stored: 0,
        deadLettered: { total: 0 },
        throttled: { requests: 0 },
      });
    });
  });

  describe('when the query is wrong', () => {
    it('should answer 400 naming the parameter', async () => {
      const response = await fetch(`${system.reporter.url}/reports/ingestion?source=myspace`);
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain('source');
    });
  });
});

/** A message that is not JSON on the Facebook subject, as if the gateway had received it now. */
async function publishPoison(system: PipelineSystem): Promise<void> {
  const nc = await connect({ servers: system.natsUrl });
  try {
    const headers = natsHeaders();
    headers.set(RECEIVED_AT_HEADER, new Date().toISOString());
    for (let message = 0; message < POISON_MESSAGES; message++) {
      await jetstream(nc).publish(eventSubject('facebook', system.names.subjectPrefix), 'not json', { headers });
    }
  } finally {
    await nc.close();
  }
}

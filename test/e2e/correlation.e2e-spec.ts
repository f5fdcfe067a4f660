import { randomUUID } from 'node:crypto';
import { CORRELATION_ID_HEADER, type MarketingEvent, SOURCES } from '@evp/contracts';
import { PipelineSystem, buildServicesOnce } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('PipelineSystem', () => {
  let system: PipelineSystem;

  beforeAll(async () => {
    buildServicesOnce();
    system = await PipelineSystem.start({ name: 'correlation-e2e' });
  }, 240_000);

  afterAll(async () => {
    await system?.dispose();
  });

  describe('when a webhook request carries an x-correlation-id', () => {
    const correlationId = `e2e-${randomUUID()}`;
    const generator = new EventGenerator({ seed: 7_007 });
    const events: MarketingEvent[] = [generator.facebook(), generator.tiktok()];

    beforeAll(async () => {
      const response = await fetch(system.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CORRELATION_ID_HEADER]: correlationId },
        body: JSON.stringify(events),
      });
      expect(response.status).toBeLessThan(300);
      expect(((await response.json()) as { correlationId?: string }).correlationId).toBe(correlationId);
      await system.waitUntilDrained({ timeoutMs: 30_000, stableForMs: 500 });
    });

    it("should write the id in the gateway's log line for the request", async () => {
      const line = await system.gateway.waitForLog((candidate) => candidate.correlationId === correlationId, 10_000);
      expect(line.service).toBe('gateway');
      expect(line.message).toBe('webhook batch handled');
    });

    it.each(SOURCES)("should write the id in the %s collector's log line for the stored event", async (source) => {
      const collector = system.collector(source);
      const line = await collector.waitForLog(
        (candidate) => candidate.correlationId === correlationId && /stored 1 events?/.test(String(candidate.message)),
        10_000,
      );
      expect(line.service).toBe(collector.name);
    });

    it('should store the id with each event of the request', async () => {
      const rows = await system.query<{ event_id: string; correlation_id: string | null }>(
        `SELECT event_id, correlation_id FROM events_as_received WHERE event_id = ANY($1::text[])
         ORDER BY event_id COLLATE "C"`,
        [events.map((event) => event.eventId)],
      );
      expect(rows).toEqual(
        events
          .map((event) => ({ event_id: event.eventId, correlation_id: correlationId }))
          .sort((a, b) => (a.event_id < b.event_id ? -1 : 1)),
      );
    });
  });
});

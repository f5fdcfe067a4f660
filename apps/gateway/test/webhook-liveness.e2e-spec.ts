import { setTimeout as sleep } from 'node:timers/promises';
import { EventGenerator } from '@evp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventIngestService } from '../src/ingest/event-ingest.service';
import { type TestGateway, batchBody, postWebhook, startTestGateway } from './gateway.harness';

/** The bound: the process must keep answering health checks while it handles the largest bodies. */
const LIVENESS_BOUND_MS = 250;
const POLL_INTERVAL_MS = 10;

describe(EventIngestService, () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway?.dispose();
  });

  describe('when a 50,000-event body is being handled', () => {
    it(`should keep answering liveness within ${LIVENESS_BOUND_MS} ms`, async ({ annotate }) => {
      const body = batchBody(new EventGenerator({ seed: 50_000 }).batch(50_000));
      const latencies: number[] = [];
      let handling = true;
      const poll = async () => {
        while (handling) {
          const started = performance.now();
          const response = await fetch(`${gateway.url}/health/liveness`);
          await response.arrayBuffer();
          latencies.push(performance.now() - started);
          await sleep(POLL_INTERVAL_MS);
        }
      };

      const polling = poll();
      const answer = await postWebhook(gateway.url, body);
      handling = false;
      await polling;

      const worst = Math.max(...latencies);
      await annotate(
        `${Buffer.byteLength(body)} bytes answered in ${Math.round(answer.elapsedMs)} ms; ${latencies.length} liveness polls, slowest ${Math.round(worst)} ms`,
      );
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ accepted: 50_000, rejected: 0 });
      expect(latencies.length).toBeGreaterThan(5);
      expect(worst, `slowest liveness answer while the body was handled (${latencies.length} polls)`).toBeLessThan(
        LIVENESS_BOUND_MS,
      );
    });
  });
});

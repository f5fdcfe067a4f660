import {
  type PrivateNats,
  type PrivatePostgres,
  type PublisherRun,
  startPrivateNats,
  startPrivatePostgres,
} from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { ensureServicesBuilt } from './support/services.build';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reconciled, reconcile, runLoad, whenStored } from './support/emulator.load';
import { ReliabilityStack } from './support/reliability.stack';
import { recordScenario } from './support/scenario.summary';

const TOTAL = Number(process.env.RELIABILITY_EVENTS ?? 15_000);
const RETRY_AFTER_SECONDS = '3';

describe('server restarts under load', () => {
  beforeAll(() => {
    ensureServicesBuilt();
  });

  describe('when the private NATS server stops mid-load and comes back', () => {
    let nats: PrivateNats;
    let stack: ReliabilityStack;
    let run: PublisherRun;
    let outcome: Reconciled;
    let outage: { status: number; retryAfter: string | null };
    let readyAfter: number;

    beforeAll(async () => {
      nats = await startPrivateNats();
      stack = await ReliabilityStack.start({
        name: 'rel-nats',
        natsUrl: nats.url,
        env: { PUBLISH_TIMEOUT_MS: '2000', RETRY_AFTER_SECONDS },
      });
      const load = runLoad(stack, TOTAL, 505);
      await whenStored(stack, 2_000);
      await nats.stop();
      const response = await fetch(stack.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(new EventGenerator({ seed: 506 }).batch(10)),
      });
      await response.arrayBuffer();
      outage = { status: response.status, retryAfter: response.headers.get('retry-after') };
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await nats.restart();
      await stack.waitReady('gateway');
      readyAfter = (await fetch(`${stack.service('gateway').url}/health/readiness`)).status;
      run = await load;
      outcome = await reconcile(stack, 'NATS restart', [run]);
      recordScenario({ ...outcome.result, note: `during the outage the gateway answered ${outage.status}` });
    });

    afterAll(async () => {
      await stack?.dispose();
      await nats?.dispose();
    });

    it('should answer 503 with Retry-After while NATS is down', () => {
      expect(outage).toEqual({ status: 503, retryAfter: RETRY_AFTER_SECONDS });
    });

    it('should be ready again once NATS is back', () => {
      expect(readyAfter).toBe(200);
    });

    it('should store every acknowledged event exactly once', () => {
      expect(outcome.reconciliation).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    });
  });

  describe('when the private PostgreSQL server stops mid-load and comes back', () => {
    let postgres: PrivatePostgres;
    let stack: ReliabilityStack;
    let run: PublisherRun;
    let outcome: Reconciled;

    beforeAll(async () => {
      postgres = await startPrivatePostgres();
      stack = await ReliabilityStack.start({ name: 'rel-pg', databaseUrl: postgres.url });
      const load = runLoad(stack, TOTAL, 606);
      await whenStored(stack, 2_000);
      await postgres.stop();
      // Long enough for the collectors to fail batches and retry them.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await postgres.start();
      run = await load;
      outcome = await reconcile(stack, 'PostgreSQL restart', [run]);
      recordScenario(outcome.result);
    });

    afterAll(async () => {
      await stack?.dispose();
      await postgres?.destroy();
    });

    it('should have the collectors ready again', async () => {
      await stack.waitReady('fb-collector');
      await stack.waitReady('ttk-collector');
    });

    it('should store every acknowledged event exactly once', () => {
      expect(outcome.reconciliation).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
      expect(outcome.reconciliation.storedRows).toBe(outcome.reconciliation.acknowledgedIds);
    });
  });
});

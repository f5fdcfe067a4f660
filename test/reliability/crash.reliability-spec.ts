import { type PublisherRun } from '@evp/testing';
import { ensureServicesBuilt } from './support/services.build';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pacedLoadFlags, type Reconciled, reconcile, runLoad, whenStored } from './support/emulator.load';
import { ReliabilityStack } from './support/reliability.stack';
import { recordScenario } from './support/scenario.summary';

const TOTAL = Number(process.env.RELIABILITY_EVENTS ?? 15_000);
/** Short, so the messages the killed collector had in hand come back soon. */
const ACK_WAIT_MS = '5000';

describe('crashes under load', () => {
  beforeAll(() => {
    ensureServicesBuilt();
  });

  describe('when a collector is killed with SIGKILL mid-load and started again', () => {
    let stack: ReliabilityStack;
    let run: PublisherRun;
    let outcome: Reconciled;
    let exitCode: number | null;

    beforeAll(async () => {
      stack = await ReliabilityStack.start({ name: 'rel-crash-collector', env: { ACK_WAIT_MS } });
      const load = runLoad(stack, TOTAL, 202);
      await whenStored(stack, 2_000);
      exitCode = await stack.service('fb-collector').kill();
      await stack.service('fb-collector').restart();
      run = await load;
      outcome = await reconcile(stack, 'collector kill -9', [run]);
      recordScenario(outcome.result);
    });

    afterAll(async () => {
      await stack?.dispose();
    });

    it('should have died without a chance to clean up', () => {
      expect(exitCode).toBeNull();
    });

    it('should store every acknowledged event exactly once', () => {
      expect(outcome.reconciliation).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
      expect(outcome.reconciliation.storedRows).toBe(outcome.reconciliation.acknowledgedIds);
    });
  });

  describe('when the gateway is killed with SIGKILL mid-request and started again', () => {
    let stack: ReliabilityStack;
    let run: PublisherRun;
    let outcome: Reconciled;

    beforeAll(async () => {
      stack = await ReliabilityStack.start({ name: 'rel-crash-gateway' });
      // Paced, and twice the events: in load mode a quiet machine had sent everything before the kill.
      const load = runLoad(stack, 2 * TOTAL, 303, pacedLoadFlags);
      await whenStored(stack, 2_000);
      await stack.service('gateway').kill();
      await stack.service('gateway').restart();
      run = await load;
      outcome = await reconcile(stack, 'gateway kill -9', [run]);
      recordScenario({ ...outcome.result, note: `${run.summary.requests.failed} requests got no reply` });
    });

    afterAll(async () => {
      await stack?.dispose();
    });

    it('should have lost some requests to the crash', () => {
      expect(run.summary.requests.failed).toBeGreaterThan(0);
    });

    it('should store every event of a 2xx reply, none twice, and nothing that was never sent', () => {
      // Events of requests cut off by the crash may be stored or not: they are in the `.unacked` ledger.
      expect(outcome.reconciliation).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    });
  });
});

import { isDeepStrictEqual } from 'node:util';
import { type PublisherRun } from '@evp/testing';
import { ensureServicesBuilt } from './support/services.build';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reconciled, reconcile, runLoad } from './support/emulator.load';
import { type ReportFigures, expectedFigures, reportedFigures } from './support/report.expectations';
import { ReliabilityStack } from './support/reliability.stack';
import { recordScenario } from './support/scenario.summary';

const TOTAL = Number(process.env.RELIABILITY_EVENTS ?? 20_000);

describe('the pipeline under emulator load with duplicates, reordering and corruptions', () => {
  let stack: ReliabilityStack;
  let run: PublisherRun;
  let outcome: Reconciled;
  let expected: ReportFigures;
  let reported: ReportFigures;

  beforeAll(async () => {
    ensureServicesBuilt();
    stack = await ReliabilityStack.start({ name: 'rel-exact' });
    run = await runLoad(stack, TOTAL, 101);
    outcome = await reconcile(stack, 'exactness', [run]);
    [expected, reported] = await Promise.all([
      expectedFigures(stack, [run.ledgerPath]),
      reportedFigures(stack.service('reporter').url),
    ]);
    recordScenario({ ...outcome.result, passed: outcome.result.passed && isDeepStrictEqual(expected, reported) });
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  describe('when the load has drained', () => {
    it('should have sent duplicates and corruptions', () => {
      expect(run.summary.events.duplicates).toBeGreaterThan(0);
      expect(run.summary.events.corrupted).toBeGreaterThan(0);
      expect(outcome.reconciliation.acknowledgedLines).toBeGreaterThan(outcome.reconciliation.acknowledgedIds);
    });

    it('should store every acknowledged event exactly once and nothing else', () => {
      expect(outcome.reconciliation).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
      expect(outcome.reconciliation.storedRows).toBe(outcome.reconciliation.acknowledgedIds);
    });

    it('should answer the three reports as computed independently from the acknowledged events', () => {
      expect(expected.events.total).toBe(outcome.reconciliation.acknowledgedIds);
      expect(reported).toEqual(expected);
    });
  });
});

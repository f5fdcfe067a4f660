import { type PublisherRun, type ServiceProcess, metricSum, runPublisher, scrapeMetrics } from '@evp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reconciled, loadFlags, reconcile } from './support/emulator.load';
import { ReliabilityStack } from './support/reliability.stack';
import { recordScenario } from './support/scenario.summary';
import { ensureServicesBuilt } from './support/services.build';

const TOTAL = Number(process.env.RELIABILITY_EVENTS ?? 15_000);

/** Events each collector instance stored (rows really inserted), read from its own /metrics. */
async function storedBy(instance: ServiceProcess): Promise<number> {
  return metricSum(await scrapeMetrics(instance.url), 'collector_events_processed_total');
}

describe('two gateways and two instances of each collector on the same streams and database', () => {
  let stack: ReliabilityStack;
  let gateways: ServiceProcess[];
  let collectors: ServiceProcess[];
  let runs: PublisherRun[];
  let outcome: Reconciled;
  let storedPerCollector: number[];

  beforeAll(async () => {
    ensureServicesBuilt();
    stack = await ReliabilityStack.start({ name: 'rel-multi' });
    gateways = [stack.service('gateway'), await stack.addInstance('gateway')];
    collectors = [
      stack.service('fb-collector'),
      await stack.addInstance('fb-collector'),
      stack.service('ttk-collector'),
      await stack.addInstance('ttk-collector'),
    ];
    // One emulator per gateway, at once, with events of their own (different seeds) and duplicates in each.
    runs = await Promise.all(
      gateways.map((gateway, index) =>
        runPublisher({ endpoint: stack.webhookUrlOf(gateway), flags: loadFlags(TOTAL, 707 + index) }),
      ),
    );
    outcome = await reconcile(stack, 'two gateways, two instances per collector', runs);
    storedPerCollector = await Promise.all(collectors.map(storedBy));
    recordScenario({
      ...outcome.result,
      note: `rows stored by fb ×2, ttk ×2: ${storedPerCollector.join(', ')}`,
    });
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  it('should have every gateway acknowledge events', () => {
    for (const run of runs) expect(run.summary.events.acknowledged).toBeGreaterThan(0);
  });

  it('should split the work between the instances of each collector', () => {
    for (const stored of storedPerCollector) expect(stored).toBeGreaterThan(0);
  });

  it('should store every acknowledged event exactly once across all instances, and nothing else', () => {
    expect(outcome.reconciliation).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    expect(outcome.reconciliation.storedRows).toBe(outcome.reconciliation.acknowledgedIds);
    expect(storedPerCollector.reduce((sum, stored) => sum + stored, 0)).toBe(outcome.reconciliation.storedRows);
  });
});

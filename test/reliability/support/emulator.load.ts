import { type LedgerReconciliation, type PublisherRun, reconcileLedger, runPublisher } from '@evp/testing';
import type { ReliabilityStack } from './reliability.stack';
import type { ScenarioResult } from './scenario.summary';

/**
 * Emulator knobs for the scenarios: small batches in load mode (many requests, so a crash lands mid-request),
 * duplicates, timestamps up to an hour out of order and a corrupted event in a third of the batches.
 */
export function loadFlags(total: number, seed: number): Record<string, string | number> {
  return {
    mode: 'load',
    total,
    seed,
    'batch-min': 100,
    'batch-max': 600,
    'duplicate-rate': 0.1,
    'jitter-ms': 3_600_000,
    'corruption-rate': 0.3,
    concurrency: 4,
    'request-timeout-ms': 30_000,
    'progress-interval-ms': 0,
  };
}

/**
 * The same events sent like the real publisher (a batch on a timer, not waiting for replies), every 100 ms: the
 * sending lasts seconds whatever the machine's speed, so a crash in the middle of it is certain to cut requests.
 */
export function pacedLoadFlags(total: number, seed: number): Record<string, string | number> {
  const flags = loadFlags(total, seed);
  // On a timer the requests in flight are not capped, like the real image.
  delete flags.concurrency;
  return { ...flags, mode: 'default', 'interval-ms': 100 };
}

/** Runs the emulator against the stack's gateway to its `total`. */
export function runLoad(
  stack: ReliabilityStack,
  total: number,
  seed: number,
  flags: (total: number, seed: number) => Record<string, string | number> = loadFlags,
): Promise<PublisherRun> {
  return runPublisher({ endpoint: stack.webhookUrl, flags: flags(total, seed) });
}

/** Waits until at least `rows` events are stored: the load is well under way. */
export async function whenStored(stack: ReliabilityStack, rows: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await stack.storedCount().catch(() => 0)) < rows) {
    if (Date.now() > deadline) throw new Error(`fewer than ${rows} rows stored within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface Reconciled {
  reconciliation: LedgerReconciliation;
  result: ScenarioResult;
}

/** Drains the collectors and compares the runs' ledgers with the stored rows. */
export async function reconcile(
  stack: ReliabilityStack,
  scenario: string,
  runs: readonly PublisherRun[],
): Promise<Reconciled> {
  await stack.waitUntilDrained();
  const reconciliation = await stack.withClient((client) =>
    reconcileLedger(
      client,
      {
        acknowledgedPaths: runs.map((run) => run.ledgerPath),
        unacknowledgedPaths: runs.map((run) => run.unacknowledgedPath),
      },
      `reconcile_${stack.names.id}`,
    ),
  );
  const result: ScenarioResult = {
    scenario,
    sent: runs.reduce((sum, run) => sum + run.summary.events.sent, 0),
    acknowledged: reconciliation.acknowledgedIds,
    stored: reconciliation.storedRows,
    duplicated: reconciliation.duplicated,
    lost: reconciliation.lost,
    passed: reconciliation.lost === 0 && reconciliation.duplicated === 0 && reconciliation.unexpected === 0,
  };
  return { reconciliation, result };
}

import { isDeepStrictEqual } from 'node:util';
import {
  type PrivatePostgres,
  type PublisherRun,
  metricSum,
  scrapeMetrics,
  startPrivatePostgres,
  startPrivateReplica,
} from '@evp/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reconciled, reconcile, runLoad } from './support/emulator.load';
import { type ReportFigures, expectedFigures, reportedFigures } from './support/report.expectations';
import { ReliabilityStack } from './support/reliability.stack';
import { recordScenario } from './support/scenario.summary';
import { ensureServicesBuilt } from './support/services.build';

const TOTAL = Number(process.env.RELIABILITY_EVENTS ?? 6_000);
const CONVERGE_TIMEOUT_MS = 60_000;

/** Runs one statement on the replica as the superuser (pausing and resuming its replay). */
async function onReplica(replica: PrivatePostgres, statement: string): Promise<void> {
  const client = new Client({ connectionString: replica.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Polls until `read` gives a value `done` accepts, and resolves with it (the last one read on timeout). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('reports read from a streaming replica (REPORTER_DATABASE_URL)', () => {
  let primary: PrivatePostgres;
  let replica: PrivatePostgres;
  let stack: ReliabilityStack;
  let runs: PublisherRun[];
  let outcome: Reconciled;
  let before: ReportFigures;
  let after: ReportFigures;
  let whilePaused: ReportFigures;
  let lagWhilePaused: number;
  let converged: ReportFigures;
  let lagAfter: number;
  let indexed: number;

  const reporterUrl = () => stack.service('reporter').url;
  const lag = async () => metricSum(await scrapeMetrics(reporterUrl()), 'reporter_replica_lag_seconds');

  beforeAll(async () => {
    ensureServicesBuilt();
    primary = await startPrivatePostgres();
    replica = await startPrivateReplica(primary);
    // Collectors and the demographics indexer write to the primary; only the reports read the replica.
    stack = await ReliabilityStack.start({
      name: 'rel-replica',
      databaseUrl: primary.url,
      env: { REPORTER_DATABASE_URL: replica.url },
    });
    const first = await runLoad(stack, TOTAL, 404);
    await reconcile(stack, 'read replica (first load)', [first]);
    before = await expectedFigures(stack, [first.ledgerPath]);
    await eventually(
      () => reportedFigures(reporterUrl()),
      (figures) => isDeepStrictEqual(figures, before),
    );

    // With replay paused the replica keeps what it had, whatever the primary stores meanwhile.
    await onReplica(replica, 'SELECT pg_wal_replay_pause()');
    const second = await runLoad(stack, TOTAL, 405);
    runs = [first, second];
    outcome = await reconcile(stack, 'read replica', runs);
    after = await expectedFigures(stack, [first.ledgerPath, second.ledgerPath]);
    whilePaused = await reportedFigures(reporterUrl());
    lagWhilePaused = await lag();

    await onReplica(replica, 'SELECT pg_wal_replay_resume()');
    converged = await eventually(
      () => reportedFigures(reporterUrl()),
      (figures) => isDeepStrictEqual(figures, after),
    );
    lagAfter = await eventually(lag, (seconds) => seconds === 0);
    indexed = metricSum(await scrapeMetrics(reporterUrl()), 'reporter_demographics_indexed_events_total');
    recordScenario({
      ...outcome.result,
      passed: outcome.result.passed && isDeepStrictEqual(converged, after),
      note: `replica lag while paused ${lagWhilePaused.toFixed(1)} s, then ${lagAfter} s`,
    });
  });

  afterAll(async () => {
    await stack?.dispose();
    await replica?.destroy();
    await primary?.destroy();
  });

  it('should store every acknowledged event exactly once on the primary', () => {
    expect(outcome.reconciliation).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    expect(outcome.reconciliation.storedRows).toBe(outcome.reconciliation.acknowledgedIds);
  });

  describe('when the replica stops replaying', () => {
    it('should answer the figures the replica holds, not the primary newer ones', () => {
      expect(after.events.total).toBeGreaterThan(before.events.total);
      expect(whilePaused).toEqual(before);
    });

    it('should report the replica lag', () => {
      expect(lagWhilePaused).toBeGreaterThan(0);
    });
  });

  describe('when the replica replays again', () => {
    it('should converge to the primary figures', () => {
      expect(converged).toEqual(after);
    });

    it('should report no lag once caught up', () => {
      expect(lagAfter).toBe(0);
    });

    it('should have indexed demographics through the primary while reading the replica', () => {
      expect(indexed).toBeGreaterThan(0);
    });
  });
});

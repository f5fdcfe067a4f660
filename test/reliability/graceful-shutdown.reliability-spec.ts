import { type PublisherRun, type ServiceName } from '@evp/testing';
import { ensureServicesBuilt } from './support/services.build';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reconciled, reconcile, runLoad, whenStored } from './support/emulator.load';
import { ReliabilityStack } from './support/reliability.stack';
import { recordScenario } from './support/scenario.summary';

const TOTAL = Number(process.env.RELIABILITY_EVENTS ?? 20_000);
const SHUTDOWN_TIMEOUT_MS = 10_000;

interface Stopped {
  code: number | null;
  elapsedMs: number;
  /** The service's last log lines before it exited, for the failure message. */
  lastLogs: string;
}

describe('graceful shutdown under load', () => {
  let stack: ReliabilityStack;
  let run: PublisherRun;
  let outcome: Reconciled;
  const stopped = new Map<ServiceName, Stopped>();
  let reportStatuses: number[] = [];

  /** SIGTERM, timed; a service still running after twice its timeout is killed and shows up as a null code. */
  const terminate = async (name: ServiceName): Promise<void> => {
    const started = Date.now();
    const code = await stack.service(name).stop('SIGTERM', SHUTDOWN_TIMEOUT_MS * 2);
    stopped.set(name, { code, elapsedMs: Date.now() - started, lastLogs: stack.service(name).tail(15) });
    await stack.service(name).restart();
  };

  beforeAll(async () => {
    ensureServicesBuilt();
    stack = await ReliabilityStack.start({
      name: 'rel-sigterm',
      env: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
    });
    const load = runLoad(stack, TOTAL, 404);
    await whenStored(stack, 2_000);
    await terminate('fb-collector');
    await terminate('ttk-collector');
    // Report requests under way when the signal lands must still be answered: enough of them to keep the
    // reporter busy past the signal, and sent a moment before it so each has reached the server.
    const reporter = stack.service('reporter').url;
    const paths = ['events?interval=minute', 'revenue', 'demographics'];
    const requests = Array.from({ length: 30 }, (_, index) =>
      fetch(`${reporter}/reports/${paths[index % paths.length] ?? 'events'}`).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        // A connection reset or refused: the request was not answered.
        () => -1,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await terminate('reporter');
    reportStatuses = await Promise.all(requests);
    // The gateway last: while it is down the emulator's batches fail and its total runs out sooner.
    await terminate('gateway');
    run = await load;
    outcome = await reconcile(stack, 'SIGTERM each service', [run]);
    const timings = [...stopped].map(([name, { code, elapsedMs }]) => `${name} exit ${code} in ${elapsedMs} ms`);
    const unanswered = reportStatuses.filter((status) => status !== 200).length;
    const reporterOk = unanswered === 0 && [...stopped.values()].every((result) => result.code === 0);
    recordScenario({
      ...outcome.result,
      passed: outcome.result.passed && reporterOk,
      note: `${timings.join(', ')}; ${unanswered} of ${reportStatuses.length} report requests in flight unanswered`,
    });
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  describe.each(['fb-collector', 'ttk-collector', 'reporter', 'gateway'] as const)('when %s gets SIGTERM', (name) => {
    it('should exit 0 within SHUTDOWN_TIMEOUT_MS', () => {
      const result = stopped.get(name);
      expect(result?.code, result?.lastLogs).toBe(0);
      expect(result?.elapsedMs).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_MS);
    });
  });

  describe('when the reporter stops with requests in flight', () => {
    it('should answer each of them', () => {
      expect(reportStatuses).toEqual(reportStatuses.map(() => 200));
    });
  });

  describe('when the load has drained after the restarts', () => {
    it('should store every acknowledged event exactly once', () => {
      expect(outcome.reconciliation).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
      expect(outcome.reconciliation.storedRows).toBe(outcome.reconciliation.acknowledgedIds);
    });
  });
});

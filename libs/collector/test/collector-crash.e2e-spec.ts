import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { CollectorModule, type CollectorModuleOptions } from '@evp/collector';
import { eventSubject } from '@evp/contracts';
import { createTestDatabase, REPO_ROOT, streamMessageCount } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  eventually,
  packedMessages,
  publishAll,
  startTestCollector,
  type TestCollector,
} from './support/collector.harness';
import { type CollectorSuite, openCollectorSuite, suiteCollectorOptions } from './support/collector.suite';

const CRASHING_COLLECTOR = join(__dirname, 'support', 'crash-after-commit.main.ts');

/** Runs the collector that SIGKILLs itself after its first commit; resolves with what it committed and how it ended. */
async function runCrashingCollector(
  options: CollectorModuleOptions,
): Promise<{ committed: number; signal: NodeJS.Signals | null; output: string }> {
  const { normaliser: _normaliser, ...serialisable } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', CRASHING_COLLECTOR], {
    cwd: REPO_ROOT,
    env: { ...process.env, CRASH_COLLECTOR_OPTIONS: JSON.stringify(serialisable) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  const line = output.split('\n').find((text) => text.startsWith('{"committed"'));
  return { committed: line === undefined ? 0 : (JSON.parse(line) as { committed: number }).committed, signal, output };
}

describe(CollectorModule, () => {
  let suite: CollectorSuite;
  let survivor: TestCollector | undefined;

  beforeAll(async () => {
    suite = await openCollectorSuite('collector-crash', await createTestDatabase());
  });

  afterAll(async () => {
    await survivor?.close();
    await suite?.close();
  });

  describe('when a collector is killed after its batch is committed and before it is acked', () => {
    it('should get the array message again and store nothing twice', async () => {
      // The first pull takes one message (50 events): the collector sizes pulls from the events per message it saw.
      const options = suiteCollectorOptions(suite, 'facebook', {
        batchSize: 100,
        maxEventsPerWrite: 50,
        ackWaitMs: 2_000,
      });
      const subject = eventSubject('facebook', suite.names.subjectPrefix);
      const generator = new EventGenerator({ seed: 31 });
      const events = Array.from({ length: 1_000 }, () => generator.facebook());
      const messages = packedMessages(subject, events, 50, { correlationId: 'crash', msgIdPrefix: 'crash' });
      // A collector start before any event provisions the stream and the durable, so the events wait for the next one.
      await (await startTestCollector(options)).close();
      await publishAll(suite.admin.js, messages);

      const crash = await runCrashingCollector(options);
      expect(crash.signal, crash.output).toBe('SIGKILL');
      expect(crash.committed).toBe(50);
      // Committed, yet nothing acked: the work queue still holds every message.
      expect(await countRows(suite.pool)).toBe(50);
      expect(await streamMessageCount(suite.admin.jsm, suite.names.stream)).toBe(messages.length);

      survivor = await startTestCollector(options);
      await eventually(
        async () => (await streamMessageCount(suite.admin.jsm, suite.names.stream)) === 0,
        60_000,
        'the stream drained',
      );
      expect(await countRows(suite.pool)).toBe(events.length);
      expect(
        Number(
          (await suite.pool.query<{ n: string }>('SELECT count(DISTINCT event_id) AS n FROM events_as_received'))
            .rows[0]?.n,
        ),
      ).toBe(events.length);
      expect(await survivor.metric('collector_events_processed_total')).toBe(events.length - 50);
      expect(await survivor.metric('collector_events_duplicate_total')).toBeGreaterThanOrEqual(50);
      expect(await survivor.metric('messaging_redelivered_total')).toBeGreaterThanOrEqual(1);
    });
  });
});

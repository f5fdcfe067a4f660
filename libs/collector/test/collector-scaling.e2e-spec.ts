import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CollectorModule } from '@evp/collector';
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
  type TestMessage,
} from './support/collector.harness';
import { type CollectorSuite, openCollectorSuite, suiteCollectorOptions } from './support/collector.suite';

describe(CollectorModule, () => {
  let suite: CollectorSuite;
  let instances: TestCollector[] = [];

  beforeAll(async () => {
    // Empty: both instances migrate it as they start.
    suite = await openCollectorSuite('collector-scaling', await createTestDatabase({ migrate: false }));
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    await suite?.close();
  });

  describe('when two instances of one collector (one registered with forRoot, one with forRootAsync) start at once on an unmigrated database', () => {
    it('should apply each migration once, split the work, and store every event exactly once', async () => {
      const options = suiteCollectorOptions(suite, 'tiktok', { batchSize: 100, migrateOnStart: true });
      instances = await Promise.all([startTestCollector(options, 'sync'), startTestCollector(options, 'async')]);

      const migrations = readdirSync(join(REPO_ROOT, 'libs/database/prisma/migrations')).filter((entry) =>
        /^\d+_/.test(entry),
      );
      const applied = (
        await suite.pool.query<{ migration_name: string; finished: boolean }>(
          'SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY 1',
        )
      ).rows;
      expect(applied.map((row) => row.migration_name)).toEqual([...migrations].sort());
      expect(applied.every((row) => row.finished)).toBe(true);

      const subject = eventSubject('tiktok', suite.names.subjectPrefix);
      const generator = new EventGenerator({ seed: 51 });
      const events = Array.from({ length: 6_000 }, () => generator.tiktok());
      const messages: TestMessage[] = [];
      for (let start = 0; start < events.length; start += 150)
        messages.push(
          ...packedMessages(subject, events.slice(start, start + 150), 50, { correlationId: `request-${start}` }),
        );
      // Repeats of earlier events, without message ids, so both instances may meet the same event.
      const repeats = events.filter((_, index) => index % 6 === 0);
      messages.push(...packedMessages(subject, repeats, 50, { correlationId: 'repeat' }));
      await publishAll(suite.admin.js, messages);
      await eventually(
        async () => (await streamMessageCount(suite.admin.jsm, suite.names.stream)) === 0,
        90_000,
        'the stream drained',
      );

      expect(await countRows(suite.pool)).toBe(events.length);
      const processed = await Promise.all(
        instances.map((instance) => instance.metric('collector_events_processed_total')),
      );
      const received = await Promise.all(
        instances.map(
          async (instance) =>
            (await instance.metric('collector_messages_received_total')) -
            (await instance.metric('messaging_redelivered_total')),
        ),
      );
      expect(processed[0]! + processed[1]!).toBe(events.length);
      expect(received[0]! + received[1]!).toBe(messages.length);
      expect(processed[0]).toBeGreaterThan(0);
      expect(processed[1]).toBeGreaterThan(0);
      // Two migration CLI runs one after the other take a while on a busy machine.
    }, 180_000);
  });
});

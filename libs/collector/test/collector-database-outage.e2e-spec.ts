import { CollectorBatchHandler } from '@evp/collector';
import { eventSubject } from '@evp/contracts';
import { type PrivatePostgres, startPrivatePostgres, streamMessageCount } from '@evp/testing';
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

describe(CollectorBatchHandler, () => {
  let postgres: PrivatePostgres;
  let suite: CollectorSuite;
  let collector: TestCollector;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    suite = await openCollectorSuite('collector-outage', { url: postgres.url, drop: () => postgres.destroy() });
    // Enough deliveries that an outage of a few seconds, retried every 0.2-1 s, does not exhaust them.
    collector = await startTestCollector(suiteCollectorOptions(suite, 'tiktok', { batchSize: 200, maxDeliver: 100 }));
  });

  afterAll(async () => {
    await collector?.close();
    await suite?.close();
  });

  describe('when the database stops mid-stream and comes back', () => {
    it('should ack nothing it could not store, report the database down, and store everything once it returns', async () => {
      const subject = eventSubject('tiktok', suite.names.subjectPrefix);
      const generator = new EventGenerator({ seed: 41 });
      const before = Array.from({ length: 1_000 }, () => generator.tiktok());
      const during = Array.from({ length: 1_000 }, () => generator.tiktok());
      const messagesOf = (events: typeof before) =>
        packedMessages(subject, events, 100, { correlationId: 'outage', msgIdPrefix: events[0]?.eventId });

      await publishAll(suite.admin.js, messagesOf(before));
      await eventually(
        async () => (await streamMessageCount(suite.admin.jsm, suite.names.stream)) === 0,
        60_000,
        'the first events stored',
      );
      expect(await countRows(suite.pool)).toBe(before.length);

      await postgres.stop();
      await publishAll(suite.admin.js, messagesOf(during));
      await eventually(
        async () => (await collector.metric('collector_events_failed_total', { reason: 'database' })) >= during.length,
        30_000,
        'failed writes',
      );
      const readiness = await collector.readiness.run('database');
      expect(readiness.up).toBe(false);
      expect(readiness.message).toMatch(/database "evp" on 127\.0\.0\.1:\d+ is not reachable/);
      // Retried several times over, and still every message waits in the work queue: none was acked.
      await eventually(
        async () => (await collector.metric('messaging_naked_total')) >= 3 * messagesOf(during).length,
        30_000,
        'repeated retries',
      );
      expect(await streamMessageCount(suite.admin.jsm, suite.names.stream)).toBe(messagesOf(during).length);
      expect(await collector.metric('collector_events_failed_total', { reason: 'dead_letter' })).toBe(0);

      await postgres.start();
      await eventually(
        async () => (await streamMessageCount(suite.admin.jsm, suite.names.stream)) === 0,
        60_000,
        'the stream drained after the database returned',
      );
      expect(await countRows(suite.pool)).toBe(before.length + during.length);
      expect(await collector.metric('collector_events_processed_total')).toBe(before.length + during.length);
      expect(await collector.readiness.run('database')).toEqual({ up: true });
      expect(await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream)).toBe(0);
    });
  });
});

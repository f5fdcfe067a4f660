import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CORRELATION_ID_HEADER, eventSubject } from '@evp/contracts';
import { MSG_ID_HEADER } from '@evp/messaging';
import { createTestDatabase, REPO_ROOT, readStream, streamMessageCount } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  publishAll,
  SHARED_NATS_URL,
  startTestCollector,
  type TestCollector,
} from './support/collector.harness';
import { type CollectorSuite, openCollectorSuite, suiteCollectorOptions } from './support/collector.suite';

const run = promisify(execFile);

describe('npm run dlq', () => {
  let suite: CollectorSuite;
  let collector: TestCollector | undefined;
  let subject: string;

  const dlq = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'dlq.ts'), ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NATS_URL: SHARED_NATS_URL,
        DEAD_LETTER_STREAM: suite.names.deadLetterStream,
        DEAD_LETTER_SUBJECT_PREFIX: suite.names.deadLetterPrefix,
      },
    });
    return stdout;
  };

  beforeAll(async () => {
    suite = await openCollectorSuite('dlq', await createTestDatabase());
    subject = eventSubject('facebook', suite.names.subjectPrefix);
    collector = await startTestCollector(suiteCollectorOptions(suite, 'facebook'));
    const generator = new EventGenerator({ seed: 81 });
    const withId = generator.tiktok();
    const withoutId = generator.tiktok();
    await publishAll(suite.admin.js, [
      { subject, data: JSON.stringify(withId), msgId: withId.eventId, correlationId: 'request-a' },
      { subject, data: '{"broken":', correlationId: 'request-b' },
      { subject, data: JSON.stringify(withoutId), correlationId: 'request-c' },
    ]);
    await eventually(
      async () => (await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream)) === 3,
      30_000,
      'three dead letters',
    );
    // The cause is being fixed: nothing consumes the events stream while letters are replayed.
    await collector.close();
    // A gateway reject whose source was unknown: its original subject is the dead-letter subject itself.
    await publishAll(suite.admin.js, [
      {
        subject: `${suite.names.deadLetterPrefix}.gateway`,
        data: '{"source":"myspace"}',
        correlationId: 'request-d',
      },
    ]);
  });

  afterAll(async () => {
    await collector?.close();
    await suite?.close();
  });

  describe('when listing', () => {
    it('should print every letter with its sequence, origin, event id, correlation id and reason', async () => {
      const output = await dlq('list');
      const durable = suite.names.durable('facebook');
      expect(output).toContain(`4 dead letters in ${suite.names.deadLetterStream}`);
      expect(output).toMatch(
        new RegExp(`^1 +\\S+ +${durable} +ttk-\\S+ +request-a +event of source tiktok on the facebook subject$`, 'm'),
      );
      expect(output).toMatch(new RegExp(`^2 +\\S+ +${durable} +- +request-b +not JSON: `, 'm'));
      expect(output).toMatch(/^4 +\S+ +gateway +- +request-d +\(no reason recorded\)$/m);
    });

    it('should keep to one origin and to the latest letters', async () => {
      const output = await dlq('list', '--origin', suite.names.durable('facebook'), '--limit', '1');
      expect(output).toContain(
        `3 dead letters from ${suite.names.durable('facebook')} in ${suite.names.deadLetterStream}, the latest 1`,
      );
      expect(output).toMatch(/^3 +\S+ +\S+ +- +request-c +event of source tiktok/m);
      expect(output).not.toMatch(/^1 /m);
      expect(await dlq('list', '--origin', 'ttk-collector')).toContain('no dead letters from ttk-collector');
    });
  });

  describe('when replaying chosen letters', () => {
    it('should publish the original payloads with their message and correlation ids to their original subjects', async () => {
      const output = await dlq('replay', '--seq', '1-4');
      expect(output).toMatch(/^seq 4: skipped, no original subject/m);
      // Letter 1 carries a message id published moments ago: the stream's duplicate window drops it.
      expect(output).toContain('replayed 3 of 4 letters: 2 stored in the events stream, 1 dropped by it as duplicates');
      const replayed = await readStream(suite.admin.jsm, suite.names.stream);
      const letters = await readStream(suite.admin.jsm, suite.names.deadLetterStream);
      expect(replayed.map((message) => message.string())).toEqual([letters[1]!.string(), letters[2]!.string()]);
      expect(replayed.map((message) => message.subject)).toEqual([subject, subject]);
      expect(replayed.map((message) => message.header.get(CORRELATION_ID_HEADER))).toEqual(['request-b', 'request-c']);
      expect(replayed.every((message) => !message.header.has(MSG_ID_HEADER))).toBe(true);
      expect(await streamMessageCount(suite.admin.jsm, suite.names.deadLetterStream)).toBe(4);
    });

    it('should only say what it would do on a dry run', async () => {
      const before = await streamMessageCount(suite.admin.jsm, suite.names.stream);
      const output = await dlq('replay', '--all', '--origin', suite.names.durable('facebook'), '--dry-run');
      expect(output).toContain('dry run: 3 of 3 letters would be replayed');
      expect(await streamMessageCount(suite.admin.jsm, suite.names.stream)).toBe(before);
    });
  });

  describe('when the command line is wrong', () => {
    it('should explain the usage and exit with code 2', async () => {
      await expect(dlq('replay')).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('replay needs either --seq or --all') as unknown,
      });
      await expect(dlq('replay', '--seq', '5-2')).rejects.toMatchObject({ code: 2 });
    });
  });
});

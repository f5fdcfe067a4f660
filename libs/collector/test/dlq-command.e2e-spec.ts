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

  const replayedStream = () => `${suite.names.deadLetterStream}_REPLAYED`;
  const dlq = async (...args: string[]): Promise<string> => {
    const main = join(REPO_ROOT, 'apps', 'dlq', 'src', 'main.ts');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', main, ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NATS_URL: SHARED_NATS_URL,
        DEAD_LETTER_STREAM: suite.names.deadLetterStream,
        DEAD_LETTER_SUBJECT_PREFIX: suite.names.deadLetterPrefix,
        DLQ_REPLAYED_STREAM: replayedStream(),
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
    await suite?.admin.jsm.streams.delete(replayedStream()).catch(() => false);
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

  describe('when listing as JSON', () => {
    it('should print the stream, the total and the newest letters without payloads', async () => {
      const listed = JSON.parse(await dlq('list', '--limit', '2', '--json')) as {
        stream: string;
        total: number;
        letters: Array<Record<string, unknown>>;
      };
      expect(listed.stream).toBe(suite.names.deadLetterStream);
      expect(listed.total).toBe(4);
      expect(listed.letters.map((letter) => letter.seq)).toEqual([3, 4]);
      expect(listed.letters[1]).toMatchObject({ origin: 'gateway', correlationId: 'request-d' });
      expect(listed.letters[1]).not.toHaveProperty('payload');
    });
  });

  describe('when showing one letter', () => {
    it('should print its headers and its payload', async () => {
      const output = await dlq('show', '2');
      expect(output).toMatch(/^seq +2$/m);
      expect(output).toMatch(/^correlation id +request-b$/m);
      expect(output).toMatch(/^reason +not JSON: /m);
      expect(output).toContain('payload (10 bytes):\n{"broken":');
    });

    it('should print it as JSON with --json', async () => {
      const letter = JSON.parse(await dlq('show', '4', '--json')) as Record<string, unknown>;
      expect(letter).toMatchObject({ seq: 4, origin: 'gateway', payload: '{"source":"myspace"}' });
      expect(new Date(letter.time as string).toISOString()).toBe(letter.time);
    });

    it('should exit 1 naming a sequence that holds no letter', async () => {
      await expect(dlq('show', '99')).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining(`seq 99: no such letter in ${suite.names.deadLetterStream}`) as unknown,
      });
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

  describe('when purging the replayed letters', () => {
    it('should delete those stored again and keep the duplicate and the skipped one', async () => {
      expect(await dlq('purge', '--replayed', '--dry-run')).toContain('dry run: 2 replayed letters would be deleted');
      expect(JSON.parse(await dlq('purge', '--replayed', '--json'))).toEqual({ purged: [2, 3], alreadyGone: [] });
      const left = await readStream(suite.admin.jsm, suite.names.deadLetterStream);
      expect(left.map((letter) => letter.seq)).toEqual([1, 4]);
      expect(await dlq('purge', '--replayed')).toContain('deleted 0 replayed letters');
    });
  });

  describe('when asked for help', () => {
    it('should print the usage of each command and exit 0', async () => {
      expect(await dlq('--help')).toMatch(/^Usage: dlq <command>/);
      for (const command of ['list', 'show', 'replay', 'purge'])
        expect(await dlq(command, '--help')).toMatch(new RegExp(`^Usage: dlq ${command}`));
    });
  });

  describe('when the command line is wrong', () => {
    it('should explain the usage and exit with code 2', async () => {
      await expect(dlq('replay')).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('replay needs either --seq or --all') as unknown,
      });
      await expect(dlq('replay', '--seq', '5-2')).rejects.toMatchObject({ code: 2 });
      await expect(dlq('list', '--seq', '1')).rejects.toMatchObject({ code: 2 });
      await expect(dlq('purge')).rejects.toMatchObject({ code: 2 });
    });
  });
});

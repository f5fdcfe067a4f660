import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EVENT_TYPES, FUNNEL_STAGES, SOURCES, validateEvent } from '@evp/contracts';
import { CORRUPTION_KINDS } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublisherOptions } from '../src/publisher.config';
import { runPublisher } from '../src/publisher.runner';
import type { PublisherSummary } from '../src/publisher.stats';
import { classifyCorruption } from './corruption.classifier';
import { type ReceivedRequest, type ReceiverReply, RecordingReceiver } from './recording.receiver';

/** Headers HTTP/1.1 itself needs; anything else would be the publisher's own. */
const TRANSPORT_HEADERS = ['host', 'content-length', 'connection'];
const REPO_ROOT = resolve(__dirname, '../../..');
const MAIN = join(REPO_ROOT, 'apps/publisher/src/main.ts');
const workDir = mkdtempSync(join(tmpdir(), 'publisher-e2e-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let ledgerCount = 0;
const newLedgerPath = () => join(workDir, `ledger-${(ledgerCount += 1)}.txt`);
const readLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
const verdicts = new WeakMap<object, boolean>();
/** Whether an event passes the contract; remembered, since the suites ask about each event several times. */
const isValid = (event: Record<string, unknown>): boolean => {
  let verdict = verdicts.get(event);
  if (verdict === undefined) verdicts.set(event, (verdict = validateEvent(event).ok));
  return verdict;
};
const idsOf = (requests: ReceivedRequest[]) =>
  requests.flatMap((request) => request.events.filter(isValid).map((event) => event.eventId as string));
const isSuccess = (request: ReceivedRequest, statusOf: (index: number) => number) => {
  const status = statusOf(request.index);
  return status >= 200 && status < 300;
};

interface Run {
  receiver: RecordingReceiver;
  summary: PublisherSummary;
  lines: string[];
  ledger: string;
}

/** Runs the emulator in-process against a fresh receiver until its total or duration is reached. */
async function publish(
  overrides: Partial<PublisherOptions>,
  reply?: (request: ReceivedRequest) => ReceiverReply,
): Promise<Run> {
  const receiver = await RecordingReceiver.start(reply);
  const ledger = newLedgerPath();
  const lines: string[] = [];
  try {
    const summary = await runPublisher(
      {
        endpoint: `${receiver.url}/webhook`,
        mode: 'default',
        batchMin: 200,
        batchMax: 400,
        intervalMs: 10,
        duplicateRate: 0,
        jitterMs: 0,
        corruptionRate: 0.1,
        seed: 11,
        requestTimeoutMs: 30_000,
        ledgerPath: ledger,
        progressIntervalMs: 0,
        logRequests: true,
        shutdownTimeoutMs: 10_000,
        gzip: false,
        ...overrides,
      },
      { log: (line) => lines.push(line) },
    );
    return { receiver, summary, lines, ledger };
  } finally {
    await receiver.stop();
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  return { child, output };
}

describe('runPublisher', () => {
  describe('when it runs in default mode against a fast receiver', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish({ totalEvents: 30_000 });
    });

    it('should send every event it counts, and stop at the total', () => {
      expect(run.receiver.events).toHaveLength(30_000);
      expect(run.summary.events.sent).toBe(30_000);
      expect(run.summary.requests).toMatchObject({
        sent: run.receiver.requests.length,
        succeeded: run.receiver.requests.length,
        rejected: 0,
        failed: 0,
      });
    });

    it('should POST JSON arrays to exactly the endpoint', () => {
      for (const request of run.receiver.requests) {
        expect(request.method).toBe('POST');
        expect(request.url).toBe('/webhook');
        expect(Array.isArray(request.events)).toBe(true);
      }
    });

    it('should send Content-Type application/json and no header of its own beyond what HTTP needs', () => {
      for (const request of run.receiver.requests) {
        expect(request.headers['content-type']).toBe('application/json');
        expect(
          Object.keys(request.headers).filter((name) => name !== 'content-type' && !TRANSPORT_HEADERS.includes(name)),
        ).toEqual([]);
      }
    });

    it('should keep every batch within the size range, plus at most the appended corrupted event', () => {
      // The last batch is cut short by the total.
      const full = run.receiver.requests.slice(0, -1);
      expect(full.filter((request) => request.events.filter(isValid).length < 200)).toEqual([]);
      expect(run.receiver.requests.filter((request) => request.events.length > 401)).toEqual([]);
      const sizes = full.map((request) => request.events.length);
      expect(Math.min(...sizes)).toBeLessThan(230);
      expect(Math.max(...sizes)).toBeGreaterThan(370);
    });

    it('should mix the sources about evenly and draw every stage and type of each', () => {
      const events = run.receiver.events.filter((event) => isValid(event));
      const facebook = events.filter((event) => event.source === 'facebook').length;
      expect(facebook / events.length).toBeGreaterThan(0.47);
      expect(facebook / events.length).toBeLessThan(0.53);
      for (const source of SOURCES) {
        for (const stage of FUNNEL_STAGES) {
          const types = EVENT_TYPES[source][stage];
          for (const type of types) {
            const share =
              events.filter((event) => event.source === source && event.eventType === type).length / events.length;
            const expected = 0.5 * 0.5 * (1 / types.length);
            expect(share).toBeGreaterThan(expected * 0.85);
            expect(share).toBeLessThan(expected * 1.15);
          }
        }
      }
    });

    it('should append a corrupted event to about one batch in ten, and only at the end', () => {
      const marked = run.receiver.requests.map((request) =>
        request.events.map((event) => classifyCorruption(event) !== 'unchanged' || !isValid(event)),
      );
      expect(marked.filter((flags) => flags.slice(0, -1).includes(true))).toEqual([]);
      const corrupted = marked.filter((flags) => flags.at(-1)).length;
      const corruptedFile = readLines(`${run.ledger}.corrupted`);
      expect(corrupted).toBeLessThanOrEqual(corruptedFile.length);
      expect(corruptedFile.length).toBe(run.summary.events.corrupted);
      const rate = corruptedFile.length / run.receiver.requests.length;
      expect(rate).toBeGreaterThan(0.05);
      expect(rate).toBeLessThan(0.16);
    });

    it('should stamp events with the time they were generated', () => {
      const offTime = run.receiver.requests.flatMap((request) =>
        request.events.filter((event) => {
          const timestamp = Date.parse(event.timestamp as string);
          return (
            !Number.isNaN(timestamp) &&
            (timestamp > request.receivedAtEpochMs || timestamp <= request.receivedAtEpochMs - 10_000)
          );
        }),
      );
      expect(offTime).toEqual([]);
    });

    it('should write every valid event id of the acknowledged batches to the ledger, and nothing to .unacked', () => {
      const ledger = readLines(run.ledger);
      expect(ledger.sort()).toEqual(idsOf(run.receiver.requests).sort());
      expect(readLines(`${run.ledger}.unacked`)).toEqual([]);
      expect(run.summary.events.acknowledgedValid).toBe(ledger.length);
    });

    it('should log one line per request saying what was sent and what came back', () => {
      const requestLines = run.lines.filter((line) => line.startsWith('batch #'));
      expect(requestLines).toHaveLength(run.receiver.requests.length);
      expect(requestLines[0]).toMatch(
        /^batch #\d+: sent [\d,]+ events \([\d.]+ MB\) -> 202 in \d+ ms \(accepted [\d,]+, rejected 0\)$/,
      );
      expect(run.lines.at(-1)).toMatch(/^summary: default mode/);
    });
  });

  describe('when --gzip is set', () => {
    it('should send every body gzip-compressed with Content-Encoding: gzip, holding the events it counts', async () => {
      const run = await publish({ totalEvents: 3_000, gzip: true });
      expect(run.receiver.events).toHaveLength(3_000);
      expect(run.summary.events.sent).toBe(3_000);
      for (const request of run.receiver.requests) {
        expect(request.headers['content-encoding']).toBe('gzip');
        // ~420-byte events compress several times over.
        expect(request.bytes).toBeLessThan(request.events.length * 200);
      }
    });
  });

  describe('when every batch carries a corrupted event', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish({
        batchMin: 10,
        batchMax: 10,
        corruptionRate: 1,
        totalEvents: 11 * 400,
        intervalMs: 2,
        seed: 5,
      });
    });

    it('should use every corruption kind, whatever the source of the event', () => {
      const corrupted = run.receiver.requests.map((request) => request.events.at(-1)!);
      const kinds = new Set(corrupted.map(classifyCorruption));
      for (const kind of CORRUPTION_KINDS) expect(kinds).toContain(kind);
      // The routine ignores the source: Facebook-only fields get broken on TikTok events and back.
      const foreign = corrupted.filter(
        (event) =>
          (event.source === 'tiktok' && classifyCorruption(event) === 'alien-gender') ||
          (event.source === 'facebook' && classifyCorruption(event) === 'followers-not-a-number'),
      );
      expect(foreign.length).toBeGreaterThan(0);
    });

    it('should leave some corrupted events valid and record each verdict in the .corrupted ledger', () => {
      const lines = readLines(`${run.ledger}.corrupted`).map((line) => line.split('\t'));
      expect(lines).toHaveLength(run.receiver.requests.length);
      const corrupted = run.receiver.requests.map((request) => request.events.at(-1)!);
      lines.forEach(([eventId, kind, verdict, fate], index) => {
        const event = corrupted[index]!;
        expect(eventId).toBe(typeof event.eventId === 'string' ? event.eventId : '-');
        expect(CORRUPTION_KINDS).toContain(kind);
        expect(verdict).toBe(isValid(event) ? 'valid' : 'invalid');
        expect(fate).toBe('acked');
      });
      const verdicts = new Set(lines.map(([, , verdict]) => verdict));
      expect(verdicts).toEqual(new Set(['valid', 'invalid']));
    });

    it('should count a corrupted event that still passes the contract among the ids to store', () => {
      expect(new Set(readLines(run.ledger))).toEqual(new Set(idsOf(run.receiver.requests)));
    });
  });

  describe('when the receiver replies slowly', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish(
        { batchMin: 100, batchMax: 200, intervalMs: 200, durationMs: 2_000, progressIntervalMs: 500 },
        () => ({
          status: 202,
          delayMs: 3_000,
        }),
      );
    });

    it('should keep firing one batch per interval without waiting for replies', () => {
      const firstReply = Math.min(...run.receiver.requests.map((request) => request.repliedAt!));
      const sentBeforeFirstReply = run.receiver.requests.filter((request) => request.receivedAt < firstReply).length;
      expect(sentBeforeFirstReply).toBeGreaterThanOrEqual(5);
      expect(run.receiver.maxConcurrent).toBeGreaterThanOrEqual(5);
    });

    it('should print progress lines while it runs, with the requests in flight', () => {
      const progress = run.lines.filter((line) => line.startsWith('progress '));
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress[1]).toMatch(
        /^progress [\d.]+s: sent [\d,]+ events \([\d,]+\/s, now [\d,]+\/s\), accepted [\d,]+ \(2xx\), rejected 0, failed requests 0, in flight [1-9]\d*$/,
      );
    });

    it('should wait for the replies in flight when it stops, and acknowledge them', () => {
      expect(run.summary.requests.succeeded).toBe(run.receiver.requests.length);
      expect(new Set(readLines(run.ledger))).toEqual(new Set(idsOf(run.receiver.requests)));
    });
  });

  describe('when the receiver answers some batches with a non-2xx status', () => {
    const statuses = [202, 500, 400, 503, 200];
    const statusOf = (index: number) => statuses[index % statuses.length]!;
    let run: Run;
    beforeAll(async () => {
      run = await publish({ batchMin: 100, batchMax: 100, corruptionRate: 0, totalEvents: 2_000 }, (request) => ({
        status: statusOf(request.index),
        body: { error: 'nope' },
      }));
    });

    it('should drop those batches without retrying them', () => {
      const ids = run.receiver.events.map((event) => event.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(run.receiver.requests).toHaveLength(20);
      expect(run.summary.requests).toMatchObject({ succeeded: 8, rejected: 12, failed: 0 });
      expect(run.summary.events.dropped).toBe(1_200);
    });

    it('should put only the ids of 2xx batches in the ledger and the others in .unacked', () => {
      const acknowledged = run.receiver.requests.filter((request) => isSuccess(request, statusOf));
      const refused = run.receiver.requests.filter((request) => !isSuccess(request, statusOf));
      expect(readLines(run.ledger).sort()).toEqual(idsOf(acknowledged).sort());
      expect(readLines(`${run.ledger}.unacked`).sort()).toEqual(idsOf(refused).sort());
    });

    it('should log the status of each refused batch and that it was dropped', () => {
      expect(
        run.lines.filter((line) => / -> (500|400|503) in \d+ ms: \{"error":"nope"\}; batch dropped$/.test(line)),
      ).toHaveLength(12);
    });
  });

  describe('when the receiver cannot be reached', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish({
        endpoint: `http://127.0.0.1:${await closedPort()}/webhook`,
        batchMin: 100,
        batchMax: 100,
        corruptionRate: 0,
        totalEvents: 500,
      });
    });

    it('should log each connection error, drop the batch and keep going', () => {
      expect(run.summary.requests).toMatchObject({ sent: 5, succeeded: 0, failed: 5, byFailure: { connection: 5 } });
      expect(
        run.lines.filter((line) =>
          /-> no reply after \d+ ms \(connection: .*ECONNREFUSED.*\); batch dropped$/.test(line),
        ),
      ).toHaveLength(5);
    });

    it('should leave the ledger empty and list every id as unacknowledged', () => {
      expect(readLines(run.ledger)).toEqual([]);
      expect(new Set(readLines(`${run.ledger}.unacked`)).size).toBe(500);
    });
  });

  describe('when the receiver drops the connection without replying', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish({ batchMin: 100, batchMax: 100, corruptionRate: 0, totalEvents: 400 }, (request) =>
        request.index === 1 ? { destroy: true } : { status: 202 },
      );
    });

    it('should drop that batch only, without resending it', () => {
      expect(run.receiver.requests).toHaveLength(4);
      expect(run.summary.requests).toMatchObject({ succeeded: 3, failed: 1 });
      expect(readLines(`${run.ledger}.unacked`).sort()).toEqual(idsOf([run.receiver.requests[1]!]).sort());
      expect(readLines(run.ledger)).toHaveLength(300);
    });
  });

  describe('when a reply takes longer than the request timeout', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish(
        { batchMin: 100, batchMax: 100, corruptionRate: 0, totalEvents: 200, requestTimeoutMs: 300 },
        (request) => (request.index === 0 ? { status: 202, delayMs: 2_000 } : { status: 202 }),
      );
    });

    it('should give up on it and drop its batch', () => {
      expect(run.summary.requests).toMatchObject({ succeeded: 1, failed: 1, byFailure: { timeout: 1 } });
      expect(readLines(`${run.ledger}.unacked`).sort()).toEqual(idsOf([run.receiver.requests[0]!]).sort());
      expect(readLines(run.ledger).sort()).toEqual(idsOf([run.receiver.requests[1]!]).sort());
    });
  });

  describe('when replies are still missing at the end of the shutdown timeout', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish(
        { batchMin: 100, batchMax: 100, corruptionRate: 0, totalEvents: 100, shutdownTimeoutMs: 300 },
        () => ({
          status: 202,
          delayMs: 5_000,
        }),
      );
    });

    it('should abandon them and list their ids as unacknowledged', () => {
      expect(run.summary.requests).toMatchObject({ sent: 1, failed: 1, byFailure: { abandoned: 1 } });
      expect(run.summary.durationSeconds).toBeLessThan(5);
      expect(readLines(`${run.ledger}.unacked`)).toHaveLength(100);
      expect(readLines(run.ledger)).toEqual([]);
    });
  });

  describe('when duplicates are asked for', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish({
        batchMin: 100,
        batchMax: 200,
        corruptionRate: 0,
        duplicateRate: 0.2,
        totalEvents: 20_000,
        intervalMs: 5,
      });
    });

    it('should re-send about that share of earlier events, byte for byte, in the same or a later batch', () => {
      const firstSeen = new Map<string, { request: number; event: Record<string, unknown> }>();
      let duplicates = 0;
      let sameBatch = 0;
      let altered = 0;
      for (const request of run.receiver.requests) {
        for (const event of request.events) {
          const id = event.eventId as string;
          const earlier = firstSeen.get(id);
          if (!earlier) {
            firstSeen.set(id, { request: request.index, event });
            continue;
          }
          duplicates += 1;
          if (earlier.request === request.index) sameBatch += 1;
          if (JSON.stringify(event) !== JSON.stringify(earlier.event)) altered += 1;
        }
      }
      expect(altered).toBe(0);
      expect(duplicates).toBe(run.summary.events.duplicates);
      expect(duplicates / 20_000).toBeGreaterThan(0.17);
      expect(duplicates / 20_000).toBeLessThan(0.23);
      expect(sameBatch).toBeGreaterThan(0);
      expect(duplicates - sameBatch).toBeGreaterThan(0);
    });

    it('should list a duplicate once per acknowledged copy, so the unique lines are the ids to store', () => {
      const ledger = readLines(run.ledger);
      expect(ledger).toHaveLength(20_000);
      expect(new Set(ledger)).toEqual(new Set(run.receiver.events.map((event) => event.eventId)));
    });
  });

  describe('when out-of-order jitter is asked for', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish({ batchMin: 100, batchMax: 200, corruptionRate: 0, jitterMs: 60_000, totalEvents: 3_000 });
    });

    it('should shift timestamps back by up to the jitter, so they arrive out of order', () => {
      let older = 0;
      let inversions = 0;
      let outOfWindow = 0;
      for (const request of run.receiver.requests) {
        const times = request.events.map((event) => Date.parse(event.timestamp as string));
        for (const [index, time] of times.entries()) {
          if (time > request.receivedAtEpochMs || time <= request.receivedAtEpochMs - 60_000 - 10_000) outOfWindow += 1;
          if (time < request.receivedAtEpochMs - 10_000) older += 1;
          if (index > 0 && time < times[index - 1]!) inversions += 1;
        }
      }
      expect(outOfWindow).toBe(0);
      expect(older / 3_000).toBeGreaterThan(0.5);
      expect(inversions / 3_000).toBeGreaterThan(0.3);
    });

    it('should shift the engagement action time with its event', () => {
      const withActionTime = run.receiver.events.filter(
        (event) => 'actionTime' in (event.data as { engagement: object }).engagement,
      );
      expect(withActionTime.length).toBeGreaterThan(0);
      expect(
        withActionTime.filter(
          (event) => (event.data as { engagement: { actionTime: unknown } }).engagement.actionTime !== event.timestamp,
        ),
      ).toEqual([]);
    });
  });

  describe('when it runs in load mode', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish(
        { mode: 'load', concurrency: 3, batchMin: 50, batchMax: 100, durationMs: 1_500, logRequests: false },
        () => ({
          status: 202,
          delayMs: 100,
        }),
      );
    });

    it('should keep exactly the concurrency in flight, starting a request as soon as one finishes', () => {
      expect(run.receiver.maxConcurrent).toBe(3);
      expect(run.receiver.requests.length).toBeGreaterThanOrEqual(6);
      for (const request of run.receiver.requests.slice(3)) {
        const open = run.receiver.requests.filter(
          (other) => other.receivedAt < request.receivedAt && other.repliedAt! > request.receivedAt,
        );
        expect(open.length).toBeLessThanOrEqual(2);
      }
    });

    it('should acknowledge everything the receiver accepted', () => {
      expect(run.summary.requests).toMatchObject({ succeeded: run.receiver.requests.length, failed: 0, rejected: 0 });
      expect(new Set(readLines(run.ledger))).toEqual(new Set(idsOf(run.receiver.requests)));
      expect(run.lines.filter((line) => line.startsWith('batch #'))).toEqual([]);
    });
  });

  describe('when a concurrency cap is set in default mode', () => {
    let run: Run;
    beforeAll(async () => {
      run = await publish({ concurrency: 2, batchMin: 50, batchMax: 100, intervalMs: 50, durationMs: 1_000 }, () => ({
        status: 202,
        delayMs: 400,
      }));
    });

    it('should skip the ticks that find the cap reached', () => {
      expect(run.receiver.maxConcurrent).toBeLessThanOrEqual(2);
      expect(run.summary.requests.skipped).toBeGreaterThan(0);
      expect(run.lines.some((line) => line.startsWith('tick skipped: 2 requests in flight (cap 2)'))).toBe(true);
    });
  });
});

describe('publisher process', () => {
  describe('when EVENT_ENDPOINT is missing', () => {
    it('should exit 1 naming the variable', async () => {
      const env = { ...process.env };
      delete env.EVENT_ENDPOINT;
      const { child, output } = startProcess([], env);
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(1);
      expect(output.stderr).toContain('EVENT_ENDPOINT');
    });
  });

  describe('when it receives SIGTERM with a request in flight', () => {
    let receiver: RecordingReceiver;
    beforeAll(async () => {
      receiver = await RecordingReceiver.start(() => ({ status: 202, delayMs: 1_500 }));
    });
    afterAll(() => receiver.stop());

    it('should stop sending, wait for the reply, flush the ledger, print the summary and exit 0', async () => {
      const ledger = newLedgerPath();
      const summaryJson = join(workDir, 'summary.json');
      const { child, output } = startProcess(
        [
          ...['--interval-ms', '60000', '--batch-min', '100', '--batch-max', '100', '--corruption-rate', '0'],
          ...['--ledger', ledger, '--summary-json', summaryJson],
        ],
        { ...process.env, EVENT_ENDPOINT: `${receiver.url}/webhook` },
      );
      await waitFor(() => receiver.requests.length === 1, 30_000);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
      expect(output.stdout).toContain('SIGTERM received');
      expect(output.stdout).toMatch(/batch #1: sent 100 events .* -> 202/);
      expect(output.stdout).toMatch(/summary: default mode.*requests 1 \(2xx 1/);
      expect(receiver.requests).toHaveLength(1);
      expect(readLines(ledger).sort()).toEqual(idsOf(receiver.requests).sort());
      const summary = JSON.parse(readFileSync(summaryJson, 'utf8')) as PublisherSummary;
      expect(summary).toMatchObject({
        mode: 'default',
        endpoint: `${receiver.url}/webhook`,
        requests: { sent: 1, succeeded: 1, byStatus: { '202': 1 } },
        events: { sent: 100, acknowledged: 100, acknowledgedValid: 100, dropped: 0 },
        ledger: { acknowledged: ledger, unacknowledged: `${ledger}.unacked`, corrupted: `${ledger}.corrupted` },
      });
      expect(summary.latency.bySize['<1MB']).toMatchObject({ requests: 1 });
    });
  });
});

import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ingestionStreamName } from '@evp/contracts';
import { REPO_ROOT, ServiceProcess, type UniqueNames, uniqueNames } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventIngestService } from '../src/ingest/event-ingest.service';
import { SHARED_NATS_URL, batchBody, postWebhook, testEnvironment } from './gateway.harness';

const run = promisify(execFile);

/** The bound: the process must keep answering health checks while it handles the largest bodies. */
const LIVENESS_BOUND_MS = 250;
const POLL_INTERVAL_MS = 10;

const UPLOADER = `
  const [url, file] = process.argv.slice(1);
  const started = performance.now();
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: require('node:fs').readFileSync(file) })
    .then(async (response) => process.stdout.write(JSON.stringify({ status: response.status, body: await response.json(), elapsedMs: performance.now() - started })));
`;

/**
 * Sends the body from another process: uploading 21 MB and holding it must not stall this process, whose only
 * job is to time the liveness answers.
 */
async function postFromOwnProcess(
  url: string,
  body: Buffer,
): Promise<{ status: number; body: unknown; elapsedMs: number }> {
  const directory = await mkdtemp(join(tmpdir(), 'gateway-liveness-'));
  const file = join(directory, 'body.json');
  await writeFile(file, body);
  try {
    const { stdout } = await run(process.execPath, ['-e', UPLOADER, `${url}/webhook`, file], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as { status: number; body: unknown; elapsedMs: number };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

describe(EventIngestService, () => {
  let names: UniqueNames;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    // The gateway runs as its own process, so what is measured is its event loop alone, not this test's.
    execFileSync('npx', ['tsc', '-b', 'apps/gateway/tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
    names = uniqueNames('gateway-liveness');
    gateway = await ServiceProcess.start('gateway', { env: testEnvironment(names, { LOG_LEVEL: 'warn' }) });
  });

  afterAll(async () => {
    await gateway?.stop();
    const nats = await connect({ servers: SHARED_NATS_URL });
    const jsm = await jetstreamManager(nats);
    for (const stream of [names.stream, names.deadLetterStream, ingestionStreamName(names.stream)])
      await jsm.streams.delete(stream).catch(() => undefined);
    await nats.close();
  });

  describe('when a 50,000-event body is being handled', () => {
    it(`should keep answering liveness within ${LIVENESS_BOUND_MS} ms`, async ({ annotate }) => {
      const generator = new EventGenerator({ seed: 50_000 });
      const body = Buffer.from(batchBody(generator.batch(50_000)));
      // Steady state is what is measured: the first request of a fresh process also compiles its hot paths.
      expect((await postWebhook(gateway.url, batchBody(generator.batch(1_000)))).status).toBe(202);
      const latencies: number[] = [];
      let handling = true;
      const poll = async () => {
        while (handling) {
          const started = performance.now();
          const response = await fetch(`${gateway.url}/health/liveness`);
          await response.arrayBuffer();
          latencies.push(performance.now() - started);
          await sleep(POLL_INTERVAL_MS);
        }
      };

      const polling = poll();
      const answer = await postFromOwnProcess(gateway.url, body);
      handling = false;
      await polling;

      const worst = Math.max(...latencies);
      await annotate(
        `${body.length} bytes answered in ${Math.round(answer.elapsedMs)} ms; ${latencies.length} liveness polls, slowest ${Math.round(worst)} ms`,
      );
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ accepted: 50_000, rejected: 0 });
      expect(latencies.length).toBeGreaterThan(5);
      expect(worst, `slowest liveness answer while the body was handled (${latencies.length} polls)`).toBeLessThan(
        LIVENESS_BOUND_MS,
      );
    });
  });
});

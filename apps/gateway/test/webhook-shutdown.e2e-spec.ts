import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CORRELATION_ID_HEADER, ingestionStreamName } from '@evp/contracts';
import { REPO_ROOT, ServiceProcess, type UniqueNames, streamEventCount, uniqueNames } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InFlightRequests } from '../src/intake/in-flight.requests';
import {
  SHARED_NATS_URL,
  type WebhookAnswer,
  batchBody,
  eventually,
  metricValue,
  parseMetrics,
  postWebhook,
  testEnvironment,
} from './gateway.harness';

async function streamEvents(stream: string): Promise<number> {
  const nats = await connect({ servers: SHARED_NATS_URL });
  try {
    return await streamEventCount(await jetstreamManager(nats), stream);
  } finally {
    await nats.close();
  }
}

/**
 * A webhook POST whose body arrives in two parts, as from a slow client: the request is in flight from its first
 * byte until `finish` sends the rest, however fast the gateway would have handled it whole.
 */
function postInTwoParts(url: string, body: string): { finish: () => void; answer: Promise<WebhookAnswer> } {
  const bytes = Buffer.from(body);
  const half = Math.floor(bytes.length / 2);
  const started = performance.now();
  let finish = () => {};
  const answer = new Promise<WebhookAnswer>((resolve, reject) => {
    const outgoing = request(
      `${url}/webhook`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': bytes.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: response.statusCode ?? 0,
            headers: new Headers(response.headers as Record<string, string>),
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            elapsedMs: performance.now() - started,
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.write(bytes.subarray(0, half));
    finish = () => outgoing.end(bytes.subarray(half));
  });
  return { finish, answer };
}

describe(InFlightRequests, () => {
  let names: UniqueNames;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    // The signal test needs the real process, run from its build as npm start runs it.
    execFileSync('npx', ['tsc', '-b', 'apps/gateway/tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
    names = uniqueNames('gateway-shutdown');
    gateway = await ServiceProcess.start('gateway', {
      env: testEnvironment(names, { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '30000' }),
    });
  });

  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    const nats = await connect({ servers: SHARED_NATS_URL });
    const jsm = await jetstreamManager(nats);
    for (const stream of [names.stream, names.deadLetterStream, ingestionStreamName(names.stream)])
      await jsm.streams.delete(stream).catch(() => undefined);
    await nats.close();
  });

  describe('when a request is handled', () => {
    it('should log one line with its counts, carrying its correlation id', async () => {
      const events = new EventGenerator({ seed: 16 }).batch(3);
      const answer = await postWebhook(gateway.url, batchBody(events), {
        'content-type': 'application/json',
        [CORRELATION_ID_HEADER]: 'logged-request-1',
      });
      expect(answer.status).toBe(202);

      const line = await gateway.waitForLog((entry) => entry.message === 'webhook batch handled');
      expect(line).toMatchObject({
        level: 'info',
        service: 'gateway',
        correlationId: 'logged-request-1',
        statusCode: 202,
        accepted: 3,
        rejected: 0,
        duplicates: 0,
      });
      expect(line.bytes).toBe(Buffer.byteLength(batchBody(events)));
    });
  });

  describe('when SIGTERM arrives during a large request', () => {
    it('should finish that request with 202, refuse new ones with 503, and exit 0', async () => {
      const events = new EventGenerator({ seed: 15 }).batch(50_000);
      const storedBefore = await streamEvents(names.stream);
      const large = postInTwoParts(gateway.url, batchBody(events));
      await eventually(
        async () =>
          metricValue(
            parseMetrics(await (await fetch(`${gateway.url}/metrics`)).text()),
            'gateway_webhook_requests_in_flight',
          ) === 1,
      );

      process.kill(gateway.pid as number, 'SIGTERM');
      await gateway.waitForLog((line) => line.message === 'waiting for 1 in-flight webhook request(s) to finish');
      const late = await postWebhook(gateway.url, batchBody(events.slice(0, 10))).catch((error: unknown) => error);
      large.finish();
      const answer = await large.answer;
      const exitCode = await gateway.stop();

      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ accepted: 50_000, rejected: 0 });
      expect(late).toMatchObject({ status: 503, body: { error: 'GATEWAY.SHUTTING_DOWN' } });
      expect(exitCode).toBe(0);

      expect(await streamEvents(names.stream)).toBe(storedBefore + 50_000);
    });
  });
});

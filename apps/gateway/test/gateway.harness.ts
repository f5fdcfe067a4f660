import { type AddressInfo } from 'node:net';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ingestionStreamName } from '@evp/contracts';
import { type UniqueNames, uniqueNames } from '@evp/testing';
import { startGateway } from '../src/gateway.bootstrap';
import { type GatewayConfig, loadGatewayConfig } from '../src/gateway.config';

export const SHARED_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** The gateway running in this test process against its own streams, and a NATS client to look into them. */
export interface TestGateway {
  app: NestFastifyApplication;
  url: string;
  config: GatewayConfig;
  names: UniqueNames;
  nats: NatsConnection;
  jsm: JetStreamManager;
  /** Closes the app, deletes the suite's streams, closes the client. */
  dispose(): Promise<void>;
}

/** Gateway environment for a suite: unique streams and subjects, quiet logs. */
export function testEnvironment(names: UniqueNames, env: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: SHARED_NATS_URL,
    EVENTS_STREAM: names.stream,
    EVENTS_SUBJECT_PREFIX: names.subjectPrefix,
    DEAD_LETTER_STREAM: names.deadLetterStream,
    DEAD_LETTER_SUBJECT_PREFIX: names.deadLetterPrefix,
    LOG_LEVEL: 'silent',
    ...env,
  };
}

export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const names = uniqueNames('gateway');
  const environment = testEnvironment(names, env);
  // PORT 0: the OS picks a free port (the schema itself only admits real ports).
  const config: GatewayConfig = { ...loadGatewayConfig(environment), PORT: 0, HOST: '127.0.0.1' };
  const app = await startGateway(config, { handleSignals: false });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const nats = await connect({
    servers: config.NATS_URL,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 200,
  });
  const jsm = await jetstreamManager(nats);
  let disposed = false;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    names,
    nats,
    jsm,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await app.close();
      for (const stream of [names.stream, names.deadLetterStream, ingestionStreamName(names.stream)])
        await jsm.streams.delete(stream).catch(() => undefined);
      await nats.close();
    },
  };
}

export interface WebhookAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  /** Milliseconds from sending to the full answer. */
  elapsedMs: number;
}

export async function postWebhook(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  path = '/webhook',
): Promise<WebhookAnswer> {
  const started = performance.now();
  const response = await fetch(`${url}${path}`, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    elapsedMs: performance.now() - started,
  };
}

/** A JSON array body, laid out as the real publisher does (`JSON.stringify` of the batch). */
export function batchBody(events: readonly unknown[]): string {
  return JSON.stringify(events);
}

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format, one sample per line (label values without escaped quotes, as ours are). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the sample with this name whose labels include `labels`; 0 when there is none. */
export function metricValue(
  samples: readonly MetricSample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const sample = samples.find(
    (candidate) =>
      candidate.name === name && Object.entries(labels).every(([key, value]) => candidate.labels[key] === value),
  );
  return sample?.value ?? 0;
}

/** Polls `check` until it holds; fails after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

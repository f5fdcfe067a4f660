import { execFileSync } from 'node:child_process';
import { CollectorMetrics, CollectorModule, type CollectorModuleOptions } from '@evp/collector';
import { CORRELATION_ID_HEADER, EVENT_COUNT_HEADER, RECEIVED_AT_HEADER, ingestionStreamName } from '@evp/contracts';
import { MSG_ID_HEADER } from '@evp/messaging';
import { METRICS_REGISTRY, ReadinessRegistry } from '@evp/observability';
import { REPO_ROOT, type UniqueNames } from '@evp/testing';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, headers } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Global, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool } from 'pg';
import { Registry } from 'prom-client';

export const SHARED_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** A collector running in the test process, with its readiness checks and metrics at hand. */
export interface TestCollector {
  context: INestApplicationContext;
  readiness: ReadinessRegistry;
  registry: Registry;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a collector in an application context of its own, registered with `forRoot` or, for `'async'`, with
 * `forRootAsync` and a factory.
 */
export async function startTestCollector(
  options: CollectorModuleOptions,
  registration: 'sync' | 'async' = 'sync',
): Promise<TestCollector> {
  const readiness = new ReadinessRegistry();
  const registry = new Registry();

  @Global()
  @Module({
    providers: [
      { provide: ReadinessRegistry, useValue: readiness },
      { provide: METRICS_REGISTRY, useValue: registry },
    ],
    exports: [ReadinessRegistry, METRICS_REGISTRY],
  })
  class ObservabilityStubModule {}

  const collectorModule =
    registration === 'sync'
      ? CollectorModule.forRoot(options)
      : CollectorModule.forRootAsync({ useFactory: () => Promise.resolve(options) });

  @Module({ imports: [ObservabilityStubModule, collectorModule] })
  class TestCollectorModule {}

  const context = await NestFactory.createApplicationContext(TestCollectorModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  // Consumers start on bootstrap, which `init()` runs.
  await context.init();
  let closed: Promise<void> | undefined;
  return {
    context,
    readiness,
    registry,
    metric: (name, labels = {}) => metricValue(context.get(CollectorMetrics).registry, name, labels),
    close: () => (closed ??= context.close()),
  };
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((value) => !('metricName' in value && value.metricName !== undefined && value.metricName !== name))
    .filter((value) =>
      Object.entries(labels).every(
        ([key, expected]) => String((value.labels as Record<string, unknown>)[key]) === expected,
      ),
    )
    .reduce((sum, value) => sum + value.value, 0);
}

/** A plain NATS client for a suite: publishes like the gateway does, looks into streams, cleans up. */
export interface NatsAdmin {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  cleanUp(names: UniqueNames): Promise<void>;
}

export async function openNatsAdmin(url: string = SHARED_NATS_URL): Promise<NatsAdmin> {
  const nc = await connect({ servers: url });
  return {
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    cleanUp: async (names) => {
      const jsm = await jetstreamManager(nc);
      for (const stream of [names.stream, names.deadLetterStream, ingestionStreamName(names.stream)])
        await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}

export interface TestMessage {
  subject: string;
  data: string | Uint8Array;
  /** Nats-Msg-Id; leave out to let the stream keep repeated events (as after the duplicate window). */
  msgId?: string;
  correlationId?: string;
  headers?: Record<string, string>;
}

/**
 * Messages as the gateway publishes them: the events in order, `perMessage` to a message, each message a JSON array
 * of them with their count in a header (and the time the gateway received them, when `receivedAt` is given). The
 * message ids are left out unless `msgIdPrefix` is given.
 */
export function packedMessages(
  subject: string,
  events: readonly unknown[],
  perMessage: number,
  options: { correlationId?: string; msgIdPrefix?: string; receivedAt?: string } = {},
): TestMessage[] {
  const messages: TestMessage[] = [];
  for (let start = 0; start < events.length; start += perMessage) {
    const chunk = events.slice(start, start + perMessage);
    messages.push({
      subject,
      data: JSON.stringify(chunk),
      correlationId: options.correlationId,
      msgId: options.msgIdPrefix === undefined ? undefined : `${options.msgIdPrefix}-${start}`,
      headers: {
        [EVENT_COUNT_HEADER]: String(chunk.length),
        ...(options.receivedAt === undefined ? {} : { [RECEIVED_AT_HEADER]: options.receivedAt }),
      },
    });
  }
  return messages;
}

/** Publishes in windows, every PubAck awaited; returns how many the stream stored (not duplicates). */
export async function publishAll(
  js: JetStreamClient,
  messages: readonly TestMessage[],
  window = 1_000,
): Promise<number> {
  let stored = 0;
  for (let start = 0; start < messages.length; start += window) {
    const acks = await Promise.all(
      messages.slice(start, start + window).map((message) => {
        const messageHeaders = headers();
        if (message.correlationId !== undefined) messageHeaders.set(CORRELATION_ID_HEADER, message.correlationId);
        if (message.msgId !== undefined) messageHeaders.set(MSG_ID_HEADER, message.msgId);
        for (const [key, value] of Object.entries(message.headers ?? {})) messageHeaders.set(key, value);
        return js.publish(message.subject, message.data, { headers: messageHeaders });
      }),
    );
    stored += acks.filter((ack) => !ack.duplicate).length;
  }
  return stored;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The event with `fields` added at their paths (e.g. `{ data: { user: { tier: 'gold' } } }`), as a publisher that
 * added fields to its events would send it: what the collector must keep, beside the typed columns, in `extra`.
 */
export function withExtraFields(event: object, fields: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...event };
  for (const [field, value] of Object.entries(fields)) {
    const current = merged[field];
    merged[field] = isRecord(current) && isRecord(value) ? withExtraFields(current, value) : value;
  }
  return merged;
}

export function openPool(url: string, max = 2): Pool {
  const pool = new Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

export async function countRows(pool: Pool, where = 'true'): Promise<number> {
  return Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE ${where}`)).rows[0]?.n);
}

/** Polls `check` until it holds; fails after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Builds one collector app and the libs it references (incremental `tsc -b`), so a suite can run it as a real
 * process from its JavaScript without depending on every other workspace compiling at that moment.
 */
export function buildCollectorApp(app: 'fb-collector' | 'ttk-collector'): void {
  execFileSync('npx', ['tsc', '-b', `apps/${app}/tsconfig.build.json`], { cwd: REPO_ROOT, stdio: 'inherit' });
}

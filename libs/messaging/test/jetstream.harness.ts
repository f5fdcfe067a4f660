import { METRICS_REGISTRY, ReadinessRegistry } from '@evp/observability';
import { Global, type INestApplicationContext, Module, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { UniqueNames } from '@evp/testing';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import {
  type ConsumerDefinition,
  JetStreamConnection,
  JetStreamConsumerRunner,
  JetStreamLifecycle,
  JetStreamModule,
  type JetStreamModuleOptions,
  JetStreamPublisher,
  MessagingMetrics,
} from '@evp/messaging';

export const SHARED_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** A running application context with the module, and handles on its services. */
export interface JetStreamApp {
  context: INestApplicationContext;
  publisher: JetStreamPublisher;
  runner: JetStreamConsumerRunner;
  connection: JetStreamConnection;
  lifecycle: JetStreamLifecycle;
  metrics: MessagingMetrics;
}

/** Module options for a suite's own streams: events on `<subjectPrefix>.>`, dead letters on `<deadLetterPrefix>.>`. */
export function suiteOptions(
  names: UniqueNames,
  overrides: Partial<JetStreamModuleOptions> = {},
): JetStreamModuleOptions {
  return {
    servers: [SHARED_NATS_URL],
    connectionName: `test-${names.id}`,
    streams: [{ name: names.stream, subjects: [`${names.subjectPrefix}.>`], retention: 'workqueue' }],
    deadLetter: { stream: names.deadLetterStream, subjectPrefix: names.deadLetterPrefix },
    retryBackoff: { baseMs: 200, maxMs: 1_000 },
    infoCacheMs: 0,
    ...overrides,
  };
}

export function suiteConsumer(
  names: UniqueNames,
  durable: string,
  overrides: Partial<ConsumerDefinition> = {},
): ConsumerDefinition {
  return {
    stream: names.stream,
    durable,
    filterSubject: `${names.subjectPrefix}.>`,
    ackWaitMs: 5_000,
    maxWaitMs: 1_000,
    ...overrides,
  };
}

/** Stands in for the observability module: a global readiness registry and metrics registry. */
export function observabilityStub(): { module: Type; readiness: ReadinessRegistry; registry: Registry } {
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
  return { module: ObservabilityStubModule, readiness, registry };
}

export async function startJetStreamApp(
  options: JetStreamModuleOptions,
  providers: Provider[] = [],
  imports: Type[] = [],
): Promise<JetStreamApp> {
  @Module({ imports: [...imports, JetStreamModule.forRoot(options)], providers })
  class TestAppModule {}

  const context = await NestFactory.createApplicationContext(TestAppModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  await context.init();
  return {
    context,
    publisher: context.get(JetStreamPublisher),
    runner: context.get(JetStreamConsumerRunner),
    connection: context.get(JetStreamConnection),
    lifecycle: context.get(JetStreamLifecycle),
    metrics: context.get(MessagingMetrics),
  };
}

/** A plain client for a suite to inspect streams and consumers and to clean up, independent of the module under test. */
export interface AdminClient {
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Deletes the suite's streams (their consumers go with them), then closes. */
  cleanUp(names: UniqueNames): Promise<void>;
}

export async function openAdmin(url: string = SHARED_NATS_URL): Promise<AdminClient> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    jsm,
    cleanUp: async (names) => {
      for (const stream of [names.stream, names.deadLetterStream])
        await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function decode(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

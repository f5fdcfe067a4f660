import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BatchHandlerExplorer } from './batch-handler.explorer';
import { JetStreamInfoCache } from './jetstream-info.cache';
import { JetStreamConnection } from './jetstream.connection';
import { JetStreamConsumerRunner } from './jetstream.consumer-runner';
import { JetStreamHealth } from './jetstream.health';
import { JetStreamLifecycle } from './jetstream.lifecycle';
import { JetStreamConfigurableModule } from './jetstream.module-definition';
import type { JetStreamModuleOptions } from './jetstream.options';
import { JetStreamProvisioner } from './jetstream.provisioner';
import { JetStreamPublisher } from './jetstream.publisher';
import { type JetStreamSettings, resolveJetStreamSettings } from './jetstream.settings';
import { JETSTREAM_MODULE_OPTIONS, JETSTREAM_SETTINGS } from './messaging.constants';
import { MessagingMetrics } from './messaging.metrics';

/**
 * NATS JetStream for a NestJS application: `JetStreamModule.forRoot({...})` or `forRootAsync({ useFactory, inject })`
 * (global by default; `isGlobal: false` to scope it). Provides `JetStreamPublisher` and `JetStreamConsumerRunner`,
 * discovers `@JetStreamBatchHandler` methods, provisions the declared streams and consumers, registers readiness
 * checks and metrics, and owns the shutdown order (`JetStreamLifecycle.close()`).
 *
 * Every constructor names its dependencies with `@Inject(token)`, so the module also works where decorator
 * metadata is not emitted (scripts and benchmarks run with tsx/esbuild).
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: JETSTREAM_SETTINGS,
      useFactory: (options: JetStreamModuleOptions): JetStreamSettings => resolveJetStreamSettings(options),
      inject: [JETSTREAM_MODULE_OPTIONS],
    },
    {
      provide: JetStreamConnection,
      useFactory: (settings: JetStreamSettings): Promise<JetStreamConnection> => JetStreamConnection.open(settings),
      inject: [JETSTREAM_SETTINGS],
    },
    JetStreamInfoCache,
    MessagingMetrics,
    JetStreamPublisher,
    JetStreamConsumerRunner,
    JetStreamProvisioner,
    JetStreamHealth,
    BatchHandlerExplorer,
    JetStreamLifecycle,
  ],
  exports: [
    JETSTREAM_SETTINGS,
    JetStreamConnection,
    JetStreamPublisher,
    JetStreamConsumerRunner,
    JetStreamLifecycle,
    MessagingMetrics,
  ],
})
export class JetStreamModule extends JetStreamConfigurableModule {}

import { DatabaseModule } from '@evp/database';
import { JetStreamModule } from '@evp/messaging';
import { type DynamicModule, Module } from '@nestjs/common';
import { CollectorBatchHandler } from './collector-batch.handler';
import { COLLECTOR_SETTINGS } from './collector.constants';
import { CollectorMetrics } from './collector.metrics';
import {
  type CollectorModuleAsyncOptions,
  type CollectorModuleForRootOptions,
  ConfigurableCollectorOptionsModule,
} from './collector.module-definition';
import { type CollectorSettings, databaseOptionsOf, jetStreamOptionsOf } from './collector.settings';
import { DeadLetterCounter } from './dead-letter.counter';
import { EventBatchStore } from './event-batch.store';
import { IngestionRecordsHandler } from './ingestion-records.handler';

/** The options and their validated settings, shared by the collector and the modules it configures. */
@Module({})
class CollectorOptionsModule extends ConfigurableCollectorOptionsModule {}

/**
 * One collector, parameterised by source: the events stream and the source's durable pull consumer
 * (`JetStreamModule`), PostgreSQL with start-up migrations (`DatabaseModule`), and the batch handler that
 * stores each fetched batch in one statement and acks it only after the commit. Both collector apps are this
 * module with their own normaliser; both also fold the gateway's ingestion records (`IngestionRecordsHandler`).
 *
 * @example CollectorModule.forRoot({ source: 'facebook', normaliser: normaliseFacebookEvent, databaseUrl, migrateOnStart: true })
 * @example CollectorModule.forRootAsync({ useFactory: (config: AppConfig) => ({ source: 'tiktok', normaliser, ...config }), inject: [APP_CONFIG] })
 */
@Module({})
export class CollectorModule {
  static forRoot(options: CollectorModuleForRootOptions): DynamicModule {
    return CollectorModule.around(CollectorOptionsModule.forRoot(options));
  }

  static forRootAsync(options: CollectorModuleAsyncOptions): DynamicModule {
    return CollectorModule.around(CollectorOptionsModule.forRootAsync(options));
  }

  private static around(options: DynamicModule): DynamicModule {
    return {
      module: CollectorModule,
      imports: [
        options,
        JetStreamModule.forRootAsync({
          imports: [options],
          useFactory: (settings: CollectorSettings) => jetStreamOptionsOf(settings),
          inject: [COLLECTOR_SETTINGS],
        }),
        DatabaseModule.forRootAsync({
          imports: [options],
          useFactory: (settings: CollectorSettings) => databaseOptionsOf(settings),
          inject: [COLLECTOR_SETTINGS],
        }),
      ],
      providers: [CollectorMetrics, EventBatchStore, DeadLetterCounter, CollectorBatchHandler, IngestionRecordsHandler],
      exports: [CollectorMetrics, options],
    };
  }
}

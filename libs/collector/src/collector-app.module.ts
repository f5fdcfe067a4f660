import { ObservabilityModule } from '@evp/observability';
import { Module, type Type } from '@nestjs/common';
import { type CollectorConfig, collectorOptionsOf } from './collector.config';
import { CollectorModule } from './collector.module';
import type { SourceNormaliser } from './event.normaliser';

/**
 * The root module of a collector app: JSON logs, metrics and health (`ObservabilityModule`) around one
 * `CollectorModule`. Built per configuration because the configuration decides the imported modules.
 */
export function createCollectorAppModule(service: string, config: CollectorConfig, binding: SourceNormaliser): Type {
  @Module({
    imports: [
      ObservabilityModule.forRoot({ service, logLevel: config.LOG_LEVEL, logFormat: config.LOG_FORMAT }),
      CollectorModule.forRoot(collectorOptionsOf(config, binding)),
    ],
  })
  class CollectorAppModule {}
  return CollectorAppModule;
}

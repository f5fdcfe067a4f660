export { createCollectorAppModule } from './collector-app.module';
export { CollectorBatchHandler } from './collector-batch.handler';
export {
  type CollectorConfig,
  collectorConfigSchema,
  collectorOptionsOf,
  loadCollectorConfig,
} from './collector.config';
export { COLLECTOR_MODULE_OPTIONS, COLLECTOR_SETTINGS } from './collector.constants';
export { CollectorOptionsError, UnstorableEventError } from './collector.errors';
export { CollectorMetrics, type FailureReason } from './collector.metrics';
export { type CollectorModuleAsyncOptions, type CollectorModuleForRootOptions } from './collector.module-definition';
export { CollectorModule } from './collector.module';
export type { CollectorConnectionOptions, CollectorModuleOptions } from './collector.options';
export { type CollectorSettings, resolveCollectorSettings } from './collector.settings';
export type { EventNormaliser, NormaliseContext, SourceEvent, SourceNormaliser } from './event.normaliser';

export * from './bootstrap/service.bootstrap';
export * from './correlation/correlation.context';
export * from './health/readiness.registry';
export * from './logging/logger.options';
export * from './metrics/metrics.constants';
export * from './metrics/metrics.registry';
export * from './observability.module';
export * from './progress/terminal.progress';

import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health/health.controller';
import { ReadinessRegistry } from './health/readiness.registry';
import { loggerParams } from './logging/logger.options';
import { MetricsController } from './metrics/metrics.controller';
import { METRICS_REGISTRY } from './metrics/metrics.constants';
import { createMetricsRegistry } from './metrics/metrics.registry';

export interface ObservabilityOptions {
  /** Service name on every log line and metric series, e.g. `gateway`. */
  service: string;
  /** @default 'info' */
  logLevel?: string;
  /** @default 'json' */
  logFormat?: 'pretty' | 'json';
}

/** Logging, metrics and health for one service: import once in the app's root module. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot(
          loggerParams({ service: options.service, level: options.logLevel, format: options.logFormat }),
        ),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [ReadinessRegistry, { provide: METRICS_REGISTRY, useValue: createMetricsRegistry(options.service) }],
      exports: [ReadinessRegistry, METRICS_REGISTRY],
    };
  }
}

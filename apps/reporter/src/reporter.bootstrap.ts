import { bootstrapService } from '@evp/observability';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { buildOpenApiDocument } from './openapi/openapi.document';
import { type ReporterConfig } from './reporter.config';
import { createReporterModule } from './reporter.module';

/** Where the Swagger UI is served; the JSON document is at the same path plus `-json`. */
export const OPENAPI_PATH = 'api/docs';

export interface StartReporterOptions {
  /** @default config.PORT */
  port?: number;
  /** Install SIGTERM/SIGINT handlers. @default true */
  handleSignals?: boolean;
}

/** Starts the reporter: the report endpoints, the OpenAPI document and UI, health and metrics. */
export function startReporter(
  config: ReporterConfig,
  options: StartReporterOptions = {},
): Promise<NestFastifyApplication> {
  return bootstrapService({
    module: createReporterModule(config),
    port: options.port ?? config.PORT,
    host: config.HOST,
    metricsPort: config.METRICS_PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals: options.handleSignals,
    configure: (app) =>
      SwaggerModule.setup(OPENAPI_PATH, app, buildOpenApiDocument(), {
        // A reader who entered an API key keeps it across reloads of the page.
        swaggerOptions: { persistAuthorization: true },
      }),
  });
}

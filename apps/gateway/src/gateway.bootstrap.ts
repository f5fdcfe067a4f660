import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootstrapService } from '@evp/observability';
import { type GatewayConfig } from './gateway.config';
import { createGatewayModule } from './gateway.module';
import { configureWebhookIntake } from './intake/webhook-intake.setup';

export interface GatewayStartOptions {
  /** Install SIGTERM/SIGINT handlers for graceful shutdown. @default true */
  handleSignals?: boolean;
}

/** Starts the gateway: connects to NATS, provisions its streams, listens on `HOST:PORT`. */
export function startGateway(
  config: GatewayConfig,
  options: GatewayStartOptions = {},
): Promise<NestFastifyApplication> {
  return bootstrapService({
    module: createGatewayModule(config),
    port: config.PORT,
    host: config.HOST,
    metricsPort: config.METRICS_PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: config.CONNECTION_TIMEOUT_MS,
    keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS,
    handleSignals: options.handleSignals,
    configure: (app) => configureWebhookIntake(app, config),
  });
}

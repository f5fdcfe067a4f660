import { type IncomingMessage } from 'node:http';
import { type INestApplication, Logger as NestLogger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { Logger } from 'nestjs-pino';
import { correlationIdFrom } from '../correlation/correlation.context';
import { ReadinessRegistry } from '../health/readiness.registry';
import { serveInternalRoutes } from './internal.server';

export interface ServiceBootstrapOptions {
  /** Root module of the service. */
  module: Type;
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * A separate (internal) port for `/metrics` and `/health/*`, which the public port then answers 404.
   * @default unset: they are served on `port`
   */
  metricsPort?: number;
  /**
   * Longest a request may take to arrive whole (headers and body); past it Node answers 408 and closes the
   * connection. @default 300000 (Node's)
   */
  requestTimeoutMs?: number;
  /** A connection with no traffic for this long is closed. @default 0 (no limit, Fastify's) */
  connectionTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this long. @default 72000 (Fastify's) */
  keepAliveTimeoutMs?: number;
  /** Longest a graceful shutdown may take before the process exits with code 1. */
  shutdownTimeoutMs: number;
  /** Largest request body accepted, in bytes. @default 1 MiB (Fastify's default) */
  bodyLimitBytes?: number;
  /** Extra set-up on the app before it listens (content-type parsers, OpenAPI docs…). */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  /** Install SIGTERM/SIGINT handlers that shut the app down gracefully and exit. @default true */
  handleSignals?: boolean;
  /**
   * How long the service keeps serving after readiness went down and before it closes, so requests already on
   * their way (routed before the readiness change, or buffered on keep-alive sockets) are answered, not reset.
   * @default 1000
   */
  drainDelayMs?: number;
}

/**
 * Creates and starts a NestJS service on Fastify with JSON logging, correlation ids on every request
 * (from `x-correlation-id` or generated, echoed in the response) and graceful shutdown.
 */
export async function bootstrapService(options: ServiceBootstrapOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    connectionTimeout: options.connectionTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    http: requestTimeoutOptions(options.requestTimeoutMs),
    return503OnClosing: true,
    // Idle keep-alive sockets would otherwise hold a closing server open until they time out.
    forceCloseConnections: 'idle',
    // Runs when the request is created, before any hook or middleware (the request logger among them), so every
    // later reader of the header sees the same sane id.
    genReqId: (request: IncomingMessage) => {
      const correlationId = correlationIdFrom(request.headers[CORRELATION_ID_HEADER]);
      request.headers[CORRELATION_ID_HEADER] = correlationId;
      return correlationId;
    },
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(CORRELATION_ID_HEADER, request.id);
    done();
  });
  // While shutting down, every answer closes its connection: an idle keep-alive socket would otherwise hold the
  // closing server open until the keep-alive timeout.
  const lifecycle: { readiness?: ReadinessRegistry } = {};
  adapter.getInstance().addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.readiness?.isShuttingDown) void reply.header('connection', 'close');
    done(null, payload);
  });

  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, { bufferLogs: true });
  lifecycle.readiness = app.get(ReadinessRegistry);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await options.configure?.(app);
  const internal = options.metricsPort === undefined ? undefined : serveInternalRoutes(app);
  if (options.handleSignals !== false) installGracefulShutdown(app, options.shutdownTimeoutMs, options.drainDelayMs);
  const host = options.host ?? '127.0.0.1';
  await app.listen(options.port, host);
  if (internal && options.metricsPort !== undefined) await internal.listen(options.metricsPort, host);
  return app;
}

/**
 * Node's own request timeout, set when the server is created: there it also lowers the headers timeout (60 s) to the
 * request timeout, without which Node never cuts a request (measured on Node 20: set afterwards, as Fastify does, a
 * body trickling in was never answered 408). Node looks for requests past their timeout every tenth of it (30 s by
 * default, which would let a trickling body run half a minute over its deadline).
 */
function requestTimeoutOptions(requestTimeoutMs: number | undefined) {
  if (requestTimeoutMs === undefined) return undefined;
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(60_000, requestTimeoutMs),
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 10))),
  };
}

/**
 * One owner and one order for shutdown: readiness goes down first, requests already on their way are still
 * answered for a short drain delay, then Nest closes the app (module hooks stop intake and finish in-flight work,
 * the HTTP server drains, connections close), bounded by a timeout.
 */
export function installGracefulShutdown(app: INestApplication, timeoutMs: number, drainDelayMs = 1_000): void {
  const logger = new NestLogger('Shutdown');
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn(`received ${signal} again while shutting down; still waiting (limit ${timeoutMs} ms)`);
      return;
    }
    shuttingDown = true;
    logger.log(`received ${signal}: shutting down gracefully`);
    app.get(ReadinessRegistry).markShuttingDown();
    const timer = setTimeout(() => {
      logger.error(`graceful shutdown did not finish within ${timeoutMs} ms: exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    new Promise((resolve) => setTimeout(resolve, Math.min(drainDelayMs, timeoutMs / 4)))
      .then(() => app.close())
      .then(() => {
        logger.log('stopped gracefully');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error(`graceful shutdown failed: ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/**
 * Entry-point wrapper: a start-up failure (bad configuration, unreachable dependency at start) is printed
 * plainly, naming what is wrong, and the process exits with code 1 instead of an unhandled rejection.
 */
export function runService(service: string, start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    const detail =
      error instanceof Error ? (error.name === 'ConfigValidationError' ? error.message : error.stack) : String(error);
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service, message: `failed to start: ${detail}` })}\n`,
    );
    process.exit(1);
  });
}

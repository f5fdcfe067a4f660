import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { ReadinessRegistry } from '@evp/observability';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { WEBHOOK_ROUTES } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';
import { IngestReplyBuilder } from '../ingest/ingest-reply.builder';
import { IngestMetrics } from '../ingest/ingest.metrics';
import { InFlightRequests } from './in-flight.requests';
import { readSharedBody } from './shared-body.reader';
import { IntakeErrorFilter } from './intake-error.filter';

/**
 * HTTP-level set-up of the webhook, applied before the server listens:
 * - `application/json` bodies (any charset) are kept as raw bytes in shared memory up to the size limit: the
 *   ingest reads them in slices (or on a worker) instead of one blocking `JSON.parse`, and publishes each
 *   event's original bytes; any other content type is refused with 415;
 * - a webhook request counts as in flight from its first byte, so shutdown waits for a body still uploading;
 *   once shutdown has begun, new webhook requests are answered 503 before their body is read;
 * - 413 and 415 refusals get the gateway's JSON error shape;
 * - every webhook answer, refusals included, is timed and its body size recorded.
 */
export function configureWebhookIntake(app: NestFastifyApplication, config: GatewayConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify's own parsers would otherwise hand text/plain bodies to the webhook as strings.
  fastify.removeAllContentTypeParsers();
  // Registering a JSON parser through Nest is what keeps Nest from adding its own at start-up; it is then
  // swapped for one that streams the body into shared memory (see readSharedBody).
  app.useBodyParser('application/json');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    readSharedBody(payload, request.headers['content-length'], config.BODY_LIMIT_BYTES).then(
      (body) => done(null, body),
      (error: Error) => done(error, undefined),
    );
  });
  app.useGlobalFilters(new IntakeErrorFilter(app.getHttpAdapter(), config.BODY_LIMIT_BYTES));

  const readiness = app.get(ReadinessRegistry);
  const inFlight = app.get(InFlightRequests);
  const replies = app.get(IngestReplyBuilder);
  const metrics = app.get(IngestMetrics);
  const webhookRoutes = new Set<string>(WEBHOOK_ROUTES);
  const isWebhook = (request: { method: string; routeOptions: { url?: string } }) =>
    request.method === 'POST' && webhookRoutes.has(request.routeOptions.url ?? '');
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!isWebhook(request)) {
      done();
      return;
    }
    if (readiness.isShuttingDown) {
      const answer = replies.shuttingDown(String(request.headers[CORRELATION_ID_HEADER]));
      void reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
      return;
    }
    inFlight.hold(request.raw);
    reply.raw.once('close', () => inFlight.release(request.raw));
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    if (isWebhook(request)) {
      const bytes = Buffer.isBuffer(request.body)
        ? request.body.length
        : Number(request.headers['content-length'] ?? 0) || 0;
      metrics.requestHandled(
        request.routeOptions.url ?? request.url,
        reply.statusCode,
        reply.elapsedTime / 1000,
        bytes,
      );
    }
    done();
  });
}

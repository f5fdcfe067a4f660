import { type Readable } from 'node:stream';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { ReadinessRegistry } from '@evp/observability';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { WEBHOOK_ROUTES } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';
import { IngestReplyBuilder } from '../ingest/ingest-reply.builder';
import { IngestMetrics } from '../ingest/ingest.metrics';
import { installWebhookAuth } from '../auth/webhook-auth.hooks';
import { installSenderQuotas } from '../quota/sender-quota.hooks';
import { BodyDecoder } from './body-decoding';
import { InFlightRequests } from './in-flight.requests';
import { readSharedBody } from './shared-body.reader';
import { IntakeErrorFilter } from './intake-error.filter';

/**
 * HTTP-level set-up of the webhook, applied before the server listens:
 * - `application/json` bodies (any charset) are kept as raw bytes in shared memory up to the size limit: the
 *   ingest reads them in slices (or on a worker) instead of one blocking `JSON.parse`, and publishes each
 *   event's original bytes; any other content type is refused with 415;
 * - a `Content-Encoding` of gzip, deflate or br is decoded as the body arrives, capped on its decoded size (see
 *   BodyDecoder); any other encoding is refused with 415;
 * - webhook credentials are checked (401) before the body is read, a signature right after (see installWebhookAuth);
 * - a sender over its quota is answered 429 as soon as it is known, before its body is taken in when it can be
 *   (see installSenderQuotas);
 * - a webhook request counts as in flight from its first byte, so shutdown waits for a body still uploading;
 *   once shutdown has begun, new webhook requests are answered 503 before their body is read, and so are those
 *   whose declared size would take the bytes in flight over MAX_IN_FLIGHT_BYTES;
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
  const decoder = app.get(BodyDecoder);
  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    const encoding = request.headers['content-encoding'];
    let json: Readable;
    try {
      json = decoder.decode(payload, encoding);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    // An encoded body's Content-Length counts its compressed bytes: the decoder caps both sizes instead.
    const contentLength = BodyDecoder.isEncoded(encoding) ? undefined : request.headers['content-length'];
    readSharedBody(json, contentLength, config.BODY_LIMIT_BYTES).then(
      (body) => {
        if (json === payload) decoder.countPlain(body.length);
        done(null, body);
      },
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
  installWebhookAuth(app, isWebhook);
  installSenderQuotas(app, isWebhook);
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
    // An encoded body may decode to anything up to the body limit, whatever its Content-Length.
    const contentLength = BodyDecoder.isEncoded(request.headers['content-encoding'])
      ? undefined
      : request.headers['content-length'];
    if (!inFlight.admit(request.raw, declaredBodyBytes(contentLength, config.BODY_LIMIT_BYTES))) {
      const answer = replies.overCapacity(String(request.headers[CORRELATION_ID_HEADER]));
      void reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
      return;
    }
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

/** The body bytes a request may bring: its Content-Length, or the whole body limit when it sends none (chunked). */
function declaredBodyBytes(contentLength: string | undefined, limitBytes: number): number {
  const declared = Number(contentLength);
  return contentLength !== undefined && Number.isSafeInteger(declared) && declared >= 0
    ? Math.min(declared, limitBytes)
    : limitBytes;
}

import { type IncomingMessage } from 'node:http';
import { Logger } from '@nestjs/common';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply } from 'fastify';
import { authenticatedSender } from '../auth/webhook.authenticator';
import { WEBHOOK_SIGNATURE_HEADER } from '../auth/webhook-auth.verifier';
import { IngestReplyBuilder } from '../ingest/ingest-reply.builder';
import { IngestionRecorder } from '../ingest/ingestion.recorder';
import { ANONYMOUS_SENDER, SenderQuotas } from './sender.quotas';

interface QuotaRequest {
  method: string;
  routeOptions: { url?: string };
  raw: IncomingMessage;
  headers: IncomingMessage['headers'];
}

/** The sender a webhook request counts against: the authenticated one, or the shared anonymous one. */
export function senderOf(request: { raw: IncomingMessage }): string {
  return authenticatedSender(request) ?? ANONYMOUS_SENDER;
}

/**
 * Answers 429 to a webhook request whose sender is over its quota, as early as its sender is known: as soon as it
 * arrives (a token, or no authentication), before its body is taken into the bytes in flight; a signed request only
 * once its body is read and its signature checked. Install after the authentication hooks, which name the sender.
 * The events of admitted requests are charged by the controller once they are counted. Each refusal is published as
 * an ingestion record (one request throttled, its sender as the reason) before the 429 is sent; while the broker is
 * down the 429 is still sent, uncounted.
 */
export function installSenderQuotas(app: NestFastifyApplication, isWebhook: (request: QuotaRequest) => boolean): void {
  const fastify = app.getHttpAdapter().getInstance();
  const quotas = app.get(SenderQuotas);
  const replies = app.get(IngestReplyBuilder);
  const recorder = app.get(IngestionRecorder);
  const logger = new Logger('SenderQuotas');
  /** Signed requests, whose sender is known only once the body's signature is checked. */
  const awaitingBody = new WeakSet<IncomingMessage>();

  const refuse = async (request: QuotaRequest, reply: FastifyReply): Promise<boolean> => {
    const throttle = quotas.admit(senderOf(request));
    if (throttle === undefined) return false;
    const correlationId = String(request.headers[CORRELATION_ID_HEADER]);
    await recorder.throttled(throttle.sender).catch((error: unknown) => {
      logger.warn({ correlationId, error: String(error) }, 'throttled request not counted: broker unavailable');
    });
    const answer = replies.throttled(throttle, correlationId);
    void reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
    return true;
  };
  const admitOrRefuse = (request: QuotaRequest, reply: FastifyReply, done: () => void): void => {
    void refuse(request, reply).then((refused) => {
      if (!refused) done();
    });
  };

  fastify.addHook('onRequest', (request, reply, done) => {
    if (!isWebhook(request)) return done();
    if (authenticatedSender(request) === undefined && request.headers[WEBHOOK_SIGNATURE_HEADER] !== undefined) {
      awaitingBody.add(request.raw);
      return done();
    }
    admitOrRefuse(request, reply, done);
  });
  fastify.addHook('preHandler', (request, reply, done) => {
    if (!awaitingBody.delete(request.raw)) return done();
    admitOrRefuse(request, reply, done);
  });
}

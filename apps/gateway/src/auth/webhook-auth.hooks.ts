import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { WebhookAuthenticator } from './webhook.authenticator';

interface RoutedRequest {
  method: string;
  routeOptions: { url?: string };
}

/**
 * Refuses webhook requests without valid credentials with 401: on a token as soon as the request arrives, before
 * its body is read; on a signature once the raw body is read, before the handler parses it (a signed request with
 * no body at all is checked there too, against the empty body).
 */
export function installWebhookAuth(app: NestFastifyApplication, isWebhook: (request: RoutedRequest) => boolean): void {
  const fastify = app.getHttpAdapter().getInstance();
  const authenticator = app.get(WebhookAuthenticator);
  fastify.addHook('onRequest', (request, reply, done) => {
    const refusal = isWebhook(request) ? authenticator.checkHead(request) : undefined;
    if (refusal === undefined) return done();
    void reply.code(refusal.getStatus()).send(refusal.getResponse());
  });
  fastify.addHook('preHandler', (request, reply, done) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const refusal = isWebhook(request) ? authenticator.checkBody(request, body) : undefined;
    if (refusal === undefined) return done();
    void reply.code(refusal.getStatus()).send(refusal.getResponse());
  });
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';

/** Routes for probes and Prometheus, which METRICS_PORT moves off the public port. */
const isInternalPath = (url = '') => url === '/metrics' || url.startsWith('/metrics?') || url.startsWith('/health/');

/**
 * Serves `/metrics` and `/health/*` on a port of their own (internal: probes and Prometheus reach it, the public
 * does not) and only them; the public port answers 404 for them. Requests on the internal port go through the same app (the
 * same controllers, hooks and logging); the internal server closes with the app.
 *
 * Call before the app listens: it adds a hook.
 */
export function serveInternalRoutes(app: NestFastifyApplication): {
  listen(port: number, host: string): Promise<Server>;
} {
  const fastify = app.getHttpAdapter().getInstance();
  const internalRequests = new WeakSet<IncomingMessage>();
  const server = createServer((request, response) => {
    internalRequests.add(request);
    fastify.routing(request, response);
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    const internal = internalRequests.has(request.raw);
    if (internal === isInternalPath(request.raw.url)) return done();
    const path = request.raw.url?.split('?')[0] ?? '';
    void reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: internal
        ? `${path} is not served on the internal metrics port`
        : `${path} is served on the internal metrics port only`,
    });
  });
  fastify.addHook('onClose', (_instance, done) => {
    // Prometheus keeps its connection alive between scrapes; it would hold the server open.
    server.closeAllConnections();
    server.close(() => done());
  });
  return {
    listen: (port, host) =>
      new Promise<Server>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server);
        });
      }),
  };
}

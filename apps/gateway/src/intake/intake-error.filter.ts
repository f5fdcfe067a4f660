import { type ArgumentsHost, Catch, HttpException, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { BodyDecodingError } from './body-decoding';

/**
 * Fastify refuses some requests before any handler runs: a body over the size limit (413), a content type with no
 * parser (415), a body in an encoding the gateway does not decode (415) or cannot decode (400). Those answers get
 * the gateway's JSON error shape with a stable code; every other exception keeps Nest's default handling.
 */
@Catch(HttpException)
export class IntakeErrorFilter extends BaseExceptionFilter {
  constructor(
    applicationRef: HttpServer,
    private readonly bodyLimitBytes: number,
  ) {
    super(applicationRef);
  }

  override catch(exception: HttpException, host: ArgumentsHost): void {
    const status = exception.getStatus();
    if (exception instanceof BodyDecodingError) {
      const http = host.switchToHttp();
      const correlationId = http.getRequest<FastifyRequest>().headers[CORRELATION_ID_HEADER];
      void http
        .getResponse<FastifyReply>()
        .code(status)
        .send({ ...(exception.getResponse() as object), correlationId });
      return;
    }
    if (status !== 413 && status !== 415) {
      super.catch(exception, host);
      return;
    }
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body =
      status === 413
        ? {
            error: 'GATEWAY.BODY_TOO_LARGE',
            message: `the request body is larger than the limit of ${this.bodyLimitBytes} bytes`,
          }
        : {
            error: 'GATEWAY.UNSUPPORTED_MEDIA_TYPE',
            message: `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not supported: send application/json`,
          };
    void reply.code(status).send({ ...body, correlationId: request.headers[CORRELATION_ID_HEADER] });
  }
}

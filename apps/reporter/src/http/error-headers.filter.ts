import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { UnauthenticatedError } from '../auth/unauthenticated.error';
import { ReportUnavailableError } from '../query/report-unavailable.error';

/**
 * Answers the reporter's errors that carry headers (Retry-After on a 503, WWW-Authenticate on a 401) with those
 * headers and their JSON body: Nest's own exception handler sends the body only.
 */
@Catch(ReportUnavailableError, UnauthenticatedError)
export class ErrorHeadersFilter implements ExceptionFilter<ReportUnavailableError | UnauthenticatedError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: ReportUnavailableError | UnauthenticatedError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    for (const [name, value] of Object.entries(error.headers)) httpAdapter.setHeader(response, name, value);
    httpAdapter.reply(response, error.getResponse(), error.getStatus());
  }
}

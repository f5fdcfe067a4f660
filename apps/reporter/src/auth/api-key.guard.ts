import { type IncomingHttpHeaders } from 'node:http';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ReportMetrics } from '../metrics/report.metrics';
import { type ReporterConfig } from '../reporter.config';
import { REPORTER_CONFIG } from '../reporter.constants';
import { ApiKeyVerifier } from './api-key.verifier';
import { UnauthenticatedError } from './unauthenticated.error';

/**
 * Guards the report routes when REPORTER_API_KEYS is set: `Authorization: Bearer <key>` with one of the keys, or
 * 401. It runs before the query is parsed, so a caller without a key learns nothing about the parameters.
 * Health, metrics and the API docs are not behind it: probes, Prometheus and readers of the docs hold no key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly verifier: ApiKeyVerifier;

  constructor(
    @Inject(REPORTER_CONFIG) config: ReporterConfig,
    private readonly metrics: ReportMetrics,
  ) {
    this.verifier = new ApiKeyVerifier(config.REPORTER_API_KEYS);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.verifier.enabled) return true;
    const { headers } = context.switchToHttp().getRequest<{ headers: IncomingHttpHeaders }>();
    const check = this.verifier.check(headers.authorization);
    if (check.ok) return true;
    this.metrics.countUnauthorized(check.reason);
    throw new UnauthenticatedError(check.reason, check.message);
  }
}

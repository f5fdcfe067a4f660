import { Controller, Get } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessRegistry } from './readiness.registry';

/**
 * Liveness says the process answers (a stuck event loop fails it); readiness says it can do its job now:
 * every registered dependency check passes and it is not shutting down. Failing parts are named in the 503 body.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  @Get('liveness')
  @HealthCheck()
  liveness(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicators.check('process').up()]);
  }

  @Get('readiness')
  @HealthCheck()
  readinessCheck(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.readiness.isShuttingDown
          ? this.indicators.check('lifecycle').down({ message: 'shutting down' })
          : this.indicators.check('lifecycle').up(),
      ...this.readiness.names().map((name) => async () => {
        const result = await this.readiness.run(name);
        const indicator = this.indicators.check(name);
        return result.up ? indicator.up() : indicator.down({ message: result.message ?? 'down' });
      }),
    ]);
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { DATABASE_POOL, replicaLag } from '@evp/database';
import { METRICS_REGISTRY } from '@evp/observability';
import { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';

/**
 * `reporter_replica_lag_seconds`: how far the database the reports read (REPORTER_DATABASE_URL) is behind the
 * primary, read from it at every scrape; 0 when the reports read the primary. Reports from a replica are exact for
 * the data it has, so this is how stale they may be. A scrape while the database is unreachable keeps the last
 * value (readiness reports the outage).
 */
@Injectable()
export class ReplicaLagMetrics {
  private readonly logger = new Logger(ReplicaLagMetrics.name);

  constructor(@Inject(DATABASE_POOL) pool: Pool, @Inject(METRICS_REGISTRY) registry: Registry) {
    const logger = this.logger;
    new Gauge({
      name: 'reporter_replica_lag_seconds',
      help: 'Seconds of commits the database the reports read has not replayed yet (0 on the primary).',
      registers: [registry],
      async collect() {
        try {
          this.set((await replicaLag(pool)).lagSeconds);
        } catch (error) {
          logger.warn(`replica lag not read: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
    });
  }
}

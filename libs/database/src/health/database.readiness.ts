import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { ReadinessRegistry, type ReadinessCheckResult } from '@evp/observability';
import { Pool } from 'pg';
import { DATABASE_OPTIONS, DATABASE_POOL, DATABASE_READINESS_CHECK } from '../database.constants';
import { describeDatabase, type ResolvedDatabaseOptions } from '../database.options';

/**
 * Readiness check `database`: a `SELECT 1` on the service's pool within `readinessTimeoutMs`. When it fails, the
 * message names the database, so a 503 from `/health/readiness` says which dependency is down.
 */
@Injectable()
export class DatabaseReadiness implements OnModuleInit {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(DATABASE_OPTIONS) private readonly options: ResolvedDatabaseOptions,
    @Optional() private readonly registry?: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry?.register(DATABASE_READINESS_CHECK, () => this.check());
  }

  async check(): Promise<ReadinessCheckResult> {
    const timeoutMs = this.options.readinessTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.pool.query('SELECT 1'), timeout]);
      return { up: true };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { up: false, message: `${describeDatabase(this.options.url)} is not reachable: ${reason}` };
    } finally {
      clearTimeout(timer);
    }
  }
}

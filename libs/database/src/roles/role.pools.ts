import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_OPTIONS, DATABASE_POOL } from '../database.constants';
import type { ResolvedDatabaseOptions } from '../database.options';
import { createDatabasePool } from '../prisma/database.pool';

/**
 * Connections of each: one statement at a time (a partition pass, an indexer step), and one spare for a batch that
 * creates its missing partition meanwhile.
 */
const ROLE_POOL_SIZE = 2;

/**
 * The pools of the roles a service uses besides its own `url`: the schema owner's, for the time partitions, and the
 * indexer's, for the demographics read model. A URL equal to `url` shares the service's pool, so a service given one
 * URL (the superuser on a development machine) keeps one pool.
 */
@Injectable()
export class RolePools {
  /** Creates and drops partitions (`ownerUrl`). */
  readonly owner: Pool;
  /** Folds the demographics queue into the read model (`indexerUrl`). */
  readonly indexer: Pool;
  private readonly opened: Pool[] = [];

  constructor(
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(DATABASE_OPTIONS) private readonly options: ResolvedDatabaseOptions,
  ) {
    this.owner = this.poolFor(options.ownerUrl, pool);
    this.indexer = this.poolFor(options.indexerUrl, pool);
  }

  /** Ends the pools opened here, never the service's own (PrismaService ends that). Idempotent. */
  async close(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((pool) => pool.end()));
  }

  private poolFor(url: string, shared: Pool): Pool {
    if (url === this.options.url) return shared;
    const pool = createDatabasePool({
      url,
      poolSize: ROLE_POOL_SIZE,
      connectTimeoutMs: this.options.connectTimeoutMs,
    });
    this.opened.push(pool);
    return pool;
  }
}

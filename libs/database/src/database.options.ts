import { z } from 'zod';
import { DatabaseOptionsError } from './errors/database.errors';
import { PARTITION_INTERVALS, type PartitionInterval } from './storage/partition.sql';

export interface DatabaseModuleOptions {
  /** PostgreSQL connection URL, e.g. `postgresql://postgres@127.0.0.1:5432/evp`. */
  url: string;
  /**
   * URL of the role that owns the schema (`evp_owner`, README "Roles"). Start-up migrations and the time partitions
   * run through it, on a pool of their own: creating a partition and dropping one for retention both need ownership
   * of the partitioned table, so `url` can then be a role that only reads and writes rows.
   * @default url
   */
  ownerUrl?: string;
  /**
   * URL the demographics indexer writes the read model through (`evp_indexer`), on a pool of its own, so that `url`
   * can be a SELECT-only role.
   * @default url
   */
  indexerUrl?: string;
  /**
   * Apply pending migrations (`prisma migrate deploy`) before connecting. Safe when several instances start at
   * once: the CLI serialises them with an advisory lock, so each migration is applied once.
   * @default false
   */
  migrateOnStart?: boolean;
  /**
   * Connections in the pool shared by Prisma and the batch writer. Two concurrent writers are the sweet spot on
   * two cores (shared/notes/PERFORMANCE.md); the rest serves queries and the readiness check.
   * @default 4
   */
  poolSize?: number;
  /** Longest wait for a new connection before a query fails, in milliseconds. @default 5000 */
  connectTimeoutMs?: number;
  /** Longest the readiness check's `SELECT 1` may take, in milliseconds. @default 2000 */
  readinessTimeoutMs?: number;
  /** Longest the start-up migrations may take, in milliseconds. @default 120000 */
  migrationTimeoutMs?: number;
  /**
   * Length of one time partition of `events` and `demographic_events`. Changing it applies to partitions created
   * from then on; existing ones keep their ranges.
   * @default 'day'
   */
  partitionInterval?: PartitionInterval;
  /** Partitions kept ready after the current one. @default 3 */
  partitionsAhead?: number;
  /**
   * Events older than this many days are dropped, a whole partition at a time (rollups and all-time demographics
   * counters are kept). 0 keeps everything.
   * @default 30
   */
  retentionDays?: number;
  /**
   * Run the storage maintenance in this service: partitions created ahead, retention applied, on start-up and every
   * `storageMaintenanceIntervalMs`. Any number of instances may run it (one at a time works, under a lock).
   * @default false
   */
  maintainStorage?: boolean;
  /** Pause between two storage maintenance passes, in milliseconds. @default 600000 */
  storageMaintenanceIntervalMs?: number;
}

export type ResolvedDatabaseOptions = Required<DatabaseModuleOptions>;

const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' });

const optionsSchema = z.object({
  url: postgresUrl,
  ownerUrl: postgresUrl.optional(),
  indexerUrl: postgresUrl.optional(),
  migrateOnStart: z.boolean().default(false),
  poolSize: z.number().int().min(1).max(100).default(4),
  connectTimeoutMs: z.number().int().positive().default(5_000),
  readinessTimeoutMs: z.number().int().positive().default(2_000),
  migrationTimeoutMs: z.number().int().positive().default(120_000),
  partitionInterval: z.enum(PARTITION_INTERVALS).default('day'),
  partitionsAhead: z.number().int().min(1).max(366).default(3),
  retentionDays: z.number().int().min(0).default(30),
  maintainStorage: z.boolean().default(false),
  storageMaintenanceIntervalMs: z.number().int().positive().default(600_000),
});

/** Validates the options and fills in the defaults; throws `DatabaseOptionsError` naming every bad option. */
export function resolveDatabaseOptions(options: DatabaseModuleOptions): ResolvedDatabaseOptions {
  const result = optionsSchema.safeParse(options);
  if (result.success) {
    const { ownerUrl, indexerUrl, ...resolved } = result.data;
    return { ...resolved, ownerUrl: ownerUrl ?? resolved.url, indexerUrl: indexerUrl ?? resolved.url };
  }
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`);
  throw new DatabaseOptionsError(`Invalid database options: ${problems.join('; ')}`);
}

/** Where a URL points, for messages: never includes the password. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `database "${decodeURIComponent(parsed.pathname.slice(1)) || 'postgres'}" on ${parsed.hostname}:${parsed.port || '5432'}`;
  } catch {
    return 'database (unparseable URL)';
  }
}

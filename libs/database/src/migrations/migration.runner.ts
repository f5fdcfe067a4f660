import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client, Pool } from 'pg';
import { DatabaseMigrationError } from '../errors/database.errors';
import { inTransaction } from '../prisma/pool.transaction';
import { applyRoleGrants } from '../roles/role-grants.reconciler';
import { moveLegacyEvents } from '../storage/legacy-layout.migrator';
import { DEFAULT_PARTITION_SETTINGS, PartitionManager } from '../storage/partition.manager';
import type { PartitionInterval } from '../storage/partition.sql';

export interface MigrationOptions {
  /** Database to migrate. */
  url: string;
  /** Longest the CLI may run before it is killed, in milliseconds. @default 120000 */
  timeoutMs?: number;
  /** Interval of the partitions that rows of the legacy layout are moved into. @default 'day' */
  partitionInterval?: PartitionInterval;
}

export interface MigrationResult {
  /** Names of the migrations this run applied (empty when the database was up to date). */
  applied: string[];
  /** One line for the logs. */
  summary: string;
}

/** Pause before asking again for the migration lock another instance holds. */
const LOCK_RETRY_DELAY_MS = 500;

/**
 * Environment every Prisma CLI call needs on machines without Prisma's binary downloads
 * (shared/notes/PRISMA.md): the JavaScript schema engine is used, so the native ones must not be fetched.
 */
export const PRISMA_CLI_ENV = {
  PRISMA_QUERY_ENGINE_LIBRARY: '/dev/null',
  PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
} as const;

/**
 * Applies pending migrations with `prisma migrate deploy`. The CLI holds a PostgreSQL advisory lock while it
 * works, so instances starting together take turns and each migration is applied exactly once. The CLI gives up
 * waiting for that lock after 10 s (not configurable), which a slow migration on a busy machine can exceed, so
 * that case is retried until `timeoutMs` has passed.
 */
export async function runMigrations(options: MigrationOptions): Promise<MigrationResult> {
  const result = await deployMigrations(options);
  const { keyed, moved, granted } = await completeLayout(options);
  const notes = [
    ...(keyed.length === 0 ? [] : [`keys built on ${keyed.join(', ')}`]),
    ...(moved === 0 ? [] : [`${moved} events moved to the partitioned layout`]),
    ...(granted.length === 0 ? [] : [`${granted.length} grant statements for the pipeline's roles`]),
  ];
  return notes.length === 0 ? result : { ...result, summary: [result.summary, ...notes].join(', ') };
}

/**
 * What plain SQL migrations cannot do, since it depends on the partitions present: the per-partition keys of
 * partitions made before them, and the rows still in the layout before partitioning (see moveLegacyEvents). Nothing
 * to do on a database migrated from empty. Then the grants of the pipeline's roles on the tables as they now are
 * (applyRoleGrants: the migrations cannot name roles that may not exist).
 */
async function completeLayout(
  options: MigrationOptions,
): Promise<{ keyed: string[]; moved: number; granted: string[] }> {
  const pool = new Pool({ connectionString: options.url, max: 2, application_name: 'evp-migrations' });
  try {
    const interval = options.partitionInterval ?? 'day';
    const keyed = await new PartitionManager(pool, { ...DEFAULT_PARTITION_SETTINGS, interval }).ensureEventKeys();
    const moved = await moveLegacyEvents(pool, interval);
    return { keyed, moved, granted: await inTransaction(pool, (client) => applyRoleGrants(client)) };
  } finally {
    await pool.end();
  }
}

async function deployMigrations(options: MigrationOptions): Promise<MigrationResult> {
  const packageRoot = databasePackageRoot();
  // Every start of a collector or the reporter comes here. The CLI keeps its lock for ~10 s after it is done
  // (it leaves its connection to the pool's idle timeout), so instances starting together would wait ~10 s
  // each even with nothing to apply: ask the database first, and run the CLI only when a migration is pending.
  if (await allMigrationsApplied(options.url, migrationNames(packageRoot))) {
    return { applied: [], summary: 'no pending migrations' };
  }
  const cli = createRequire(join(packageRoot, 'package.json')).resolve('prisma/build/index.js');
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    try {
      const output = await runCli(process.execPath, [cli, 'migrate', 'deploy'], {
        cwd: packageRoot,
        env: { ...process.env, ...PRISMA_CLI_ENV, DATABASE_URL: options.url },
        timeoutMs: Math.max(1, deadline - Date.now()),
      });
      const applied = [...output.matchAll(/└─ (\S+)\/\s*$/gm)].map((match) => match[1] ?? '');
      return { applied, summary: applied.length > 0 ? `applied ${applied.join(', ')}` : 'no pending migrations' };
    } catch (error) {
      const lockTimeout = error instanceof DatabaseMigrationError && /P1002[\s\S]*advisory lock/.test(error.message);
      if (!lockTimeout || Date.now() + LOCK_RETRY_DELAY_MS >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_DELAY_MS));
    }
  }
}

/** Directory names of the migrations that hold a `migration.sql`, in the order they apply. */
function migrationNames(packageRoot: string): string[] {
  return readdirSync(join(packageRoot, 'prisma', 'migrations'))
    .sort()
    .filter((name) => existsSync(migrationFile(packageRoot, name)));
}

function migrationFile(packageRoot: string, name: string): string {
  return join(packageRoot, 'prisma', 'migrations', name, 'migration.sql');
}

/**
 * Whether Prisma's history table records every one of `names` as finished and not rolled back. Any failure (no
 * such table on a new database, database unreachable) answers false: the CLI then runs and reports what is wrong.
 */
async function allMigrationsApplied(url: string, names: readonly string[]): Promise<boolean> {
  const client = new Client({ connectionString: url, application_name: 'evp-migrations' });
  try {
    await client.connect();
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    return names.every((name) => applied.has(name));
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A fingerprint of every migration file: equal fingerprints mean equal schemas, so a database migrated once can
 * be cloned instead of migrated again (the test databases do this).
 */
export function migrationsFingerprint(): string {
  const packageRoot = databasePackageRoot();
  const hash = createHash('sha256');
  for (const name of migrationNames(packageRoot)) {
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(migrationFile(packageRoot, name)))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The directory holding `prisma.config.ts` and `prisma/`, found from this file in `src/` or in `dist/`. */
function databasePackageRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'prisma', 'schema.prisma')) && existsSync(join(dir, 'prisma.config.ts'))) return dir;
  }
  throw new DatabaseMigrationError(`cannot find the database package (prisma/schema.prisma) above ${__dirname}`);
}

function runCli(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new DatabaseMigrationError(
          `prisma migrate deploy did not finish within ${options.timeoutMs} ms:\n${output.trim()}`,
        ),
      );
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new DatabaseMigrationError(`cannot run the Prisma CLI: ${error.message}`, { cause: error }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else
        reject(
          new DatabaseMigrationError(`prisma migrate deploy failed (exit ${code ?? 'signal'}):\n${output.trim()}`),
        );
    });
  });
}

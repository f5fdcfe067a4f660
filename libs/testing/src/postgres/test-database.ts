import { randomBytes } from 'node:crypto';
import { migrationsFingerprint, runMigrations } from '@evp/database';
import { Client } from 'pg';
import { defaultDatabaseUrl, quoteIdentifier, withDatabase } from './postgres.urls';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Its name, `evp_test_<random>`. */
  name: string;
  /** Drops it, closing whatever connections are still open. Idempotent. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Server to create it on (any database of it). @default DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/evp */
  serverUrl?: string;
  /** Bring it to the current schema; false leaves it empty (for tests of the migrations themselves). @default true */
  migrate?: boolean;
}

/** Serialises template building and cloning across test processes (any constant distinct from Prisma's lock). */
const TEMPLATE_LOCK_KEY = 7_419_220_311;

/**
 * A fresh database of its own for one test file, so parallel runs never share tables. Migrated databases are
 * cloned from a template built once per set of migration files by the real migrations (`prisma migrate deploy`),
 * which takes a fraction of a second instead of a CLI run per database.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? defaultDatabaseUrl();
  const name = `evp_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    if (options.migrate === false) {
      await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    } else {
      await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
      try {
        const template = await ensureTemplate(admin, serverUrl);
        await whenUnused(() => admin.query(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(template)}`));
      } finally {
        await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  return { url, name, drop: () => dropDatabase(serverUrl, name) };
}

/** Drops a database, closing whatever connections are still open. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * The template for the current migrations, built if missing. It is migrated under a temporary name and renamed
 * when complete, so a template that exists is always whole; templates of older migration sets are dropped.
 */
async function ensureTemplate(admin: Client, serverUrl: string): Promise<string> {
  const template = `evp_template_${migrationsFingerprint()}`;
  const existing = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'evp\\_template\\_%'`);
  const names = existing.rows.map((row) => row.datname);
  if (names.includes(template)) return template;
  for (const stale of names) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(stale)} WITH (FORCE)`);
  const building = `${template}_building`;
  await admin.query(`CREATE DATABASE ${quoteIdentifier(building)}`);
  await runMigrations({ url: withDatabase(serverUrl, building) });
  await whenUnused(() => admin.query(`ALTER DATABASE ${quoteIdentifier(building)} RENAME TO ${quoteIdentifier(template)}`));
  return template;
}

/**
 * Runs a statement that needs a database nobody is connected to. The migration CLI has exited by then, but the
 * server may not have finished closing its sessions yet (SQLSTATE 55006, object in use): wait briefly and retry.
 */
async function whenUnused<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      const inUse = typeof error === 'object' && error !== null && 'code' in error && error.code === '55006';
      if (!inUse || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

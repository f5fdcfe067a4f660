import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  createDatabasePool,
  DATABASE_POOL,
  DATABASE_ROLES,
  DatabaseModule,
  type DatabaseModuleOptions,
  DEFAULT_PARTITION_SETTINGS,
  demographicDeltaCtes,
  DemographicsIndexer,
  EventBatchWriter,
  IngestionCountsWriter,
  PartitionManager,
  provisionRoles,
  type RolePasswords,
  runMigrations,
  StorageMaintenance,
} from '@evp/database';
import { eventRowOf, startPrivatePostgres, type PrivatePostgres, withDatabase } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { Client, type Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../../..');
const INIT_SCRIPTS = ['05-evp-roles.sh', '10-grafana-reader.sh', '15-evp-monitor.sh'].map((name) =>
  join(repoRoot, 'deploy/postgres/initdb', name),
);
const ROLES_CLI = join(repoRoot, 'libs/database/src/roles/roles.cli.ts');

const PASSWORDS = {
  owner: 'owner-secret',
  collector: 'collector-secret',
  reporter: 'reporter-secret',
  indexer: 'indexer-secret',
} as const satisfies RolePasswords;
const PASSWORD_ENV = {
  DB_OWNER_PASSWORD: PASSWORDS.owner,
  DB_COLLECTOR_PASSWORD: PASSWORDS.collector,
  DB_REPORTER_PASSWORD: PASSWORDS.reporter,
  DB_INDEXER_PASSWORD: PASSWORDS.indexer,
};
const GRAFANA_READER = 'grafana_reader';

/** The same server and database, as another role. */
function urlAs(url: string, role: string, password?: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = password ?? '';
  return parsed.toString();
}

function appContext(database: DynamicModule): Promise<INestApplicationContext> {
  @Module({ imports: [database] })
  class RootModule {}
  return NestFactory.createApplicationContext(RootModule, { logger: false, abortOnError: false });
}

/** Events generated around `now`, as the collectors store them. */
function rowsAt(now: Date, count: number, seed: number) {
  return new EventGenerator({ seed, now: () => now }).batch(count).map((event) => eventRowOf(event));
}

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcomeOf(pool: Pool, sql: string): Promise<string> {
  try {
    await pool.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Each statement's outcome, so a failing expectation names the statement. */
async function outcomesOf(pool: Pool, statements: readonly string[]): Promise<Record<string, string>> {
  const outcomes: Record<string, string> = {};
  for (const statement of statements) outcomes[statement] = await outcomeOf(pool, statement);
  return outcomes;
}

const everyOutcome = (statements: readonly string[], outcome: string) =>
  Object.fromEntries(statements.map((statement) => [statement, outcome]));

async function query<Row extends object>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Everything provisioning decides, as the catalog holds it: the roles' attributes and settings, the database's,
 * schema's and default ACLs, and every relation's owner and ACL (ACL items sorted, passwords left out).
 */
async function securityState(url: string): Promise<unknown> {
  const sortedAcl = (column: string) => `ARRAY(SELECT item::text FROM unnest(${column}) AS item ORDER BY 1)`;
  return {
    roles: await query(
      url,
      `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls,
         rolconfig FROM pg_roles WHERE rolname LIKE 'evp\\_%' ORDER BY rolname`,
    ),
    database: await query(
      url,
      `SELECT ${sortedAcl('datacl')} AS acl FROM pg_database WHERE datname = current_database()`,
    ),
    schema: await query(url, `SELECT ${sortedAcl('nspacl')} AS acl FROM pg_namespace WHERE nspname = 'public'`),
    defaults: await query(
      url,
      `SELECT defaclrole::regrole::text AS role, defaclobjtype AS type, ${sortedAcl('defaclacl')} AS acl
       FROM pg_default_acl ORDER BY 1, 2`,
    ),
    relations: await query(
      url,
      `SELECT c.relname, c.relowner::regrole::text AS owner, ${sortedAcl('c.relacl')} AS acl FROM pg_class AS c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S') ORDER BY 1`,
    ),
  };
}

/** Relations of the schema owned by anyone but the owner role. */
async function foreignOwned(url: string): Promise<string[]> {
  const rows = await query<{ relname: string }>(
    url,
    `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'S')
       AND relowner <> $1::regrole ORDER BY 1`,
    [DATABASE_ROLES.owner],
  );
  return rows.map((row) => row.relname);
}

describe(provisionRoles, () => {
  let postgres: PrivatePostgres;
  let adminUrl: string;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    postgres = await startPrivatePostgres({ migrate: false });
    adminUrl = postgres.url;
  });

  afterAll(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await postgres?.destroy();
  });

  describe('when the compose init scripts have created the roles on a new cluster', () => {
    it('should leave provisionRoles nothing to change but the passwords', async () => {
      for (const script of INIT_SCRIPTS) {
        await run('sh', [script], {
          env: {
            ...process.env,
            ...PASSWORD_ENV,
            POSTGRES_USER: 'postgres',
            POSTGRES_DB: 'evp',
            PGHOST: '127.0.0.1',
            PGPORT: String(postgres.port),
            GRAFANA_DB_PASSWORD: 'grafana-secret',
            DB_MONITOR_PASSWORD: 'monitor-secret',
          },
        });
      }
      const fromScripts = await securityState(adminUrl);

      const result = await provisionRoles(adminUrl, PASSWORDS);

      expect(result).toEqual({
        created: [],
        passwordsSet: Object.values(DATABASE_ROLES),
        ownershipMoved: [],
        grants: [],
      });
      expect(await securityState(adminUrl)).toEqual(fromScripts);
    });
  });

  describe('when the services run as their roles', () => {
    const ownerUrl = () => urlAs(adminUrl, DATABASE_ROLES.owner, PASSWORDS.owner);
    let collector: INestApplicationContext;
    let reporter: INestApplicationContext;
    let collectorPool: Pool;
    let reporterPool: Pool;
    let indexerPool: Pool;

    beforeAll(async () => {
      const collectorOptions: DatabaseModuleOptions = {
        url: urlAs(adminUrl, DATABASE_ROLES.collector, PASSWORDS.collector),
        ownerUrl: ownerUrl(),
        migrateOnStart: true,
        maintainStorage: true,
        retentionDays: 30,
      };
      collector = await appContext(DatabaseModule.forRoot(collectorOptions));
      apps.push(collector);
      reporter = await appContext(
        DatabaseModule.forRoot({
          url: urlAs(adminUrl, DATABASE_ROLES.reporter, PASSWORDS.reporter),
          indexerUrl: urlAs(adminUrl, DATABASE_ROLES.indexer, PASSWORDS.indexer),
        }),
      );
      apps.push(reporter);
      collectorPool = collector.get<Pool>(DATABASE_POOL);
      reporterPool = reporter.get<Pool>(DATABASE_POOL);
      indexerPool = createDatabasePool({
        url: urlAs(adminUrl, DATABASE_ROLES.indexer, PASSWORDS.indexer),
        poolSize: 1,
        connectTimeoutMs: 5_000,
      });
    });

    afterAll(async () => {
      await indexerPool?.end();
    });

    it('should have migrated as the owner, which owns every table, view and partition', async () => {
      expect(await foreignOwned(adminUrl)).toEqual([]);
      const partitions = await query<{ count: number }>(
        adminUrl,
        `SELECT count(*)::int AS count FROM pg_inherits WHERE inhparent = 'events'::regclass`,
      );
      expect(partitions[0]?.count).toBeGreaterThan(0);
    });

    it('should store batches as the collector, creating a missing partition through the owner', async () => {
      const writer = collector.get(EventBatchWriter);

      const recent = await writer.write(rowsAt(new Date(), 200, 1));
      const old = await writer.write(rowsAt(new Date(Date.UTC(1971, 0, 1, 12)), 50, 2));

      expect(recent).toEqual({ inserted: 200, duplicates: 0, conflicting: [] });
      expect(old).toEqual({ inserted: 50, duplicates: 0, conflicting: [] });
      const made = await query<{ relname: string; owner: string }>(
        adminUrl,
        `SELECT relname, relowner::regrole::text AS owner FROM pg_class WHERE relname LIKE '%\\_d19710101' ORDER BY 1`,
      );
      expect(made).toEqual([
        { relname: 'demographic_events_d19710101', owner: DATABASE_ROLES.owner },
        { relname: 'events_d19710101', owner: DATABASE_ROLES.owner },
      ]);
    });

    it('should fold ingestion records as the collector, once each', async () => {
      const writer = collector.get(IngestionCountsWriter);
      const record = { msgId: 'roles-1', receivedAt: new Date().toISOString(), reason: '', count: 7 };
      const rows = [{ ...record, source: 'facebook', outcome: 'accepted' }];

      expect(await writer.fold(rows)).toBe(1);
      expect(await writer.fold(rows)).toBe(0);
      expect(
        await query<{ count: string }>(adminUrl, 'SELECT sum(count) AS count FROM ingestion_counts_minute'),
      ).toEqual([{ count: '7' }]);
    });

    it('should refuse the collector whatever it does not need (SQLSTATE 42501)', async () => {
      const statements = [
        'DELETE FROM events',
        'UPDATE events SET user_name = NULL',
        'TRUNCATE events',
        'DROP TABLE events',
        `CREATE TABLE events_d20990101 PARTITION OF events FOR VALUES FROM ('2099-01-01') TO ('2099-01-02')`,
        'ALTER TABLE events DETACH PARTITION events_d19710101',
        'SELECT count(*) FROM events_d19710101',
        'DELETE FROM event_counts_minute',
        'SELECT count(*) FROM demographic_pending',
        'DELETE FROM demographic_pending',
        'SELECT count(*) FROM demographic_users',
        `INSERT INTO demographic_users (chain, user_id, first_at, first_event_id)
         VALUES (1, gen_random_uuid(), now(), gen_random_uuid())`,
        'UPDATE storage_horizons SET dropped_before = now()',
        'DELETE FROM ingestion_records_seen',
        'DELETE FROM ingestion_counts_minute',
      ];
      expect(await outcomesOf(collectorPool, statements)).toEqual(everyOutcome(statements, '42501'));
    });

    it('should let the reporter read a report, and refuse INSERT INTO events even in a read-write transaction', async () => {
      const client = await reporterPool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const { rows } = await client.query<{ minutes: number; stored: number; queued: number; horizons: number }>(
          `WITH ${demographicDeltaCtes('demographic_pending')}
           SELECT (SELECT sum(events)::int FROM event_counts_minute) AS minutes,
             (SELECT count(*)::int FROM events WHERE occurred_at >= now() - interval '1 day') AS stored,
             (SELECT count(*)::int FROM queued_events) AS queued,
             (SELECT count(*)::int FROM storage_horizons) AS horizons`,
        );
        await client.query('COMMIT');
        expect(rows[0]).toEqual({ minutes: 250, stored: 200, queued: 250, horizons: 0 });

        // Read-only by default (the role's setting), so the INSERT is refused before its privileges are checked.
        expect(await outcomeOf(reporterPool, 'INSERT INTO events (event_id) VALUES (gen_random_uuid())')).toBe('25006');
        await client.query('BEGIN READ WRITE');
        const refused = await client.query('INSERT INTO events (event_id) VALUES (gen_random_uuid())').then(
          () => 'ok',
          (error: { code?: string }) => error.code,
        );
        await client.query('ROLLBACK');
        expect(refused).toBe('42501');
      } finally {
        client.release();
      }
      // Default privileges: partitions made later by the owner are readable on their own.
      expect(await outcomeOf(reporterPool, 'SELECT count(*) FROM events_d19710101')).toBe('ok');
    });

    it('should let the indexer fold the queue into the read model and refuse it anything else', async () => {
      const folded = await reporter.get(DemographicsIndexer).drain(10);

      expect(folded).toBe(250);
      const model = await query<{ links: number; pending: number }>(
        adminUrl,
        `SELECT (SELECT count(*)::int FROM demographic_events) + (SELECT count(*)::int FROM demographic_users) AS links,
           (SELECT count(*)::int FROM demographic_pending) AS pending`,
      );
      expect(model[0]?.links).toBeGreaterThanOrEqual(250);
      expect(model[0]?.pending).toBe(0);
      const statements = [
        'INSERT INTO events (event_id) VALUES (gen_random_uuid())',
        'DELETE FROM events',
        'UPDATE event_counts_minute SET events = 0',
        'TRUNCATE demographic_events',
        'DROP TABLE demographic_users',
      ];
      expect(await outcomesOf(indexerPool, statements)).toEqual(everyOutcome(statements, '42501'));
    });

    it('should let Grafana read the tables the owner created', async () => {
      const rows = await query<{ count: number }>(
        urlAs(adminUrl, GRAFANA_READER, 'grafana-secret'),
        'SELECT count(*)::int AS count FROM events',
      );
      expect(rows[0]?.count).toBe(250);
    });

    it("should let postgres_exporter's role read table statistics and sizes, and no row", async () => {
      const monitorUrl = urlAs(adminUrl, 'evp_monitor', 'monitor-secret');
      const stats = await query<{ size: string; settings: number }>(
        monitorUrl,
        `SELECT pg_table_size(relid)::text AS size, (SELECT count(*)::int FROM pg_settings WHERE name = 'max_connections') AS settings
         FROM pg_stat_user_tables WHERE relname = 'event_counts_minute'`,
      );
      expect(Number(stats[0]?.size)).toBeGreaterThan(0);
      expect(stats[0]?.settings).toBe(1);
      await expect(query(monitorUrl, 'SELECT count(*) FROM events')).rejects.toMatchObject({ code: '42501' });
    });

    it('should drop expired partitions and ingestion record ids through the owner', async () => {
      await query(adminUrl, `UPDATE ingestion_records_seen SET seen_at = now() - interval '8 days'`);
      const result = await collector.get(StorageMaintenance).pass();

      expect(result?.dropped.sort()).toEqual(['demographic_events_d19710101', 'events_d19710101']);
      expect(await query(adminUrl, 'SELECT msg_id FROM ingestion_records_seen')).toEqual([]);
    });
  });

  describe('when provisioning runs again, from the CLI', () => {
    it('should change nothing but the passwords', async () => {
      const before = await securityState(adminUrl);

      const { stdout } = await run(join(repoRoot, 'node_modules/.bin/tsx'), [ROLES_CLI, '--database-url', adminUrl], {
        env: { ...process.env, ...PASSWORD_ENV },
      });

      expect(stdout).toContain('created: none');
      expect(stdout).toContain(`passwords set: ${Object.values(DATABASE_ROLES).join(', ')}`);
      expect(stdout).toContain('grant statements: none');
      expect(await securityState(adminUrl)).toEqual(before);
    });
  });

  describe('when the database was migrated by the superuser before the roles existed', () => {
    it('should hand every relation to the owner, after which the services start as their roles', async () => {
      const url = withDatabase(adminUrl, 'evp_before_roles');
      await query(adminUrl, 'CREATE DATABASE evp_before_roles');
      await runMigrations({ url });
      const superuserPool = createDatabasePool({ url, poolSize: 2, connectTimeoutMs: 5_000 });
      try {
        await new PartitionManager(superuserPool, DEFAULT_PARTITION_SETTINGS).ensureAroundNow();
        await new EventBatchWriter(superuserPool).write(rowsAt(new Date(), 20, 3));
      } finally {
        await superuserPool.end();
      }
      expect(await foreignOwned(url)).toContain('events');

      const result = await provisionRoles(url, PASSWORDS);

      expect(result.created).toEqual([]);
      expect(result.ownershipMoved).toEqual(
        expect.arrayContaining(['events', 'demographic_events', '_prisma_migrations', 'events_as_received']),
      );
      expect(result.ownershipMoved.some((name) => name.startsWith('events_d'))).toBe(true);
      expect(await foreignOwned(url)).toEqual([]);
      const app = await appContext(
        DatabaseModule.forRoot({
          url: urlAs(url, DATABASE_ROLES.collector, PASSWORDS.collector),
          ownerUrl: urlAs(url, DATABASE_ROLES.owner, PASSWORDS.owner),
          migrateOnStart: true,
          maintainStorage: true,
        }),
      );
      apps.push(app);
      expect(await app.get(EventBatchWriter).write(rowsAt(new Date(), 20, 4))).toMatchObject({ inserted: 20 });
    });
  });

  describe('when the server asks for passwords', () => {
    it('should accept each role with the password provisioning gave it, and refuse any other', async () => {
      // The superuser keeps trust, as the test's admin connections need; every other role must present its password.
      writeFileSync(
        join(postgres.dataDir, 'pg_hba.conf'),
        'local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n',
      );
      await query(adminUrl, 'SELECT pg_reload_conf()');
      const collectorUrl = (password: string) => urlAs(adminUrl, DATABASE_ROLES.collector, password);
      const attempt = (url: string) =>
        query(url, 'SELECT 1').then(
          () => 'ok',
          (error: { code?: string }) => error.code,
        );
      // The server reloads its configuration asynchronously.
      for (let tries = 0; (await attempt(collectorUrl('wrong'))) === 'ok' && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      expect(await attempt(collectorUrl('wrong'))).toBe('28P01');
      expect(await attempt(collectorUrl(PASSWORDS.collector))).toBe('ok');
      await provisionRoles(adminUrl, { collector: 'rotated-secret' });
      expect(await attempt(collectorUrl(PASSWORDS.collector))).toBe('28P01');
      expect(await attempt(collectorUrl('rotated-secret'))).toBe('ok');
      expect(await attempt(urlAs(adminUrl, DATABASE_ROLES.reporter, PASSWORDS.reporter))).toBe('ok');
    });
  });
});

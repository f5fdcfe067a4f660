import { type DynamicModule, Global, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  DATABASE_POOL,
  DatabaseModule,
  type DatabaseModuleOptions,
  EventBatchWriter,
  PrismaService,
  runMigrations,
} from '@evp/database';
import { ReadinessRegistry } from '@evp/observability';
import {
  createTestDatabase,
  eventRowOf,
  startPrivatePostgres,
  type PrivatePostgres,
  type TestDatabase,
} from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { Client, type Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** The advisory lock `prisma migrate deploy` holds while it works. */
const PRISMA_MIGRATION_LOCK = 72707369;

/** Stands in for ObservabilityModule: the registry the database module registers its check in. */
@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class ReadinessTestModule {}

function appContext(database: DynamicModule): Promise<INestApplicationContext> {
  @Module({ imports: [ReadinessTestModule, database] })
  class RootModule {}
  // abortOnError false: a failing start-up must reject here, not abort the test process.
  return NestFactory.createApplicationContext(RootModule, { logger: false, abortOnError: false });
}

async function appliedMigrations(
  url: string,
): Promise<{ migration_name: string; finished: boolean; rolled_back: boolean }[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
      `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
       FROM _prisma_migrations ORDER BY migration_name`,
    );
    return result.rows;
  } finally {
    await client.end();
  }
}

describe(DatabaseModule, () => {
  const databases: TestDatabase[] = [];
  const apps: INestApplicationContext[] = [];

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await Promise.all(databases.splice(0).map((database) => database.drop()));
  });

  describe('when two instances with migrateOnStart start at once on a fresh database', () => {
    it('should apply each migration exactly once and start both', async () => {
      const database = await createTestDatabase({ migrate: false });
      databases.push(database);
      const options: DatabaseModuleOptions = { url: database.url, migrateOnStart: true };

      apps.push(
        ...(await Promise.all([
          appContext(DatabaseModule.forRoot(options)),
          appContext(DatabaseModule.forRoot(options)),
        ])),
      );

      const applied = await appliedMigrations(database.url);
      expect(applied.length).toBeGreaterThan(0);
      expect(new Set(applied.map((row) => row.migration_name)).size).toBe(applied.length);
      expect(applied.every((row) => row.finished && !row.rolled_back)).toBe(true);
      for (const app of apps) {
        const result = await app
          .get(EventBatchWriter)
          .write([eventRowOf(new EventGenerator({ seed: apps.indexOf(app) }).next())]);
        expect(result.inserted).toBe(1);
      }
    });
  });

  describe('when configured asynchronously', () => {
    it('should connect Prisma and the writer to the same pool and close it on shutdown', async () => {
      const database = await createTestDatabase();
      databases.push(database);
      const app = await appContext(
        DatabaseModule.forRootAsync({ useFactory: () => Promise.resolve({ url: database.url, poolSize: 2 }) }),
      );

      const prisma = app.get(PrismaService);
      await app.get(EventBatchWriter).write([eventRowOf(new EventGenerator({ seed: 3 }).next())]);
      expect(await prisma.event.count()).toBe(1);
      expect(prisma.pool).toBe(app.get<Pool>(DATABASE_POOL));

      await app.close();
      expect(prisma.pool.ended).toBe(true);
    });
  });

  describe('when the options are invalid', () => {
    it('should refuse to start and name the bad option', async () => {
      await expect(appContext(DatabaseModule.forRoot({ url: 'http://localhost/evp', poolSize: -1 }))).rejects.toThrow(
        /url.*poolSize/s,
      );
    });
  });
});

describe(runMigrations, () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });

  afterAll(async () => {
    await database?.drop();
  });

  describe('when run twice at once on an empty database and then again', () => {
    it('should apply the migrations once and then find nothing pending', async () => {
      const results = await Promise.all([runMigrations({ url: database.url }), runMigrations({ url: database.url })]);
      const applied = await appliedMigrations(database.url);

      expect(results.flatMap((result) => result.applied).sort()).toEqual(applied.map((row) => row.migration_name));
      expect(applied.every((row) => row.finished && !row.rolled_back)).toBe(true);
      expect(await runMigrations({ url: database.url })).toEqual({ applied: [], summary: 'no pending migrations' });
    });
  });

  describe('when the database is up to date and another instance holds the migration lock', () => {
    it('should start without waiting for the lock', async () => {
      const holder = new Client({ connectionString: database.url });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATION_LOCK]);
        // The CLI would wait for the lock, give up after 10 s and be retried until this timeout.
        const result = await runMigrations({ url: database.url, timeoutMs: 15_000 });
        expect(result).toEqual({ applied: [], summary: 'no pending migrations' });
      } finally {
        await holder.end();
      }
    });
  });

  describe('when a migration is not recorded as applied', () => {
    it('should run the CLI and apply that migration', async () => {
      const applied = await appliedMigrations(database.url);
      // One that only drops indexes if they exist, so applying it again changes nothing.
      const pending = '20261122043000_drop_user_order_indexes';
      expect(applied.map((migration) => migration.migration_name)).toContain(pending);
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('DELETE FROM _prisma_migrations WHERE migration_name = $1', [pending]);
      } finally {
        await client.end();
      }

      expect(await runMigrations({ url: database.url })).toEqual({ applied: [pending], summary: `applied ${pending}` });
      expect(await appliedMigrations(database.url)).toHaveLength(applied.length);
    });
  });
});

describe('database readiness', () => {
  let postgres: PrivatePostgres;
  let app: INestApplicationContext;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    app = await appContext(
      DatabaseModule.forRoot({ url: postgres.url, readinessTimeoutMs: 1_000, connectTimeoutMs: 1_000 }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await postgres?.destroy();
  });

  describe('when the database stops and comes back', () => {
    it('should report down naming the database, then up again, and the writer should work again', async () => {
      const registry = app.get(ReadinessRegistry);
      const writer = app.get(EventBatchWriter);
      const generator = new EventGenerator({ seed: 4 });
      expect(registry.names()).toContain('database');
      expect(await registry.run('database')).toEqual({ up: true });
      await writer.write([eventRowOf(generator.next())]);

      await postgres.stop();
      const down = await registry.run('database');
      expect(down.up).toBe(false);
      expect(down.message).toContain(`database "evp" on 127.0.0.1:${postgres.port}`);
      await expect(writer.write([eventRowOf(generator.next())])).rejects.toMatchObject({ retryable: true });

      await postgres.start();
      expect(await registry.run('database')).toEqual({ up: true });
      expect(await writer.write([eventRowOf(generator.next())])).toEqual({
        inserted: 1,
        duplicates: 0,
        conflicting: [],
      });
    });
  });

  describe('when the database is killed', () => {
    it('should report down and recover after a restart', async () => {
      const registry = app.get(ReadinessRegistry);
      await postgres.kill();
      expect((await registry.run('database')).up).toBe(false);

      await postgres.start();
      expect(await registry.run('database')).toEqual({ up: true });
      expect(await app.get(PrismaService).event.count()).toBe(2);
    });
  });
});

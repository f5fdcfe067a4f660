import { createDatabasePool, seedEvents } from '@evp/database';
import { ServiceProcess, type TestDatabase, buildServicesOnce, createTestDatabase } from '@evp/testing';
import fc from 'fast-check';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileReportQuery } from './support/hostile-query.arbitrary';

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const CANARY_ROWS = 3;

interface DatabaseState {
  events: number;
  canary: number;
  tables: number;
}

describe('reporter under hostile query parameters', () => {
  let database: TestDatabase;
  let pool: Pool;
  let reporter: ServiceProcess;
  let before: DatabaseState;

  const state = async (): Promise<DatabaseState> => {
    const { rows } = await pool.query<{ events: string; canary: string; tables: string }>(`
      SELECT (SELECT count(*) FROM events) AS events,
             (SELECT count(*) FROM canary) AS canary,
             (SELECT count(*) FROM pg_tables WHERE schemaname = 'public') AS tables`);
    const row = rows[0];
    return { events: Number(row?.events), canary: Number(row?.canary), tables: Number(row?.tables) };
  };

  beforeAll(async () => {
    buildServicesOnce();
    database = await createTestDatabase();
    // The service's own pool factory: a connection cut when the database is dropped is logged, not an uncaught error.
    pool = createDatabasePool({ url: database.url, poolSize: 2, connectTimeoutMs: 5_000 });
    await seedEvents(pool, { events: 5_000, days: 3, seed: 21 });
    // A table no report reads: an injected statement that touched anything would most likely touch this too.
    await pool.query('CREATE TABLE canary (id int PRIMARY KEY)');
    await pool.query('INSERT INTO canary SELECT generate_series(1, $1::int)', [CANARY_ROWS]);
    before = await state();
    reporter = await ServiceProcess.start('reporter', {
      env: { DATABASE_URL: database.url, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn' },
    });
  });

  afterAll(async () => {
    await reporter?.kill();
    await pool?.end();
    await database?.drop();
  });

  describe('when fuzzed query strings arrive (injection strings, overflowing dates, repeated and unknown parameters)', () => {
    const statuses = new Map<number, number>();

    beforeAll(async () => {
      await fc.assert(
        fc.asyncProperty(hostileReportQuery(), async ({ path, query }) => {
          const response = await fetch(`${reporter.url}${path}?${query}`);
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          return response.status < 500;
        }),
        { numRuns: RUNS, seed: Number(process.env.HOSTILE_SEED ?? 10) },
      );
    }, 120_000);

    it('should never answer a 5xx', () => {
      expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    });

    it('should answer some with 400 and some with 200', () => {
      expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
      expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    });

    it('should leave the stored events, the canary table and the table list unchanged', async () => {
      expect(await state()).toEqual({ ...before, canary: CANARY_ROWS });
    });

    it('should stay alive and ready', async () => {
      expect((await fetch(`${reporter.url}/health/readiness`)).status).toBe(200);
    });
  });
});

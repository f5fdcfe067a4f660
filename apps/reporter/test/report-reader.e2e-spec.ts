import { EventBatchWriter, Prisma, createDatabasePool } from '@evp/database';
import { type TestDatabase, createTestDatabase, eventRowOf } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { type Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportReader } from '../src/query/report.reader';
import { ReportUnavailableError } from '../src/query/report-unavailable.error';
import { loadReporterConfig } from '../src/reporter.config';

interface ProbeRow {
  pid: number;
  events: string;
}

const PROBE = Prisma.sql`SELECT pg_backend_pid() AS pid, (SELECT count(*) FROM events) AS events FROM pg_sleep(0.3)`;

describe(ReportReader, () => {
  let database: TestDatabase;
  let pool: Pool;
  const generator = new EventGenerator({ seed: 3 });

  const reader = (env: Record<string, string> = {}) =>
    new ReportReader(pool, loadReporterConfig({ REPORT_POOL_SIZE: '4', ...env }));
  const busyConnections = () => pool.totalCount - pool.idleCount;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createDatabasePool({ url: database.url, poolSize: 4, connectTimeoutMs: 5_000 });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  describe('when a report issues statements together', () => {
    it('should run them on several connections that all see the same snapshot', async () => {
      const writer = new EventBatchWriter(pool);
      await writer.write([eventRowOf(generator.next())]);
      const rows = await reader().snapshot(
        async (run) => {
          const [first] = await run<ProbeRow>(PROBE);
          // Stored after the snapshot was taken: no statement of the report may see it.
          await writer.write([eventRowOf(generator.next())]);
          const parallel = await Promise.all([run<ProbeRow>(PROBE), run<ProbeRow>(PROBE), run<ProbeRow>(PROBE)]);
          return [first!, ...parallel.map(([row]) => row!)];
        },
        { connections: 3 },
      );
      expect(rows.map((row) => row.events)).toEqual(['1', '1', '1', '1']);
      expect(new Set(rows.slice(1).map((row) => row.pid)).size).toBe(3);
      const [after] = await reader().snapshot((run) => run<ProbeRow>(PROBE));
      expect(after!.events).toBe('2');
      expect(busyConnections()).toBe(0);
    });
  });

  describe('when the pool has no room for more connections', () => {
    it('should run the statements one after another on its own connection', async () => {
      const single = createDatabasePool({ url: database.url, poolSize: 1, connectTimeoutMs: 5_000 });
      try {
        const rows = await new ReportReader(single, loadReporterConfig({ REPORT_POOL_SIZE: '1' })).snapshot(
          (run) => Promise.all([run<ProbeRow>(PROBE), run<ProbeRow>(PROBE)]),
          { connections: 3 },
        );
        expect(new Set(rows.map(([row]) => row!.pid)).size).toBe(1);
      } finally {
        await single.end();
      }
    });
  });

  describe('when a statement fails', () => {
    it('should answer a typed error and give every connection back', async () => {
      const failing = reader().snapshot(
        (run) => Promise.all([run(PROBE), run(Prisma.sql`SELECT * FROM no_such_table`), run(PROBE)]),
        { connections: 3 },
      );
      await expect(failing).rejects.toMatchObject({ name: 'ReportUnavailableError', code: 'REPORTER.QUERY_FAILED' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(busyConnections()).toBe(0);
    });
  });

  describe('when a statement runs past REPORT_STATEMENT_TIMEOUT_MS', () => {
    it('should cancel it and answer 503', async () => {
      const error: unknown = await reader({ REPORT_STATEMENT_TIMEOUT_MS: '100' })
        .snapshot((run) => run(Prisma.sql`SELECT pg_sleep(2)`))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ReportUnavailableError);
      expect(error).toMatchObject({ code: 'REPORTER.QUERY_TIMEOUT' });
      expect((error as ReportUnavailableError).getStatus()).toBe(503);
      expect(busyConnections()).toBe(0);
    });
  });

  describe('when every statement is short but the report runs past REPORT_STATEMENT_TIMEOUT_MS', () => {
    it('should cancel it at the deadline of the whole report', async () => {
      const finished: number[] = [];
      const started = performance.now();
      const error: unknown = await reader({ REPORT_STATEMENT_TIMEOUT_MS: '600' })
        .snapshot(async (run) => {
          for (let statement = 1; statement <= 5; statement++) {
            await run(Prisma.sql`SELECT pg_sleep(0.25)`);
            finished.push(statement);
          }
        })
        .catch((caught: unknown) => caught);
      const elapsedMs = performance.now() - started;
      expect(error).toMatchObject({ code: 'REPORTER.QUERY_TIMEOUT', reason: 'deadline' });
      expect(finished).toEqual([1, 2]);
      expect(elapsedMs).toBeGreaterThanOrEqual(570);
      expect(elapsedMs).toBeLessThan(900);
      expect(busyConnections()).toBe(0);
    });
  });
});

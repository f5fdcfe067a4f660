import { type PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportReader } from '../src/query/report.reader';
import { expectedEventsReport, expectedRevenueReport } from './support/expected-reports';
import { HOUR, T0, buildReportDataset } from './support/report-dataset';
import { metricValue } from './support/metric-value';
import { type ReporterFixture, startReporterFixture } from './support/reporter.fixture';

const DEADLINE_MS = 2_000;
const RETRY_AFTER_SECONDS = 2;
const TOP_CAMPAIGNS = 3;
/** Whole hours: each of the three reports reads the hourly rollups, and nothing else first. */
const RANGE = { from: T0, to: T0 + 3 * HOUR };
const ROLLUPS = ['event_counts_hour', 'revenue_hour'];

type Report = 'events' | 'revenue' | 'demographics';

describe(ReportReader, () => {
  let fixture: ReporterFixture;

  beforeAll(async () => {
    fixture = await startReporterFixture(buildReportDataset(200, 23), {
      REPORT_STATEMENT_TIMEOUT_MS: String(DEADLINE_MS),
      REPORT_MAX_CONCURRENT: '1',
      REPORT_MAX_QUEUED: '0',
      REPORT_RETRY_AFTER_SECONDS: String(RETRY_AFTER_SECONDS),
      REPORT_TOP_CAMPAIGNS: String(TOP_CAMPAIGNS),
      // The indexer would take the fixture's second connection now and then; the reports are exact without it.
      DEMOGRAPHICS_INDEXER: 'false',
    });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  const unavailable = async (report: Report, reason: 'deadline' | 'busy') =>
    metricValue(String((await fixture.get('/metrics')).body), 'reporter_reports_unavailable_total', {
      report,
      reason,
    });

  /**
   * Makes every report wait: a test transaction holds the hourly rollups in ACCESS EXCLUSIVE mode, which a report's
   * read waits for, until the returned function ends the transaction.
   */
  async function holdRollups(): Promise<() => Promise<void>> {
    const client: PoolClient = await fixture.pool.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${ROLLUPS.join(', ')} IN ACCESS EXCLUSIVE MODE`);
    return async () => {
      await client.query('ROLLBACK');
      client.release();
    };
  }

  /** Resolves once a report waits for the rollups' lock: it is then in flight, holding its place. */
  async function reportWaiting(): Promise<void> {
    await expect
      .poll(
        async () => {
          const { rows } = await fixture.pool.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted AND relation = ANY($1::regclass[])`,
            [ROLLUPS],
          );
          return rows[0]!.waiting;
        },
        { timeout: DEADLINE_MS / 2, interval: 20 },
      )
      .toBeGreaterThan(0);
  }

  describe('when a report cannot finish by its deadline', () => {
    it.each(['events', 'revenue', 'demographics'] as const)(
      'should cancel the %s report at the deadline and answer 503 with Retry-After',
      async (report) => {
        const before = await unavailable(report, 'deadline');
        const release = await holdRollups();
        let answer: Awaited<ReturnType<ReporterFixture['get']>>;
        const started = performance.now();
        try {
          answer = await fixture.get(`/reports/${report}`, RANGE);
        } finally {
          await release();
        }
        const elapsedMs = performance.now() - started;
        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
        expect(answer.body).toEqual({
          error: 'Service Unavailable',
          message: `the report did not finish within its ${DEADLINE_MS} ms deadline (REPORT_STATEMENT_TIMEOUT_MS) and was cancelled: retry in ${RETRY_AFTER_SECONDS} s, or ask for a narrower range`,
        });
        expect(elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS * 0.95);
        expect(elapsedMs).toBeLessThan(DEADLINE_MS + 1_000);
        expect(await unavailable(report, 'deadline')).toBe(before + 1);
        expect((await fixture.get(`/reports/${report}`, RANGE)).status).toBe(200);
      },
    );
  });

  describe('when every place for a report is taken', () => {
    it('should refuse another report at once with 503 busy and Retry-After, then serve both', async () => {
      const before = await unavailable('revenue', 'busy');
      const release = await holdRollups();
      let first: ReturnType<ReporterFixture['get']> | undefined;
      try {
        first = fixture.get('/reports/events', RANGE);
        await reportWaiting();
        const started = performance.now();
        const second = await fixture.get('/reports/revenue', RANGE);
        expect(performance.now() - started).toBeLessThan(DEADLINE_MS / 4);
        expect(second.status).toBe(503);
        expect(second.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
        expect(second.body).toEqual({
          error: 'Service Unavailable',
          message: `every place for a report is taken (1 computed at once, 0 waiting): retry in ${RETRY_AFTER_SECONDS} s`,
        });
      } finally {
        await release();
      }
      const answered = await first;
      expect(answered.status).toBe(200);
      expect(answered.body).toEqual(expectedEventsReport(fixture.events, RANGE));
      const again = await fixture.get('/reports/revenue', RANGE);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(expectedRevenueReport(fixture.events, RANGE, TOP_CAMPAIGNS));
      expect(await unavailable('revenue', 'busy')).toBe(before + 1);
    });
  });
});

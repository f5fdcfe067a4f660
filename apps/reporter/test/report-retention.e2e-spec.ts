import { PartitionManager, type RetentionResult } from '@evp/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DemographicsQuery,
  type EventsQuery,
  type RangeQuery,
  type RevenueQuery,
  expectedDemographicsReport,
  expectedEventsReport,
  expectedRevenueReport,
} from './support/expected-reports';
import { DAY, HOUR, MINUTE, T0, buildReportDataset } from './support/report-dataset';
import { describeRange } from './support/report-ranges';
import { type QueryValues, type ReporterFixture, startReporterFixture } from './support/reporter.fixture';

const LIMITS = { countries: 4, cities: 5, campaigns: 5 };
/** Retention of one day run two days after T0: the dataset's first two day partitions go, the third stays. */
const RETENTION_DAYS = 1;
const NOW = new Date(T0 + 2 * DAY);
const HORIZON = T0 + DAY;

type Report = 'events' | 'revenue' | 'demographics';
type Query = EventsQuery | RevenueQuery | DemographicsQuery;

interface Answer {
  status: number;
  body: unknown;
}

/** Whole-minute ranges entirely before the horizon: every figure comes from the rollups, which retention keeps. */
const ROLLUP_RANGES = [
  { from: T0 - 2 * HOUR, to: HORIZON },
  { to: HORIZON },
  { from: T0, to: T0 + HOUR },
  { from: T0 + 7 * MINUTE, to: T0 + 3 * HOUR + 5 * MINUTE },
  { from: T0 - HOUR, to: T0 + MINUTE },
];

/** Ranges before the horizon with a sub-minute bound there, which only the dropped events could answer. */
const LOST_EDGES: { range: RangeQuery; parameter: 'from' | 'to' }[] = [
  { range: { from: T0 + 10 * MINUTE + 30_000, to: T0 + 3 * HOUR }, parameter: 'from' },
  { range: { from: T0, to: T0 + HOUR + 1 }, parameter: 'to' },
  { range: { to: T0 + HOUR - 1 }, parameter: 'to' },
  { range: { from: T0 + 1, to: T0 + MINUTE - 1 }, parameter: 'from' },
  { range: { from: HORIZON - 1, to: HORIZON + HOUR }, parameter: 'from' },
];

/** Bounded demographics ranges reaching before the horizon: users come from the per-event chains retention drops. */
const LOST_USER_RANGES = [
  { from: T0, to: HORIZON + HOUR },
  { from: T0 - 2 * HOUR, to: T0 + HOUR },
  { from: HORIZON - 1, to: HORIZON + 1 },
  { to: HORIZON + DAY },
];

/** Demographics ranges at or after the horizon, whose events (and their users' earlier events) are kept. */
const KEPT_USER_RANGES = [
  { from: HORIZON, to: HORIZON + DAY },
  { from: HORIZON },
  { from: HORIZON + 1, to: HORIZON + 59 * MINUTE + 59_999 },
  { from: HORIZON + HOUR - 1, to: HORIZON + 3 * HOUR + 30_000 },
];

const SOURCES_FILTERS = [{}, { source: 'facebook' as const }, { source: 'tiktok' as const }];

const EVENTS_QUERIES: EventsQuery[] = [
  ...ROLLUP_RANGES.flatMap((range) => [
    range,
    { ...range, source: 'tiktok' as const, funnelStage: 'bottom' as const },
    { ...range, eventType: 'checkout.complete' },
  ]),
  { from: T0 - 2 * HOUR, to: HORIZON, interval: 'hour' },
  { from: T0, to: T0 + 3 * HOUR, interval: 'minute', source: 'facebook' },
  { from: T0 - 2 * HOUR, to: HORIZON + DAY, interval: 'day' },
  // Across the horizon with a sub-minute end after it: that edge reads events that are still stored.
  { from: T0 + HOUR, to: HORIZON + 59 * MINUTE + 59_999 },
];

const REVENUE_QUERIES: RevenueQuery[] = ROLLUP_RANGES.flatMap((range) => [
  range,
  { ...range, source: 'tiktok' as const },
  { ...range, campaignId: 'camp-A' },
]);

const DEMOGRAPHICS_QUERIES: DemographicsQuery[] = [{}, ...KEPT_USER_RANGES].flatMap((range) =>
  SOURCES_FILTERS.map((filters) => ({ ...range, ...filters })),
);

const keyOf = (report: Report, query: Query) => `${report} ${JSON.stringify(query)}`;

describe('reporter after retention', () => {
  let fixture: ReporterFixture;
  let retention: RetentionResult;
  const before = new Map<string, Answer>();

  const ask = (report: Report, query: Query) => fixture.get(`/reports/${report}`, query as QueryValues);

  beforeAll(async () => {
    fixture = await startReporterFixture(buildReportDataset(), {
      DEMOGRAPHICS_INDEXER: 'false',
      REPORT_TOP_COUNTRIES: String(LIMITS.countries),
      REPORT_TOP_CITIES: String(LIMITS.cities),
      REPORT_TOP_CAMPAIGNS: String(LIMITS.campaigns),
    });
    // Retention drops days-old partitions, whose events the indexer folded in long before.
    await fixture.indexer.drain(4);
    const queries: [Report, Query][] = [
      ...EVENTS_QUERIES.map((query): [Report, Query] => ['events', query]),
      ...LOST_EDGES.map(({ range }): [Report, Query] => ['events', range]),
      ...REVENUE_QUERIES.map((query): [Report, Query] => ['revenue', query]),
      ...LOST_EDGES.map(({ range }): [Report, Query] => ['revenue', range]),
      ...DEMOGRAPHICS_QUERIES.map((query): [Report, Query] => ['demographics', query]),
      ...LOST_USER_RANGES.map((range): [Report, Query] => ['demographics', range]),
    ];
    for (const [report, query] of queries) before.set(keyOf(report, query), await ask(report, query));
    retention = await new PartitionManager(fixture.pool, {
      interval: 'day',
      ahead: 1,
      retentionDays: RETENTION_DAYS,
    }).dropExpired(NOW);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  /** The answer before the drop: a 200, as computed the plain way over every event. */
  function answeredBefore(report: Report, query: Query): unknown {
    const answer = before.get(keyOf(report, query));
    expect(answer?.status, `${keyOf(report, query)} before the drop: ${JSON.stringify(answer?.body)}`).toBe(200);
    return answer?.body;
  }

  async function expectUnchanged(report: Report, query: Query, expected: unknown): Promise<void> {
    const { status, body } = await ask(report, query);
    const label = `${keyOf(report, query)} over ${describeRange(query)}`;
    expect(status, `${label}: ${JSON.stringify(body)}`).toBe(200);
    expect(answeredBefore(report, query), label).toEqual(expected);
    expect(body, label).toEqual(expected);
  }

  async function expectRefused(report: Report, query: Query, parameter: 'from' | 'to'): Promise<void> {
    answeredBefore(report, query);
    const { status, body } = await ask(report, query);
    const label = `${keyOf(report, query)} over ${describeRange(query)}`;
    expect(status, `${label}: ${JSON.stringify(body)}`).toBe(400);
    const answer = body as { error: string; message: string; issues: { parameter: string; message: string }[] };
    expect(answer.error, label).toBe('Bad Request');
    expect(
      answer.issues.map((issue) => issue.parameter),
      label,
    ).toEqual([parameter]);
    expect(answer.message, label).toContain(parameter);
    expect(answer.message, label).toContain(new Date(HORIZON).toISOString());
  }

  describe('when retention has dropped the partitions before the horizon', () => {
    it('should have dropped the first two days of both partitioned tables and nothing after them', async () => {
      expect([...retention.dropped].sort()).toEqual([
        'demographic_events_d20260309',
        'demographic_events_d20260310',
        'events_d20260309',
        'events_d20260310',
      ]);
      const [row] = (await fixture.pool.query<{ count: string }>('SELECT count(*) AS count FROM events')).rows;
      expect(Number(row?.count)).toBe(fixture.events.filter((event) => Date.parse(event.timestamp) >= HORIZON).length);
    });

    it('should answer events over whole minutes before the horizon as before, from the rollups', async () => {
      for (const query of EVENTS_QUERIES) {
        await expectUnchanged('events', query, expectedEventsReport(fixture.events, query));
      }
    });

    it('should answer revenue over whole minutes before the horizon as before, from the rollups', async () => {
      for (const query of REVENUE_QUERIES) {
        await expectUnchanged('revenue', query, expectedRevenueReport(fixture.events, query, LIMITS.campaigns));
      }
    });

    it.each(['events', 'revenue'] as const)(
      'should refuse %s over a sub-minute bound before the horizon with 400 naming that bound',
      async (report) => {
        for (const { range, parameter } of LOST_EDGES) await expectRefused(report, range, parameter);
      },
    );
  });

  describe('when demographics are asked for after retention', () => {
    it('should refuse a bounded range reaching before the horizon with 400 naming from', async () => {
      for (const range of LOST_USER_RANGES) await expectRefused('demographics', range, 'from');
    });

    it('should answer all time as before, from the counters kept for good', async () => {
      for (const filters of SOURCES_FILTERS) {
        await expectUnchanged('demographics', filters, expectedDemographicsReport(fixture.events, filters, LIMITS));
      }
    });

    it('should answer a bounded range after the horizon as before', async () => {
      for (const query of DEMOGRAPHICS_QUERIES.filter((candidate) => candidate.from !== undefined)) {
        await expectUnchanged('demographics', query, expectedDemographicsReport(fixture.events, query, LIMITS));
      }
    });
  });
});

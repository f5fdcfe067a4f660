import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsReport } from '../src/events/events.report';
import { eventsReportSchema } from '../src/events/events-report.schema';
import { type EventsQuery, expectedEventsReport } from './support/expected-reports';
import { DAY, HOUR, MINUTE, T0, buildReportDataset } from './support/report-dataset';
import { describeRange, reportRanges } from './support/report-ranges';
import { type ReporterFixture, startReporterFixture } from './support/reporter.fixture';

const FILTERS: EventsQuery[] = [
  {},
  { source: 'facebook' },
  { source: 'tiktok' },
  { funnelStage: 'top' },
  { funnelStage: 'bottom' },
  { source: 'facebook', funnelStage: 'bottom' },
  { eventType: 'comment' },
  { eventType: 'purchase' },
  { source: 'tiktok', funnelStage: 'top', eventType: 'video.view' },
  { source: 'facebook', eventType: 'checkout.complete' },
];

describe(EventsReport, () => {
  let fixture: ReporterFixture;

  beforeAll(async () => {
    fixture = await startReporterFixture(buildReportDataset());
  });

  afterAll(async () => {
    await fixture?.close();
  });

  async function check(query: EventsQuery): Promise<void> {
    const { status, body } = await fixture.get('/reports/events', query as Record<string, string | number | undefined>);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(eventsReportSchema.parse(body)).toEqual(body);
    expect(body, `${JSON.stringify(query)} over ${describeRange(query)}`).toEqual(
      expectedEventsReport(fixture.events, query),
    );
  }

  describe('when asked for counts', () => {
    it.each(FILTERS)(
      'should match the plain count of the stored events over every range with filters %j',
      async (filters) => {
        for (const range of reportRanges()) await check({ ...range, ...filters });
      },
    );

    it('should have stored duplicates once', async () => {
      const { body } = await fixture.get('/reports/events');
      expect((body as { total: number }).total).toBe(fixture.events.length);
    });
  });

  describe('when asked for a series', () => {
    it.each(['minute', 'hour', 'day'] as const)(
      'should count each %s bucket of ranges that cut buckets',
      async (interval) => {
        const ranges = [
          { from: T0 + 10 * MINUTE + 30_000, to: T0 + 3 * HOUR + 5 * MINUTE + 1 },
          { from: T0 - 1, to: T0 + HOUR + 1 },
          { from: T0 + DAY - 90 * MINUTE + 7, to: T0 + DAY + 2 * HOUR },
        ];
        for (const range of ranges) {
          await check({ ...range, interval });
          await check({ ...range, interval, source: 'tiktok', funnelStage: 'bottom' });
        }
      },
    );

    it.each(['minute', 'hour', 'day'] as const)(
      'should run from the first to the last stored event when the range is open (%s)',
      async (interval) => {
        await check({ interval });
        await check({ interval, from: T0 + 7 * MINUTE + 1 });
        await check({ interval, to: T0 + HOUR + 30_000, eventType: 'like' });
      },
    );

    it('should be empty when the range holds no events and is open on one side', async () => {
      const { body } = await fixture.get('/reports/events', { from: T0 + 10 * DAY, interval: 'hour' });
      expect(body).toMatchObject({ total: 0, series: [] });
    });

    it('should refuse more buckets than REPORT_MAX_SERIES_POINTS, naming interval', async () => {
      const { status, body } = await fixture.get('/reports/events', { from: T0, to: T0 + 8 * DAY, interval: 'minute' });
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'Bad Request', issues: [{ parameter: 'interval' }] });
    });
  });

  describe('when every event is delivered again', () => {
    it('should not change any figure', async () => {
      await fixture.write(fixture.events);
      for (const range of reportRanges().slice(0, 5)) {
        await check({ ...range });
        await check({ ...range, interval: 'hour', source: 'facebook' });
      }
    });
  });
});

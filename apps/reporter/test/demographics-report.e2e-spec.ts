import { eventKeyOf } from '@evp/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemographicsReport } from '../src/demographics/demographics.report';
import { demographicsReportSchema } from '../src/demographics/demographics-report.schema';
import { type DemographicsQuery, expectedDemographicsReport } from './support/expected-reports';
import { HOUR, MINUTE, T0, buildReportDataset } from './support/report-dataset';
import { describeRange, reportRanges } from './support/report-ranges';
import { type ReporterFixture, startReporterFixture } from './support/reporter.fixture';

const LIMITS = { countries: 4, cities: 5 };

describe(DemographicsReport, () => {
  let fixture: ReporterFixture;

  beforeAll(async () => {
    fixture = await startReporterFixture(buildReportDataset(), {
      REPORT_TOP_COUNTRIES: String(LIMITS.countries),
      REPORT_TOP_CITIES: String(LIMITS.cities),
    });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  async function check(query: DemographicsQuery): Promise<void> {
    const { status, body } = await fixture.get(
      '/reports/demographics',
      query as Record<string, string | number | undefined>,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    expect(demographicsReportSchema.parse(body)).toEqual(body);
    expect(body, `${JSON.stringify(query)} over ${describeRange(query)}`).toEqual(
      expectedDemographicsReport(fixture.events, query, LIMITS),
    );
  }

  describe('when asked for demographics', () => {
    it.each([{}, { source: 'facebook' as const }, { source: 'tiktok' as const }])(
      'should match the plain computation over every range with filters %j',
      async (filters) => {
        for (const range of reportRanges()) await check({ ...range, ...filters });
      },
    );

    it('should count a returning user once, with their earliest event', async () => {
      const returning = fixture.events.filter((event) => event.data.user.userId.startsWith('fb-user-'));
      expect(new Set(returning.map((event) => event.data.user.userId)).size).toBeLessThan(returning.length);
      const { body } = await fixture.get('/reports/demographics', { source: 'facebook' });
      const users = new Set(
        fixture.events.filter((event) => event.source === 'facebook').map((event) => event.data.user.userId),
      );
      expect((body as { facebook: { users: number } }).facebook.users).toBe(users.size);
    });

    it('should break a tie at the same instant by event key, not by id text', async () => {
      for (const source of ['facebook', 'tiktok'] as const) {
        // The dataset's user whose two ids are not canonical: their keys sort the other way round from their text.
        const ids = fixture.events
          .filter((event) => event.source === source && event.eventId.includes('-import-'))
          .map((event) => event.eventId)
          .sort((a, b) => (a < b ? -1 : 1));
        expect(ids).toHaveLength(2);
        const [smallerText, largerText] = ids as [string, string];
        expect(eventKeyOf(smallerText, source).key > eventKeyOf(largerText, source).key).toBe(true);
      }
      await check({ from: T0 + HOUR + MINUTE, to: T0 + HOUR + MINUTE + 1 });
    });

    it('should hold only the requested source', async () => {
      const { body } = await fixture.get('/reports/demographics', { source: 'tiktok' });
      expect(Object.keys(body as object).sort()).toEqual(['filters', 'tiktok']);
    });
  });

  describe('when nobody is in the range', () => {
    it('should answer zeros and nulls', async () => {
      await check({ from: Date.UTC(2030, 0, 1), to: Date.UTC(2030, 0, 2) });
    });
  });

  describe('when every event is delivered again', () => {
    it('should not change any figure', async () => {
      await fixture.write(fixture.events);
      for (const range of reportRanges().slice(0, 6)) await check(range);
    });
  });

  describe('when the demographics indexer lags behind the stored events', () => {
    let lagging: ReporterFixture;

    beforeAll(async () => {
      lagging = await startReporterFixture(buildReportDataset(), {
        DEMOGRAPHICS_INDEXER: 'false',
        REPORT_TOP_COUNTRIES: String(LIMITS.countries),
        REPORT_TOP_CITIES: String(LIMITS.cities),
      });
    });

    afterAll(async () => {
      await lagging?.close();
    });

    async function checkEveryRange(): Promise<void> {
      for (const filters of [{}, { source: 'facebook' as const }, { source: 'tiktok' as const }]) {
        for (const range of reportRanges()) {
          const query = { ...range, ...filters };
          const { status, body } = await lagging.get('/reports/demographics', query);
          expect(status, JSON.stringify(body)).toBe(200);
          expect(body, `${JSON.stringify(filters)} over ${describeRange(range)}`).toEqual(
            expectedDemographicsReport(lagging.events, query, LIMITS),
          );
        }
      }
    }

    it('should count the queued events exactly, before, while and after they are folded in', async () => {
      const queued = await lagging.indexer.pendingBatches();
      expect(queued).toBeGreaterThan(3);
      await checkEveryRange();
      await lagging.indexer.step(Math.floor(queued / 3));
      expect(await lagging.indexer.pendingBatches()).toBeLessThan(queued);
      await checkEveryRange();
      await lagging.indexer.drain(2);
      expect(await lagging.indexer.pendingBatches()).toBe(0);
      await checkEveryRange();
    });
  });
});

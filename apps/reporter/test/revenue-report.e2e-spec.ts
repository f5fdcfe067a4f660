import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevenueReport } from '../src/revenue/revenue.report';
import { revenueReportSchema } from '../src/revenue/revenue-report.schema';
import { type RevenueQuery, expectedRevenueReport } from './support/expected-reports';
import { buildReportDataset } from './support/report-dataset';
import { describeRange, reportRanges } from './support/report-ranges';
import { type ReporterFixture, startReporterFixture } from './support/reporter.fixture';

const TOP_CAMPAIGNS = 5;

const FILTERS: RevenueQuery[] = [
  {},
  { source: 'facebook' },
  { source: 'tiktok' },
  { campaignId: 'camp-A' },
  { campaignId: 'camp-a' },
  { campaignId: 'camp-B', source: 'facebook' },
  { campaignId: 'camp-nobody' },
];

describe(RevenueReport, () => {
  let fixture: ReporterFixture;

  beforeAll(async () => {
    fixture = await startReporterFixture(buildReportDataset(), { REPORT_TOP_CAMPAIGNS: String(TOP_CAMPAIGNS) });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  async function check(query: RevenueQuery): Promise<void> {
    const { status, body } = await fixture.get(
      '/reports/revenue',
      query as Record<string, string | number | undefined>,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    expect(revenueReportSchema.parse(body)).toEqual(body);
    expect(body, `${JSON.stringify(query)} over ${describeRange(query)}`).toEqual(
      expectedRevenueReport(fixture.events, query, TOP_CAMPAIGNS),
    );
  }

  describe('when asked for revenue', () => {
    it.each(FILTERS)(
      'should match the plain sum of the stored purchases over every range with filters %j',
      async (filters) => {
        for (const range of reportRanges()) await check({ ...range, ...filters });
      },
    );

    it('should have revenue, campaigns beyond the limit and purchases without an amount to work with', async () => {
      const purchases = fixture.events.filter(
        (event) => event.eventType === 'checkout.complete' || event.eventType === 'purchase',
      );
      const withoutAmount = purchases.filter(
        (event) => event.funnelStage === 'bottom' && event.data.engagement.purchaseAmount === null,
      );
      expect(withoutAmount.length).toBeGreaterThan(0);
      const { body } = await fixture.get('/reports/revenue');
      expect((body as { transactions: number }).transactions).toBe(purchases.length - withoutAmount.length);
      expect((body as { topCampaigns: unknown[] }).topCampaigns).toHaveLength(TOP_CAMPAIGNS);
    });
  });

  describe('when there is nothing in the range', () => {
    it('should answer zeros as money strings', async () => {
      const { body } = await fixture.get('/reports/revenue', { from: '2030-01-01', to: '2030-01-02' });
      expect(body).toEqual({
        filters: { from: '2030-01-01T00:00:00.000Z', to: '2030-01-02T00:00:00.000Z' },
        totalRevenue: '0.00',
        transactions: 0,
        averageOrderValue: '0.00',
        bySource: [
          { source: 'facebook', revenue: '0.00', transactions: 0 },
          { source: 'tiktok', revenue: '0.00', transactions: 0 },
        ],
        topCampaigns: [],
      });
    });
  });

  describe('when a campaign id carries SQL', () => {
    it('should treat it as a plain value', async () => {
      for (const campaignId of ["camp-A' OR '1'='1", "'; DROP TABLE events; --", 'camp-A%', '\\x00']) {
        await check({ campaignId });
      }
      await check({});
    });
  });

  describe('when every event is delivered again', () => {
    it('should not change any figure', async () => {
      await fixture.write(fixture.events);
      for (const range of reportRanges().slice(0, 6)) {
        await check({ ...range });
        await check({ ...range, campaignId: 'camp-C' });
      }
    });
  });
});

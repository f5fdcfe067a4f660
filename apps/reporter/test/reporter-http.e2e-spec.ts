import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS_API_VERSION } from '../src/openapi/openapi.document';
import { ReportMetrics } from '../src/metrics/report.metrics';
import { expectedEventsReport } from './support/expected-reports';
import { buildReportDataset } from './support/report-dataset';
import { type ReporterFixture, startReporterFixture } from './support/reporter.fixture';

interface BadRequest {
  error: string;
  message: string;
  issues: { parameter: string; message: string }[];
}

/** Each entry: report path, raw query string, the parameter the 400 must name. */
const INVALID: [string, string, string][] = [
  ['/reports/events', 'source=myspace', 'source'],
  ['/reports/events', 'source=', 'source'],
  ['/reports/events', 'from=yesterday', 'from'],
  ['/reports/events', 'to=2026-02-30T00:00:00Z', 'to'],
  ['/reports/events', 'from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
  ['/reports/events', 'from=2026-01-02&to=2026-01-01', 'from'],
  ['/reports/events', 'from=99999-01-01T00:00:00Z', 'from'],
  ['/reports/events', 'from=275760-09-13T00:00:00.001Z', 'from'],
  ['/reports/events', 'eventType=ad.explode', 'eventType'],
  ['/reports/events', 'source=tiktok&eventType=ad.view', 'eventType'],
  ['/reports/events', 'funnelStage=top&eventType=checkout.complete', 'eventType'],
  ['/reports/events', 'funnelStage=middle', 'funnelStage'],
  ['/reports/events', 'interval=week', 'interval'],
  ['/reports/events', 'limit=10', 'limit'],
  ['/reports/events', 'source=facebook&source=tiktok', 'source'],
  ['/reports/events', 'source[]=facebook', 'source[]'],
  ['/reports/events', "source=facebook'--", 'source'],
  ['/reports/events', 'from=2026-01-01T00:00:00Z;DROP TABLE events', 'from'],
  ['/reports/revenue', 'source=tiktok&campaignId=camp-A', 'campaignId'],
  ['/reports/revenue', 'campaignId=', 'campaignId'],
  ['/reports/revenue', 'campaignId=%00', 'campaignId'],
  ['/reports/revenue', 'campaignId=a&campaignId=b', 'campaignId'],
  ['/reports/revenue', 'eventType=purchase', 'eventType'],
  ['/reports/revenue', 'to=not-a-date', 'to'],
  ['/reports/demographics', 'source=instagram', 'source'],
  ['/reports/demographics', 'from=2026-01-01T12:00:00', 'from'],
  ['/reports/demographics', 'interval=day', 'interval'],
  ['/reports/demographics', 'from=2026-01-01&from=2026-01-02', 'from'],
];

describe('reporter over HTTP', () => {
  let fixture: ReporterFixture;

  beforeAll(async () => {
    fixture = await startReporterFixture(buildReportDataset(200, 99));
  });

  afterAll(async () => {
    await fixture?.close();
  });

  const raw = async (pathAndQuery: string) => {
    const response = await fetch(`${fixture.baseUrl}${pathAndQuery}`);
    const text = await response.text();
    return {
      status: response.status,
      text,
      body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as unknown,
    };
  };

  describe('when a query parameter is invalid', () => {
    it.each(INVALID)('should answer %s?%s with 400 naming %s', async (path, query, parameter) => {
      const { status, body } = await raw(`${path}?${query}`);
      expect(status).toBe(400);
      const answer = body as BadRequest;
      expect(answer.error).toBe('Bad Request');
      expect(answer.issues.map((issue) => issue.parameter)).toContain(parameter);
      expect(answer.message).toContain(parameter);
      for (const issue of answer.issues) expect(issue.message.length).toBeGreaterThan(0);
    });

    it('should never answer 500 to garbage', async () => {
      for (const query of [
        '%',
        '%E0%A4%A',
        'from=%FF%FE',
        '&&&',
        '=x',
        'source',
        'a'.repeat(5_000),
        'from=' + '9'.repeat(400),
      ]) {
        for (const path of ['/reports/events', '/reports/revenue', '/reports/demographics']) {
          const { status } = await raw(`${path}?${query}`);
          expect([200, 400], `${path}?${query.slice(0, 40)}`).toContain(status);
        }
      }
    });

    it('should leave the data untouched by SQL in parameters', async () => {
      const { body } = await raw('/reports/events');
      expect(body).toEqual(expectedEventsReport(fixture.events, {}));
    });
  });

  describe('when the range is written with offsets and fractions', () => {
    it('should echo it normalised to UTC', async () => {
      const { status, body } = await raw(
        '/reports/events?from=2026-03-10T02:00:00%2B02:00&to=2026-03-10T01:00:00.1234Z',
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({ filters: { from: '2026-03-10T00:00:00.000Z', to: '2026-03-10T01:00:00.124Z' } });
    });
  });

  describe('when the OpenAPI document is requested', () => {
    interface Operation {
      parameters: { name: string; in: string; schema: Record<string, unknown> }[];
      responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }>;
    }
    interface Document {
      openapi: string;
      info: { version: string };
      paths: Record<string, { get: Operation }>;
      components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
    }

    it('should list the three reports with their parameters and response schemas', async () => {
      const { status, body } = await raw('/api/docs-json');
      expect(status).toBe(200);
      const document = body as Document;
      expect(document.openapi).toBe('3.0.3');
      expect(document.info.version).toBe(REPORTS_API_VERSION);
      const parameters = (path: string) => document.paths[path]!.get.parameters.map((parameter) => parameter.name);
      expect(parameters('/reports/events')).toEqual([
        'from',
        'to',
        'source',
        'funnelStage',
        'eventType',
        'interval',
        'format',
      ]);
      expect(parameters('/reports/revenue')).toEqual(['from', 'to', 'source', 'campaignId', 'format']);
      expect(parameters('/reports/demographics')).toEqual(['from', 'to', 'source', 'format']);
      for (const path of ['/reports/events', '/reports/revenue', '/reports/demographics']) {
        for (const parameter of document.paths[path]!.get.parameters) expect(parameter.in).toBe('query');
      }
      expect(document.paths['/reports/events']!.get.parameters[0]!.schema).toMatchObject({
        type: 'string',
        format: 'date-time',
      });
      expect(document.paths['/reports/events']!.get.parameters[2]!.schema).toMatchObject({
        enum: ['facebook', 'tiktok'],
      });

      const responseSchema = (path: string, status: string) => {
        const ref = document.paths[path]!.get.responses[status]!.content['application/json'].schema.$ref;
        return document.components.schemas[ref.replace('#/components/schemas/', '')]!;
      };
      expect(responseSchema('/reports/events', '200').required).toEqual(['filters', 'total', 'breakdown']);
      expect(Object.keys(responseSchema('/reports/events', '200').properties)).toEqual([
        'filters',
        'total',
        'breakdown',
        'series',
      ]);
      expect(responseSchema('/reports/revenue', '200').required).toEqual([
        'filters',
        'totalRevenue',
        'transactions',
        'averageOrderValue',
        'bySource',
        'topCampaigns',
      ]);
      expect(Object.keys(responseSchema('/reports/demographics', '200').properties)).toEqual([
        'filters',
        'facebook',
        'tiktok',
      ]);
      expect(responseSchema('/reports/demographics', '400').required).toEqual(['error', 'message', 'issues']);
    });

    it('should serve the Swagger UI', async () => {
      const { status, text } = await raw('/api/docs');
      expect(status).toBe(200);
      expect(text).toContain('swagger');
    });
  });

  describe(ReportMetrics, () => {
    it('should count reports by outcome and time them by report', async () => {
      await raw('/reports/revenue');
      await raw('/reports/demographics?source=facebook');
      await raw('/reports/demographics?source=nope');
      const { text } = await raw('/metrics');
      const value = (name: string, labels: Record<string, string>) => {
        const line = text
          .split('\n')
          .find(
            (candidate) =>
              candidate.startsWith(`${name}{`) &&
              Object.entries(labels).every(([label, wanted]) => candidate.includes(`${label}="${wanted}"`)),
          );
        return Number(line?.split(' ').at(-1));
      };
      expect(value('reporter_reports_generated_total', { report: 'revenue', status: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(
        value('reporter_reports_generated_total', { report: 'demographics', status: 'bad_request' }),
      ).toBeGreaterThanOrEqual(1);
      expect(value('reporter_reports_generated_total', { report: 'events', status: 'error' })).toBe(0);
      expect(
        value('reporter_report_duration_seconds_bucket', { report: 'demographics', le: '0.005' }),
      ).toBeGreaterThanOrEqual(0);
      expect(
        value('reporter_report_duration_seconds_bucket', { report: 'demographics', le: '+Inf' }),
      ).toBeGreaterThanOrEqual(1);
      expect(value('reporter_report_duration_seconds_count', { report: 'revenue' })).toBeGreaterThanOrEqual(1);
    });
  });

  describe('when asked for readiness', () => {
    it('should check the database', async () => {
      const { status, body } = await raw('/health/readiness');
      expect(status).toBe(200);
      expect(body).toMatchObject({ details: { database: { status: 'up' } } });
    });
  });
});

import { describe, expect, it } from 'vitest';
import { parseReportQuery } from '../query/query-parameters';
import { InvalidReportQueryError } from '../query/report-query.error';
import { eventsQuerySchema } from './events-report.schema';

function issuesOf(query: Record<string, unknown>) {
  try {
    parseReportQuery(eventsQuerySchema, query);
  } catch (error) {
    if (error instanceof InvalidReportQueryError) return error.issues;
    throw error;
  }
  return [];
}

describe('eventsQuerySchema', () => {
  describe('when every parameter is valid', () => {
    it('should give the typed filters', () => {
      expect(
        parseReportQuery(eventsQuerySchema, {
          from: '2026-01-01T00:00:00Z',
          to: '2026-01-02',
          source: 'tiktok',
          funnelStage: 'bottom',
          eventType: 'purchase',
          interval: 'hour',
          format: 'csv',
        }),
      ).toEqual({
        from: Date.UTC(2026, 0, 1),
        to: Date.UTC(2026, 0, 2),
        source: 'tiktok',
        funnelStage: 'bottom',
        eventType: 'purchase',
        interval: 'hour',
        format: 'csv',
      });
    });

    it('should accept no parameter at all, and answer JSON', () => {
      expect(parseReportQuery(eventsQuerySchema, {})).toEqual({ format: 'json' });
    });

    it('should accept a type shared by both sources without a source', () => {
      expect(issuesOf({ eventType: 'comment', funnelStage: 'top' })).toEqual([]);
    });
  });

  describe('when a parameter is invalid', () => {
    it.each([
      [{ source: 'myspace' }, 'source'],
      [{ source: '' }, 'source'],
      [{ funnelStage: 'middle' }, 'funnelStage'],
      [{ eventType: 'ad.explode' }, 'eventType'],
      [{ eventType: 'purchase', source: 'facebook' }, 'eventType'],
      [{ eventType: 'ad.view', funnelStage: 'bottom' }, 'eventType'],
      [{ eventType: 'purchase', source: 'tiktok', funnelStage: 'top' }, 'eventType'],
      [{ interval: 'week' }, 'interval'],
      [{ from: 'not a date' }, 'from'],
      [{ to: '2026-02-30T00:00:00Z' }, 'to'],
      [{ from: '2026-01-02', to: '2026-01-01' }, 'from'],
      [{ from: '2026-01-01', to: '2026-01-01' }, 'from'],
      [{ source: ['facebook', 'tiktok'] }, 'source'],
      [{ from: ['2026-01-01', '2026-01-02'] }, 'from'],
      [{ campaignId: 'camp-1' }, 'campaignId'],
      [{ 'source[]': 'facebook' }, 'source[]'],
      [{ source: "facebook' OR '1'='1" }, 'source'],
    ])('should name the parameter of %j', (query, parameter) => {
      expect(issuesOf(query).map((issue) => issue.parameter)).toEqual([parameter]);
    });

    it('should say that a repeated parameter must be given once', () => {
      expect(issuesOf({ source: ['facebook', 'facebook'] })).toEqual([
        { parameter: 'source', message: 'must be given once' },
      ]);
    });

    it('should list every bad parameter at once', () => {
      expect(
        issuesOf({ source: 'x', interval: 'y', extra: '1' })
          .map((issue) => issue.parameter)
          .sort(),
      ).toEqual(['extra', 'interval', 'source']);
    });
  });
});

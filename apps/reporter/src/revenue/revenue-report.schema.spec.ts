import { describe, expect, it } from 'vitest';
import { parseReportQuery } from '../query/query-parameters';
import { InvalidReportQueryError } from '../query/report-query.error';
import { revenueQuerySchema } from './revenue-report.schema';

function issuesOf(query: Record<string, unknown>) {
  try {
    parseReportQuery(revenueQuerySchema, query);
  } catch (error) {
    if (error instanceof InvalidReportQueryError) return error.issues;
    throw error;
  }
  return [];
}

describe('revenueQuerySchema', () => {
  describe('when every parameter is valid', () => {
    it('should give the typed filters', () => {
      expect(
        parseReportQuery(revenueQuerySchema, { source: 'facebook', campaignId: "camp-'; DROP TABLE events; --" }),
      ).toEqual({
        source: 'facebook',
        campaignId: "camp-'; DROP TABLE events; --",
        format: 'json',
      });
    });
  });

  describe('when campaignId is combined with source=tiktok', () => {
    it('should explain that campaigns exist on Facebook only', () => {
      expect(issuesOf({ source: 'tiktok', campaignId: 'camp-1' })).toEqual([
        { parameter: 'campaignId', message: expect.stringContaining('Facebook events only') },
      ]);
    });
  });

  describe('when a parameter is invalid', () => {
    it.each([
      [{ source: 'snapchat' }, 'source'],
      [{ campaignId: '' }, 'campaignId'],
      [{ campaignId: 'x'.repeat(129) }, 'campaignId'],
      [{ campaignId: ['a', 'b'] }, 'campaignId'],
      [{ from: '2026-01-01T10:00:00Z', to: '2026-01-01T09:00:00Z' }, 'from'],
      [{ eventType: 'purchase' }, 'eventType'],
    ])('should name the parameter of %j', (query, parameter) => {
      expect(issuesOf(query).map((issue) => issue.parameter)).toEqual([parameter]);
    });
  });
});

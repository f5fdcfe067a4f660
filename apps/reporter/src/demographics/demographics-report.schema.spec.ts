import { describe, expect, it } from 'vitest';
import { parseReportQuery } from '../query/query-parameters';
import { InvalidReportQueryError } from '../query/report-query.error';
import { demographicsQuerySchema } from './demographics-report.schema';

function issuesOf(query: Record<string, unknown>) {
  try {
    parseReportQuery(demographicsQuerySchema, query);
  } catch (error) {
    if (error instanceof InvalidReportQueryError) return error.issues;
    throw error;
  }
  return [];
}

describe('demographicsQuerySchema', () => {
  describe('when every parameter is valid', () => {
    it('should give the typed filters', () => {
      expect(parseReportQuery(demographicsQuerySchema, { from: '2026-01-01T00:00:00.5Z', source: 'facebook' })).toEqual(
        {
          from: Date.UTC(2026, 0, 1, 0, 0, 0, 500),
          source: 'facebook',
          format: 'json',
        },
      );
    });
  });

  describe('when a parameter is invalid', () => {
    it.each([
      [{ source: 'FACEBOOK' }, 'source'],
      [{ from: '2026-01-01T00:00:00Z', to: '2025-12-31T23:59:59.999Z' }, 'from'],
      [{ to: '10000-01-01T00:00:00Z' }, 'to'],
      [{ funnelStage: 'top' }, 'funnelStage'],
      [{ campaignId: 'camp-1' }, 'campaignId'],
    ])('should name the parameter of %j', (query, parameter) => {
      expect(issuesOf(query).map((issue) => issue.parameter)).toEqual([parameter]);
    });
  });
});

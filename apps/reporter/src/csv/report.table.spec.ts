import { describe, expect, it } from 'vitest';
import { reportTable } from './report.table';

describe(reportTable, () => {
  describe('when the answer is nested', () => {
    it('should give each plain value a row and each list entry a row, with the dotted path as section', () => {
      const table = reportTable({
        filters: { from: '2026-01-01T00:00:00.000Z', source: undefined },
        total: '12.50',
        facebook: {
          averageAge: null,
          genders: [
            { gender: 'male', users: 2 },
            { gender: 'female', users: 1 },
          ],
          topCities: [{ city: 'Kyiv', country: 'Ukraine', users: 3 }],
          empty: [],
        },
      });
      expect(table).toEqual({
        header: ['section', 'value', 'gender', 'users', 'city', 'country'],
        rows: [
          ['filters.from', '2026-01-01T00:00:00.000Z', null, null, null, null],
          ['total', '12.50', null, null, null, null],
          ['facebook.averageAge', null, null, null, null, null],
          ['facebook.genders', null, 'male', 2, null, null],
          ['facebook.genders', null, 'female', 1, null, null],
          ['facebook.topCities', null, null, 3, 'Kyiv', 'Ukraine'],
        ],
      });
    });
  });

  describe('when a list entry holds a nested value', () => {
    it('should refuse it rather than write "[object Object]"', () => {
      expect(() => reportTable({ list: [{ nested: { a: 1 } }] })).toThrow('list: a list entry holds a nested value');
    });
  });
});

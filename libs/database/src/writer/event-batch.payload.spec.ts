import { describe, expect, it } from 'vitest';
import { toDecimalAmount } from './decimal-amount';
import { EVENT_ROW_COLUMNS, serializeEventRows } from './event-batch.payload';
import type { EventRow } from './event-row';

const camel = (column: string) => column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** A row whose every column holds a value naming that column, so a shifted position cannot go unnoticed. */
function rowNamingItsColumns(): EventRow {
  const row: Record<string, unknown> = {};
  for (const { column, type } of EVENT_ROW_COLUMNS) {
    if (column === 'raw') continue;
    row[camel(column)] = type === 'int' || type === 'float8' ? column.length : `${column}-value`;
  }
  row.purchaseAmount = toDecimalAmount('12.34');
  row.raw = '{"original":"event","nested":{"n":1}}';
  return row as unknown as EventRow;
}

describe('serializeEventRows', () => {
  describe('when a row has every column', () => {
    it('should put each value at the position the SQL reads it from', () => {
      const row = rowNamingItsColumns();
      const [serialized] = JSON.parse(serializeEventRows([row])) as unknown[][];
      expect(serialized).toHaveLength(EVENT_ROW_COLUMNS.length);
      EVENT_ROW_COLUMNS.forEach(({ column }, index) => {
        const expected = column === 'raw' ? JSON.parse(row.raw) : (row as unknown as Record<string, unknown>)[camel(column)];
        expect(serialized?.[index], column).toEqual(expected);
      });
    });
  });

  describe('when optional columns are absent', () => {
    it('should write JSON null for them', () => {
      const row: EventRow = {
        eventId: 'e1',
        occurredAt: '2026-01-01T00:00:00.000Z',
        source: 'tiktok',
        funnelStage: 'top',
        eventType: 'like',
        userId: 'u1',
        raw: '{}',
      };
      const [serialized] = JSON.parse(serializeEventRows([row])) as unknown[][];
      expect(serialized?.filter((value) => value === null)).toHaveLength(EVENT_ROW_COLUMNS.length - 7);
    });
  });

  describe('when the raw event holds text that needs escaping', () => {
    it('should embed the raw JSON verbatim and escape the typed columns', () => {
      const raw = JSON.stringify({ city: "Cote d'Ivoire, \"quoted\"\n\u2028" });
      const row: EventRow = { eventId: 'e"1', occurredAt: 't', source: 'facebook', funnelStage: 'top', eventType: 'comment', userId: '\\u', raw };
      const text = serializeEventRows([row, row]);
      expect(text.startsWith(`[[${raw},`)).toBe(true);
      const parsed = JSON.parse(text) as unknown[][];
      expect(parsed).toHaveLength(2);
      expect(parsed[1]?.[0]).toEqual(JSON.parse(raw));
      expect(parsed[1]?.[1]).toBe('e"1');
      expect(parsed[1]?.[6]).toBe('\\u');
    });
  });
});

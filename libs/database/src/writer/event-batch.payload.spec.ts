import { describe, expect, it } from 'vitest';
import { eventKeyOf, userKeyOf } from '../storage/event-key';
import { toDecimalAmount } from './decimal-amount';
import { EVENT_ROW_COLUMNS, serializeEventRows } from './event-batch.payload';
import type { EventRow } from './event-row';

const camel = (column: string) => column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
/** Columns serialised from the row's ids instead of a field of their own name. */
const ID_COLUMNS = new Set(['event_id', 'event_id_text', 'user_id', 'user_id_text']);

/** A row whose every column holds a value naming that column, so a shifted position cannot go unnoticed. */
function rowNamingItsColumns(): EventRow {
  const row: Record<string, unknown> = {};
  for (const { column, type } of EVENT_ROW_COLUMNS) {
    if (ID_COLUMNS.has(column) || column === 'extra') continue;
    row[camel(column)] = type === 'int' || type === 'float8' ? column.length : `${column}-value`;
  }
  row.source = 'facebook';
  row.eventId = 'fb-0b0e8f0a-1111-4222-8333-444455556666';
  row.userId = 'user name, not a uuid';
  row.purchaseAmount = toDecimalAmount('12.34');
  row.extra = '{"original":"field","nested":{"n":1}}';
  return row as unknown as EventRow;
}

describe('serializeEventRows', () => {
  describe('when a row has every column', () => {
    it('should put each value at the position the SQL reads it from', () => {
      const row = rowNamingItsColumns();
      const [serialized] = JSON.parse(serializeEventRows([row])) as unknown[][];
      expect(serialized).toHaveLength(EVENT_ROW_COLUMNS.length);
      const expected: Record<string, unknown> = {
        event_id: '0b0e8f0a-1111-4222-8333-444455556666',
        event_id_text: null,
        user_id: userKeyOf('user name, not a uuid').key,
        user_id_text: 'user name, not a uuid',
        extra: JSON.parse(row.extra ?? ''),
      };
      EVENT_ROW_COLUMNS.forEach(({ column }, index) => {
        const value =
          column in expected ? expected[column] : (row as unknown as Record<string, unknown>)[camel(column)];
        expect(serialized?.[index], column).toEqual(value);
      });
    });
  });

  describe('when optional columns are absent', () => {
    it('should write JSON null for them', () => {
      const row: EventRow = {
        eventId: 'ttk-0b0e8f0a-1111-4222-8333-444455556666',
        occurredAt: '2026-01-01T00:00:00.000Z',
        source: 'tiktok',
        funnelStage: 'top',
        eventType: 'like',
        userId: '0b0e8f0a-1111-4222-8333-444455556667',
      };
      const [serialized] = JSON.parse(serializeEventRows([row])) as unknown[][];
      // Present: the two keys, occurred_at, source, funnel_stage and event_type.
      expect(serialized?.filter((value) => value === null)).toHaveLength(EVENT_ROW_COLUMNS.length - 6);
    });
  });

  describe('when the fields hold text that needs escaping', () => {
    it('should embed the extra fields verbatim and escape the typed columns', () => {
      const extra = JSON.stringify({ city: 'Cote d\'Ivoire, "quoted"\n\u2028' });
      const row: EventRow = {
        eventId: 'e"1',
        occurredAt: 't',
        source: 'facebook',
        funnelStage: 'top',
        eventType: 'comment',
        userId: '\\u',
        extra,
      };
      const text = serializeEventRows([row, row]);
      expect(text.endsWith(`,${extra}]]`)).toBe(true);
      const parsed = JSON.parse(text) as unknown[][];
      expect(parsed).toHaveLength(2);
      expect(parsed[1]?.[0]).toBe(eventKeyOf('e"1', 'facebook').key);
      expect(parsed[1]?.[1]).toBe('e"1');
      expect(parsed[1]?.[7]).toBe('\\u');
      expect(parsed[1]?.[EVENT_ROW_COLUMNS.length - 1]).toEqual(JSON.parse(extra));
    });
  });
});

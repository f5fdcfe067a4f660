import { describe, expect, it } from 'vitest';
import { ingestionRecordSchema, ingestionStreamName, ingestionSubject } from './ingestion.outcome';

describe('ingestion records', () => {
  describe('when named', () => {
    it('should live on <prefix>.ingestion in <events stream>_INGESTION', () => {
      expect(ingestionSubject()).toBe('events.ingestion');
      expect(ingestionSubject('test.events')).toBe('test.events.ingestion');
      expect(ingestionStreamName('EVENTS')).toBe('EVENTS_INGESTION');
    });
  });

  describe('when validated', () => {
    it('should take a record of counts and refuse one with an unknown source, a zero count or no counts', () => {
      const count = { source: 'facebook', outcome: 'accepted', reason: '', count: 3 };
      expect(ingestionRecordSchema.safeParse({ receivedAt: '2026-12-06T02:40:00.000Z', counts: [count] }).success).toBe(
        true,
      );
      for (const counts of [[{ ...count, source: 'myspace' }], [{ ...count, count: 0 }], []]) {
        expect(ingestionRecordSchema.safeParse({ receivedAt: '2026-12-06T02:40:00.000Z', counts }).success).toBe(false);
      }
      expect(ingestionRecordSchema.safeParse({ receivedAt: 'yesterday', counts: [count] }).success).toBe(false);
    });
  });
});

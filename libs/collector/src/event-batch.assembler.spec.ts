import type { ConsumedMessage } from '@evp/messaging';
import { eventRowOf } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { describe, expect, it } from 'vitest';
import { assembleBatch } from './event-batch.assembler';
import { EventMessageDecoder } from './event-message.decoder';

const message = (text: string, streamSequence: number): ConsumedMessage => ({
  subject: 'events.tiktok',
  data: Buffer.from(text),
  msgId: undefined,
  correlationId: 'request',
  headers: {},
  deliveryCount: 1,
  streamSequence,
});

describe(assembleBatch, () => {
  const decoder = new EventMessageDecoder('tiktok', eventRowOf);

  describe('when the batch repeats event ids and holds poison', () => {
    it('should keep one row per event id, point every message at its row and list the poison', () => {
      const generator = new EventGenerator({ seed: 9 });
      const [first, second] = [JSON.stringify(generator.tiktok()), JSON.stringify(generator.tiktok())];
      const texts = [first, second, first, 'not json', second, first];
      const batch = assembleBatch(
        texts.map((text, index) => message(text, index + 1)),
        decoder,
      );
      expect(batch.rows.map((row) => row.eventId)).toEqual(
        [first, second].map((text) => (JSON.parse(text) as { eventId: string }).eventId),
      );
      expect([...batch.rowOfMessage]).toEqual([0, 1, 0, -1, 1, 0]);
      expect(batch.poison).toEqual([
        { index: 3, reason: expect.stringMatching(/^not JSON/) as unknown, eventId: undefined },
      ]);
    });
  });

  describe('when an event id comes again with another timestamp', () => {
    it('should keep the first and refuse the other as conflicting, while the same instant written otherwise is a duplicate', () => {
      const generator = new EventGenerator({ seed: 4 });
      const event = generator.tiktok();
      const sameInstant = { ...event, timestamp: event.timestamp.replace('Z', '+00:00') };
      const later = { ...event, timestamp: new Date(Date.parse(event.timestamp) + 1).toISOString() };
      const batch = assembleBatch(
        [event, sameInstant, later].map((body, index) => message(JSON.stringify(body), index + 1)),
        decoder,
      );
      expect(batch.rows).toHaveLength(1);
      expect([...batch.rowOfMessage]).toEqual([0, 0, -1]);
      expect(batch.poison).toEqual([
        { index: 2, reason: expect.stringMatching(/^conflicting timestamp/) as unknown, eventId: event.eventId },
      ]);
    });
  });

  describe('when every message is poison', () => {
    it('should give no rows', () => {
      const batch = assembleBatch([message('[]', 1), message('{}', 2)], decoder);
      expect(batch.rows).toEqual([]);
      expect(batch.poison.map((poison) => poison.index)).toEqual([0, 1]);
    });
  });
});

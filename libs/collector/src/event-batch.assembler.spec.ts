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
    it('should keep one row per event id, point every message at its rows and mark the poison', () => {
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
      expect(batch.messages.map((assembled) => assembled.rows)).toEqual([[0], [1], [0], [], [1], [0]]);
      expect(batch.messages[3]?.poison).toEqual({
        reason: expect.stringMatching(/^not JSON/) as unknown,
        eventId: undefined,
      });
      expect(batch.events).toBe(6);
    });
  });

  describe('when messages are arrays of events', () => {
    it('should give each event its row, shared with the same event elsewhere in the batch, and refuse invalid ones alone', () => {
      const generator = new EventGenerator({ seed: 10 });
      const [a, b, c] = [generator.tiktok(), generator.tiktok(), generator.tiktok()];
      const batch = assembleBatch(
        [message(JSON.stringify([a, b, { ...c, source: 'nowhere' }, a]), 1), message(JSON.stringify([b, c]), 2)],
        decoder,
      );
      expect(batch.rows.map((row) => row.eventId)).toEqual([a.eventId, b.eventId, c.eventId]);
      expect(batch.events).toBe(6);
      const [packed, other] = batch.messages;
      expect(packed).toMatchObject({ events: 4, packed: true, rows: [0, 1, 0], positions: [0, 1, 3] });
      expect(packed?.rejected).toEqual([
        {
          index: 2,
          reason: expect.stringMatching(/^event 2 of the message: invalid event/) as unknown,
          eventId: c.eventId,
        },
      ]);
      expect(other).toMatchObject({ events: 2, rows: [1, 2], positions: [0, 1], rejected: [] });
    });
  });

  describe('when an event id comes again with another timestamp', () => {
    it('should keep the first and refuse the other as conflicting, while the same instant written otherwise is a duplicate', () => {
      const generator = new EventGenerator({ seed: 4 });
      const event = generator.tiktok();
      const sameInstant = { ...event, timestamp: event.timestamp.replace('Z', '+00:00') };
      const later = { ...event, timestamp: new Date(Date.parse(event.timestamp) + 1).toISOString() };
      const batch = assembleBatch(
        [
          ...[event, sameInstant, later].map((body, index) => message(JSON.stringify(body), index + 1)),
          message(JSON.stringify([sameInstant, later]), 4),
        ],
        decoder,
      );
      expect(batch.rows).toHaveLength(1);
      expect(batch.messages.map((assembled) => assembled.rows)).toEqual([[0], [0], [], [0]]);
      expect(batch.messages[2]?.poison).toEqual({
        reason: expect.stringMatching(/^conflicting timestamp/) as unknown,
        eventId: event.eventId,
      });
      expect(batch.messages[3]?.rejected).toEqual([
        {
          index: 1,
          reason: expect.stringMatching(/^event 1 of the message: conflicting timestamp/) as unknown,
          eventId: event.eventId,
        },
      ]);
    });
  });

  describe('when every message is poison', () => {
    it('should give no rows', () => {
      const batch = assembleBatch([message('[]', 1), message('{}', 2)], decoder);
      expect(batch.rows).toEqual([]);
      expect(batch.messages.every((assembled) => assembled.poison !== undefined)).toBe(true);
    });
  });
});

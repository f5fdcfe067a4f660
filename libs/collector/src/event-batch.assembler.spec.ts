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
      expect(batch.rows.map((row) => row.raw)).toEqual([first, second]);
      expect([...batch.rowOfMessage]).toEqual([0, 1, 0, -1, 1, 0]);
      expect(batch.poison).toEqual([
        { index: 3, reason: expect.stringMatching(/^not JSON/) as unknown, eventId: undefined },
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

import { EventGenerator } from '@evp/synthetic';
import { describe, expect, it } from 'vitest';
import { type ValidEvent } from './event-batch.reader';
import { EventMessagePacker, type EventMessagePackerOptions, type PackedMessage } from './event-message.packer';

/** A body laid out as the publisher sends it, and the span of each event in it. */
function bodyOf(events: readonly object[]): { body: Buffer; spans: ValidEvent[] } {
  const texts = events.map((event) => JSON.stringify(event));
  const spans: ValidEvent[] = [];
  let offset = 1;
  texts.forEach((text, index) => {
    const length = Buffer.byteLength(text);
    const { eventId } = events[index] as { eventId: string };
    spans.push({ index, source: 'facebook', eventId, lane: 'live', start: offset, end: offset + length });
    offset += length + 1;
  });
  return { body: Buffer.from(`[${texts.join(',')}]`), spans };
}

function pack(body: Buffer, spans: readonly ValidEvent[], options: EventMessagePackerOptions): PackedMessage[] {
  const messages: PackedMessage[] = [];
  const packer = new EventMessagePacker(body, 'facebook', 'live', options, (message) => messages.push(message));
  for (const span of spans) packer.add(span);
  packer.flush();
  return messages;
}

describe(EventMessagePacker, () => {
  const generator = new EventGenerator({ seed: 11 });
  const events = Array.from({ length: 25 }, () => generator.facebook());
  const { body, spans } = bodyOf(events);
  const unbounded = Number.MAX_SAFE_INTEGER;

  describe('when the events outnumber the bound', () => {
    it('should pack them in order into ceil(n / k) JSON arrays of their original bytes', () => {
      const messages = pack(body, spans, { maxEvents: 10, maxBytes: unbounded });
      expect(messages.map((message) => message.events)).toEqual([10, 10, 5]);
      expect(messages.flatMap((message) => JSON.parse(message.data.toString()) as unknown[])).toEqual(events);
      expect(messages[0]?.data.toString()).toBe(
        `[${events
          .slice(0, 10)
          .map((event) => JSON.stringify(event))
          .join(',')}]`,
      );
    });
  });

  describe('when the bytes bound comes first', () => {
    it('should close a message before it grows past the bound, and send a bigger event alone', () => {
      const size = (index: number) => (spans[index] as ValidEvent).end - (spans[index] as ValidEvent).start;
      const maxBytes = 2 + size(0) + 1 + size(1) + 1 + size(2);
      const messages = pack(body, spans, { maxEvents: 100, maxBytes });
      expect(messages.every((message) => message.data.length <= maxBytes)).toBe(true);
      expect(messages[0]?.events).toBe(3);
      expect(messages.reduce((sum, message) => sum + message.events, 0)).toBe(events.length);

      const alone = pack(body, spans.slice(0, 3), { maxEvents: 100, maxBytes: 10 });
      expect(alone.map((message) => message.events)).toEqual([1, 1, 1]);
      expect(alone.map((message) => JSON.parse(message.data.toString()) as unknown)).toEqual(
        events.slice(0, 3).map((event) => [event]),
      );
    });
  });

  describe('when the same events are packed again', () => {
    it('should give the same message ids, and other ids for other events, another source or another lane', () => {
      const options = { maxEvents: 10, maxBytes: unbounded };
      const first = pack(body, spans, options).map((message) => message.msgId);
      const again = pack(body, spans, options).map((message) => message.msgId);
      expect(again).toEqual(first);
      expect(new Set(first).size).toBe(first.length);
      expect(first.every((id) => /^[\w-]{43}$/.test(id))).toBe(true);

      const shifted = pack(body, spans.slice(1), options).map((message) => message.msgId);
      expect(shifted.some((id) => first.includes(id))).toBe(false);
      const tiktok: string[] = [];
      const packer = new EventMessagePacker(body, 'tiktok', 'live', options, (message) => tiktok.push(message.msgId));
      spans.slice(0, 10).forEach((span) => packer.add(span));
      expect(tiktok).toHaveLength(1);
      expect(tiktok[0]).not.toBe(first[0]);
      const backfill: string[] = [];
      const backfillPacker = new EventMessagePacker(body, 'facebook', 'backfill', options, (message) =>
        backfill.push(message.msgId),
      );
      spans.slice(0, 10).forEach((span) => backfillPacker.add(span));
      backfillPacker.flush();
      expect(backfill).toHaveLength(1);
      expect(backfill[0]).not.toBe(first[0]);
    });
  });

  describe('when nothing was added', () => {
    it('should send nothing on flush', () => {
      expect(pack(body, [], { maxEvents: 10, maxBytes: unbounded })).toEqual([]);
    });
  });
});

import { MSG_ID_HEADER, type ConsumedMessage } from '@evp/messaging';
import { RECEIVED_AT_HEADER } from '@evp/contracts';
import { eventRowOf } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { describe, expect, it } from 'vitest';
import { UnstorableEventError } from './collector.errors';
import { EventMessageDecoder } from './event-message.decoder';

function messageOf(text: string, correlationId?: string, msgId?: string): ConsumedMessage {
  return {
    subject: 'events.facebook',
    data: new TextEncoder().encode(text),
    msgId,
    correlationId,
    headers: msgId === undefined ? {} : { [MSG_ID_HEADER]: msgId },
    deliveryCount: 1,
    streamSequence: 7,
  };
}

describe(EventMessageDecoder, () => {
  const generator = new EventGenerator({ seed: 3 });
  const decoder = new EventMessageDecoder('facebook', eventRowOf);

  describe('when the message is a valid event of the collector source', () => {
    it('should give its row with the fields outside the contract and the correlation id', () => {
      const event = generator.facebook('checkout.complete');
      const text = JSON.stringify({
        ...event,
        extra: { kept: 'beside the columns' },
        data: { ...event.data, user: { ...event.data.user, tier: 'gold' } },
      });
      const decoded = decoder.decode(messageOf(text, 'request-1'));
      expect(decoded).toMatchObject({ ok: true, packed: false, events: [{ ok: true }] });
      const [only] = decoded.ok ? decoded.events : [];
      if (!only?.ok) return;
      expect(JSON.parse(only.row.extra ?? 'null')).toEqual({
        extra: { kept: 'beside the columns' },
        data: { user: { tier: 'gold' } },
      });
      expect(only.row.correlationId).toBe('request-1');
      expect(only.row.source).toBe('facebook');
      expect(only.row.eventId).toBe((JSON.parse(text) as { eventId: string }).eventId);
    });
  });

  describe('when the message has no correlation id', () => {
    it('should give a row with a null correlation id', () => {
      const decoded = decoder.decode(messageOf(JSON.stringify(generator.facebook())));
      const [only] = decoded.ok ? decoded.events : [];
      expect(only?.ok && only.row.correlationId).toBeNull();
    });
  });

  describe('when the message carries the time the gateway received it', () => {
    it('should give every row of the message that received time', () => {
      const events = [generator.facebook(), generator.facebook()];
      const message = {
        ...messageOf(JSON.stringify(events)),
        headers: { [RECEIVED_AT_HEADER]: '2026-12-06T01:02:03.456Z' },
      };
      const decoded = decoder.decode(message);
      const rows = decoded.ok ? decoded.events.map((event) => event.ok && event.row.receivedAt) : [];
      expect(rows).toEqual(['2026-12-06T01:02:03.456Z', '2026-12-06T01:02:03.456Z']);
    });
  });

  describe('when the message has no received time, or one that is not an instant', () => {
    it('should give rows with a null received time rather than refuse the events', () => {
      const cases: Record<string, string>[] = [
        {},
        { [RECEIVED_AT_HEADER]: 'yesterday' },
        { [RECEIVED_AT_HEADER]: '2026-13-45T99:00:00Z' },
      ];
      for (const headers of cases) {
        const decoded = decoder.decode({ ...messageOf(JSON.stringify(generator.facebook())), headers });
        const [only] = decoded.ok ? decoded.events : [];
        expect(only?.ok && only.row.receivedAt).toBeNull();
      }
    });
  });

  describe('when the payload is not JSON', () => {
    it('should call it poison, naming the message id', () => {
      const decoded = decoder.decode(messageOf('{"eventId": ', undefined, 'msg-1'));
      expect(decoded).toMatchObject({ ok: false, eventId: 'msg-1' });
      expect(!decoded.ok && decoded.reason).toMatch(/^not JSON: /);
    });
  });

  describe('when the payload breaks the contract', () => {
    it('should call it poison with every issue and its path', () => {
      const event = generator.facebook('ad.view') as unknown as {
        data: { user: Record<string, unknown> };
        eventId: string;
      };
      delete event.data.user.name;
      event.data.user.age = -4;
      const decoded = decoder.decode(messageOf(JSON.stringify(event)));
      expect(decoded).toMatchObject({ ok: false, eventId: event.eventId });
      expect(!decoded.ok && decoded.reason).toMatch(/^invalid event: .*data\.user\.name: .*; data\.user\.age: /);
    });
  });

  describe('when the event belongs to the other source', () => {
    it('should call it poison', () => {
      const event = generator.tiktok();
      const decoded = decoder.decode(messageOf(JSON.stringify(event)));
      expect(decoded).toEqual({
        ok: false,
        eventId: event.eventId,
        reason: 'event of source tiktok on the facebook subject',
      });
    });
  });

  describe('when the normaliser cannot store the event', () => {
    it('should call it poison with the normaliser reason', () => {
      const refusing = new EventMessageDecoder('facebook', () => {
        throw new UnstorableEventError('age out of range');
      });
      const decoded = refusing.decode(messageOf(JSON.stringify(generator.facebook())));
      expect(!decoded.ok && decoded.reason).toBe('cannot be stored: age out of range');
    });
  });

  describe('when the message is a JSON array of events', () => {
    it('should give one row per event, in order, each with the message correlation id', () => {
      const events = [generator.facebook(), generator.facebook(), generator.facebook()];
      const decoded = decoder.decode(messageOf(JSON.stringify(events), 'request-2'));
      expect(decoded.ok && decoded.packed).toBe(true);
      const rows = decoded.ok ? decoded.events.map((event) => (event.ok ? event.row : undefined)) : [];
      expect(rows.map((row) => row?.eventId)).toEqual(events.map((event) => event.eventId));
      expect(rows.every((row) => row?.correlationId === 'request-2')).toBe(true);
    });

    it('should fail an invalid event alone, naming its index, and keep the others', () => {
      const [first, last] = [generator.facebook(), generator.facebook()];
      const missingUser = { ...generator.facebook(), data: {} };
      const decoded = decoder.decode(messageOf(JSON.stringify([first, missingUser, 'not an event', last])));
      expect(decoded.ok).toBe(true);
      const events = decoded.ok ? decoded.events : [];
      expect(events.map((event) => event.ok)).toEqual([true, false, false, true]);
      expect(events[1]).toMatchObject({ ok: false, eventId: missingUser.eventId });
      expect(!events[1]?.ok && events[1]?.reason).toMatch(/^event 1 of the message: invalid event: data/);
      expect(!events[2]?.ok && events[2]?.reason).toMatch(/^event 2 of the message: invalid event: /);
    });

    it('should give back the bytes of one event for its dead letter', () => {
      const events = [generator.facebook(), generator.facebook()];
      const message = messageOf(JSON.stringify(events));
      expect(JSON.parse(new TextDecoder().decode(decoder.eventBytes(message, 1)))).toEqual(events[1]);
    });
  });

  describe('when the message is an empty array', () => {
    it('should call it poison', () => {
      expect(decoder.decode(messageOf('[]', undefined, 'msg-2'))).toEqual({
        ok: false,
        reason: 'no event in the message',
        eventId: 'msg-2',
      });
    });
  });
});

import { MsgHdrsImpl } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { encodeHeaders, headersToRecord } from './message.headers';
import { InvalidHeaderError } from './messaging.errors';

/** What a receiver sees: the wire bytes decoded by the NATS client itself. */
function decodeWire(headers: ReturnType<typeof encodeHeaders>): MsgHdrsImpl {
  return MsgHdrsImpl.decode((headers as MsgHdrsImpl).encode());
}

describe(encodeHeaders, () => {
  describe('when given a message id, a correlation id and extra headers', () => {
    it('should produce a header block the NATS client decodes to the same values', () => {
      const decoded = decodeWire(
        encodeHeaders('evt-1', 'corr-1', { 'x-source': 'facebook', 'x-reason': 'bad: value' }),
      );
      expect(headersToRecord(decoded)).toEqual({
        'Nats-Msg-Id': 'evt-1',
        'x-correlation-id': 'corr-1',
        'x-source': 'facebook',
        'x-reason': 'bad: value',
      });
      expect(decoded.code).toBe(0);
    });

    it('should keep non-ASCII values intact', () => {
      expect(decodeWire(encodeHeaders(undefined, undefined, { 'x-city': 'Kraków' })).get('x-city')).toBe('Kraków');
    });
  });

  describe('when there is nothing to send', () => {
    it('should return undefined so the message goes without a header block', () => {
      expect(encodeHeaders(undefined, undefined)).toBeUndefined();
      expect(encodeHeaders(undefined, undefined, {})).toBeUndefined();
    });
  });

  describe('when a value or name cannot travel in a NATS header', () => {
    it('should refuse a line break in a value', () => {
      expect(() => encodeHeaders('evt\r\nInjected: yes', undefined)).toThrow(InvalidHeaderError);
      expect(() => encodeHeaders(undefined, 'corr\n1')).toThrow(InvalidHeaderError);
    });

    it('should refuse a colon, a space or a control character in a name', () => {
      for (const name of ['x:y', 'x y', 'x\ty', '']) {
        expect(() => encodeHeaders(undefined, undefined, { [name]: 'v' })).toThrow(InvalidHeaderError);
      }
    });
  });
});

describe(headersToRecord, () => {
  describe('when a header repeats', () => {
    it('should keep its first value', () => {
      const headers = new MsgHdrsImpl();
      headers.append('x-a', 'first');
      headers.append('x-a', 'second');
      expect(headersToRecord(headers)).toEqual({ 'x-a': 'first' });
    });
  });

  describe('when the message has no headers', () => {
    it('should return an empty record', () => {
      expect(headersToRecord(undefined)).toEqual({});
    });
  });
});

import { type Msg, type MsgHdrs, MsgHdrsImpl } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { parsePubAck } from './pub-ack';

/** A received reply as the client hands it over: a body, and for status replies only headers. */
function reply(body: string, headers?: MsgHdrs): Msg {
  const data = new TextEncoder().encode(body);
  return {
    subject: '_INBOX.x.1',
    sid: 1,
    data,
    headers,
    respond: () => false,
    json: <T>() => JSON.parse(body) as T,
    string: () => body,
  };
}

describe(parsePubAck, () => {
  describe('when the stream stored the message', () => {
    it('should say stored', () => {
      expect(parsePubAck(reply('{"stream":"EVENTS", "seq":42}'))).toEqual({ kind: 'stored' });
      expect(parsePubAck(reply('{"stream":"EVENTS","seq":42,"duplicate":false}'))).toEqual({ kind: 'stored' });
    });
  });

  describe('when the id was seen inside the duplicate window', () => {
    it('should say duplicate', () => {
      // NATS 2.9 writes its PubAcks by hand, with a space after some colons.
      expect(parsePubAck(reply('{"stream":"EVENTS", "seq":42,"duplicate": true}'))).toEqual({ kind: 'duplicate' });
      expect(parsePubAck(reply('{"stream":"EVENTS","seq":42,"duplicate":true}'))).toEqual({ kind: 'duplicate' });
    });

    it('should say duplicate when newer servers add fields around the flag', () => {
      expect(parsePubAck(reply('{"stream":"EVENTS","seq":42,"domain":"hub","duplicate":true,"val":"1"}'))).toEqual({
        kind: 'duplicate',
      });
      expect(parsePubAck(reply('{"stream":"EVENTS","seq":43,"domain":"hub"}'))).toEqual({ kind: 'stored' });
    });
  });

  describe('when JetStream refused the message', () => {
    it('should say rejected with the description and codes', () => {
      const result = parsePubAck(
        reply('{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}'),
      );
      expect(result).toEqual({ kind: 'rejected', description: 'maximum messages exceeded (code 503, err_code 10077)' });
    });
  });

  describe('when an error comes with the stream name', () => {
    it('should say rejected, whatever the field order', () => {
      expect(
        parsePubAck(
          reply('{"stream":"EVENTS","error":{"code":400,"err_code":10071,"description":"wrong last sequence: 41"}}'),
        ),
      ).toEqual({
        kind: 'rejected',
        description: 'wrong last sequence: 41 (code 400, err_code 10071)',
      });
    });
  });

  describe('when nothing listens on the subject', () => {
    it('should say no-responders for an empty 503 status reply', () => {
      expect(parsePubAck(reply('', new MsgHdrsImpl(503, 'No Responders')))).toEqual({ kind: 'no-responders' });
    });

    it('should say rejected for any other empty status reply', () => {
      expect(parsePubAck(reply('', new MsgHdrsImpl(408, 'Request Timeout')))).toEqual({
        kind: 'rejected',
        description: 'status 408 Request Timeout',
      });
    });
  });

  describe('when the reply is not a PubAck', () => {
    it('should say rejected rather than count it as stored', () => {
      expect(parsePubAck(reply('not json'))).toMatchObject({ kind: 'rejected' });
      expect(parsePubAck(reply('{"ok":true}'))).toMatchObject({ kind: 'rejected' });
    });
  });
});

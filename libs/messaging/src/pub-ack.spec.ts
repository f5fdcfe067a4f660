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
      expect(parsePubAck(reply('{"stream":"EVENTS","seq":42}'))).toEqual({ kind: 'stored' });
    });
  });

  describe('when the id was seen inside the duplicate window', () => {
    it('should say duplicate', () => {
      expect(parsePubAck(reply('{"stream":"EVENTS","seq":42,"duplicate":true}'))).toEqual({ kind: 'duplicate' });
    });
  });

  describe('when JetStream refused the message', () => {
    it('should say rejected with the description and codes', () => {
      const result = parsePubAck(reply('{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}'));
      expect(result).toEqual({ kind: 'rejected', description: 'maximum messages exceeded (code 503, err_code 10077)' });
    });
  });

  describe('when nothing listens on the subject', () => {
    it('should say no-responders for an empty 503 status reply', () => {
      expect(parsePubAck(reply('', new MsgHdrsImpl(503, 'No Responders')))).toEqual({ kind: 'no-responders' });
    });

    it('should say rejected for any other empty status reply', () => {
      expect(parsePubAck(reply('', new MsgHdrsImpl(408, 'Request Timeout')))).toEqual({ kind: 'rejected', description: 'status 408 Request Timeout' });
    });
  });

  describe('when the reply is not a PubAck', () => {
    it('should say rejected rather than count it as stored', () => {
      expect(parsePubAck(reply('not json'))).toMatchObject({ kind: 'rejected' });
      expect(parsePubAck(reply('{"ok":true}'))).toMatchObject({ kind: 'rejected' });
    });
  });
});

import { describe, expect, it } from 'vitest';
import { UnsupportedBodyError } from './event-batch.errors';
import { type InvalidEvent } from './event-batch.reader';
import { EventSinkUnavailableError } from './event.sink';
import { IngestReplyBuilder } from './ingest-reply.builder';
import { JsonSyntaxError } from './json/json-syntax.error';

const invalidEvents = (count: number): InvalidEvent[] =>
  Array.from({ length: count }, (_, index) => ({
    index: index * 2,
    source: undefined,
    eventId: index % 2 === 0 ? `fb-${index}` : undefined,
    reason: 'invalid',
    issues: [{ path: 'timestamp', message: 'Invalid ISO datetime' }],
    start: 0,
    end: 1,
  }));

describe(IngestReplyBuilder, () => {
  const builder = new IngestReplyBuilder({ maxReportedErrors: 3, retryAfterSeconds: 7 });

  describe('when every event was accepted', () => {
    it('should answer 202 with the counts and no errors', () => {
      expect(builder.result({ accepted: 10, duplicates: 2, rejected: 0, deadLettered: 0, invalid: [] }, 'c-1')).toEqual(
        {
          statusCode: 202,
          headers: {},
          body: { accepted: 10, rejected: 0, duplicates: 2, correlationId: 'c-1', errors: [] },
        },
      );
    });
  });

  describe('when the body held no event at all', () => {
    it('should answer 202 with zeros', () => {
      expect(
        builder.result({ accepted: 0, duplicates: 0, rejected: 0, deadLettered: 0, invalid: [] }, 'c-2'),
      ).toMatchObject({
        statusCode: 202,
        body: { accepted: 0, rejected: 0, duplicates: 0, errors: [] },
      });
    });
  });

  describe('when some events were rejected', () => {
    it('should answer 202 listing each rejected event with its index, id and issues', () => {
      const reply = builder.result(
        { accepted: 5, duplicates: 0, rejected: 2, deadLettered: 2, invalid: invalidEvents(2) },
        'c-3',
      );
      expect(reply.statusCode).toBe(202);
      expect(reply.body).toEqual({
        accepted: 5,
        rejected: 2,
        duplicates: 0,
        correlationId: 'c-3',
        errors: [
          { index: 0, eventId: 'fb-0', issues: [{ path: 'timestamp', message: 'Invalid ISO datetime' }] },
          { index: 2, issues: [{ path: 'timestamp', message: 'Invalid ISO datetime' }] },
        ],
      });
    });

    it('should cap the listed errors and keep the full count', () => {
      const reply = builder.result(
        { accepted: 5, duplicates: 0, rejected: 10, deadLettered: 10, invalid: invalidEvents(10) },
        'c-4',
      );
      expect(reply.body).toMatchObject({ rejected: 10, errorsTruncated: true });
      expect((reply.body as { errors: unknown[] }).errors).toHaveLength(3);
    });
  });

  describe('when every event of the body was rejected', () => {
    it('should answer 400 with the same shape plus an error code and message', () => {
      const reply = builder.result(
        { accepted: 0, duplicates: 0, rejected: 2, deadLettered: 2, invalid: invalidEvents(2) },
        'c-5',
      );
      expect(reply).toMatchObject({
        statusCode: 400,
        body: { accepted: 0, rejected: 2, duplicates: 0, correlationId: 'c-5', error: 'GATEWAY.NO_VALID_EVENT' },
      });
      expect((reply.body as { errors: unknown[] }).errors).toHaveLength(2);
    });
  });

  describe('when the body is malformed', () => {
    it('should answer 400 with the position of the syntax error', () => {
      expect(builder.failure(new JsonSyntaxError("Unexpected token 'x'", 12), 'c-6')).toEqual({
        statusCode: 400,
        headers: {},
        body: {
          accepted: 0,
          rejected: 0,
          duplicates: 0,
          correlationId: 'c-6',
          errors: [],
          error: 'GATEWAY.MALFORMED_JSON',
          message: "Unexpected token 'x' at position 12",
          position: 12,
        },
      });
    });

    it('should answer 400 for JSON that is neither an array nor an object', () => {
      expect(builder.failure(new UnsupportedBodyError('number'), 'c-7')).toMatchObject({
        statusCode: 400,
        body: { error: 'GATEWAY.UNSUPPORTED_BODY' },
      });
    });
  });

  describe('when the broker did not take the events', () => {
    it('should answer 503 with Retry-After', () => {
      expect(builder.failure(new EventSinkUnavailableError('publish timed out'), 'c-8')).toEqual({
        statusCode: 503,
        headers: { 'retry-after': '7' },
        body: {
          error: 'GATEWAY.BROKER_UNAVAILABLE',
          message: 'events were not stored, send them again later: publish timed out',
          correlationId: 'c-8',
        },
      });
    });
  });

  describe('when the gateway is shutting down', () => {
    it('should answer 503 with Retry-After', () => {
      expect(builder.shuttingDown('c-9')).toMatchObject({
        statusCode: 503,
        headers: { 'retry-after': '7' },
        body: { error: 'GATEWAY.SHUTTING_DOWN' },
      });
    });
  });

  describe('when the sender is over its quota', () => {
    it('should answer 429 with Retry-After and the RateLimit-* fields', () => {
      expect(
        builder.throttled({ sender: 'token-2', limit: 100_000, remaining: 0, retryAfterSeconds: 3 }, 'c-11'),
      ).toEqual({
        statusCode: 429,
        headers: {
          'retry-after': '3',
          'ratelimit-limit': '100000',
          'ratelimit-remaining': '0',
          'ratelimit-reset': '3',
        },
        body: {
          error: 'GATEWAY.RATE_LIMITED',
          message: expect.stringContaining('sender token-2 is over its quota') as string,
          correlationId: 'c-11',
        },
      });
    });
  });

  describe('when the failure is not one it knows', () => {
    it('should rethrow it', () => {
      const bug = new TypeError('bug');
      expect(() => builder.failure(bug, 'c-10')).toThrow(bug);
    });
  });
});

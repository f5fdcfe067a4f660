import { describe, expect, it } from 'vitest';
import { UnsupportedBodyError } from '../event-batch.errors';
import { type EventSlice } from '../event-batch.reader';
import { JsonSyntaxError } from '../json/json-syntax.error';
import { decodeSlice, deserializeError, encodeSlice, serializeError } from './ingest-worker.protocol';

describe(encodeSlice, () => {
  describe('when a slice crosses to the main thread', () => {
    it('should come back equal, valid events packed into typed arrays', () => {
      const slice: EventSlice = {
        valid: [
          { index: 0, source: 'facebook', eventId: 'fb-1', lane: 'live', start: 1, end: 420 },
          { index: 2, source: 'tiktok', eventId: 'ttk-2', lane: 'backfill', start: 900, end: 1_300 },
        ],
        invalid: [
          {
            index: 1,
            source: undefined,
            eventId: undefined,
            reason: 'invalid',
            issues: [{ path: 'source', message: 'bad' }],
            start: 421,
            end: 899,
          },
        ],
      };

      const encoded = encodeSlice(slice);

      expect(encoded.positions).toBeInstanceOf(Int32Array);
      expect(decodeSlice(structuredClone(encoded))).toEqual(slice);
    });
  });
});

describe(serializeError, () => {
  describe('when reading failed in the worker', () => {
    it('should rebuild the same typed errors on the main thread', () => {
      const syntax = deserializeError(structuredClone(serializeError(new JsonSyntaxError("Unexpected token 'x'", 12))));
      expect(syntax).toBeInstanceOf(JsonSyntaxError);
      expect(syntax).toMatchObject({ reason: "Unexpected token 'x'", position: 12 });

      const unsupported = deserializeError(structuredClone(serializeError(new UnsupportedBodyError('number'))));
      expect(unsupported).toBeInstanceOf(UnsupportedBodyError);
      expect(unsupported).toMatchObject({ found: 'number' });

      const internal = deserializeError(structuredClone(serializeError(new RangeError('boom'))));
      expect(internal.message).toContain('ingest worker failed: RangeError: boom');
    });
  });
});

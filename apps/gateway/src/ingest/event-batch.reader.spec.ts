import { validateEvent } from '@evp/contracts';
import { CORRUPTION_KINDS, EventGenerator, corruptEvent } from '@evp/synthetic';
import { describe, expect, it } from 'vitest';
import { UnsupportedBodyError } from './event-batch.errors';
import { EventBatchReader, type EventBatchReaderOptions, type EventSlice } from './event-batch.reader';
import { JsonSyntaxError } from './json/json-syntax.error';

async function readAll(body: Buffer, options?: EventBatchReaderOptions): Promise<{ slices: number } & EventSlice> {
  const result = { slices: 0, valid: [], invalid: [] } as { slices: number } & EventSlice;
  const reader = new EventBatchReader(body, options);
  await reader.open();
  for await (const slice of reader.slices()) {
    result.slices++;
    result.valid.push(...slice.valid);
    result.invalid.push(...slice.invalid);
  }
  return result;
}

async function readError(body: string): Promise<unknown> {
  try {
    await readAll(Buffer.from(body));
  } catch (error) {
    return error;
  }
  throw new Error(`no error reading ${body}`);
}

describe(EventBatchReader, () => {
  const generator = new EventGenerator({ seed: 7 });

  describe('when the body is an array of valid and invalid events', () => {
    it('should sort them by the contract and keep the original bytes of each', async () => {
      const good = generator.batch(20);
      const bad = CORRUPTION_KINDS.map((kind) => corruptEvent(generator.next(), kind));
      const mixed = [...good, ...bad].sort(() => generator.random.next() - 0.5);
      const body = Buffer.from(JSON.stringify(mixed, null, 1));

      const read = await readAll(body);

      const expectedValid = mixed.filter((event) => validateEvent(event).ok).length;
      expect(read.valid).toHaveLength(expectedValid);
      expect(read.invalid).toHaveLength(mixed.length - expectedValid);
      for (const event of [...read.valid, ...read.invalid]) {
        expect(JSON.parse(body.toString('utf8', event.start, event.end))).toEqual(mixed[event.index]);
      }
      for (const event of read.valid) {
        expect(event).toMatchObject({
          eventId: (mixed[event.index] as { eventId: string }).eventId,
          source: (mixed[event.index] as { source: string }).source,
        });
      }
    });

    it('should name each rejected event with its issues, id and known source', async () => {
      const event = generator.facebook('ad.click');
      const body = Buffer.from(
        JSON.stringify([corruptEvent(event, 'alien-gender'), corruptEvent(event, 'missing-event-id'), 42]),
      );

      const { invalid } = await readAll(body);

      expect(invalid[0]).toMatchObject({
        index: 0,
        eventId: event.eventId,
        source: 'facebook',
        issues: [{ path: 'data.user.gender' }],
      });
      expect(invalid[1]).toMatchObject({ index: 1, eventId: undefined, source: 'facebook' });
      expect(invalid[2]).toMatchObject({ index: 2, eventId: undefined, source: undefined });
    });
  });

  describe('when an event cannot travel as a message', () => {
    it('should reject an event over the size limit on its own, keeping its first bytes', async () => {
      const huge = { ...generator.next(), padding: 'x'.repeat(2_000) };
      const body = Buffer.from(JSON.stringify([generator.next(), huge]));

      const { valid, invalid } = await readAll(body, { maxEventBytes: 1_024 });

      expect(valid).toHaveLength(1);
      expect(invalid).toEqual([
        expect.objectContaining({
          index: 1,
          eventId: undefined,
          end: (invalid[0]?.start ?? 0) + 1_024,
          issues: [{ path: '', message: expect.stringContaining('over the limit of 1024') }],
        }),
      ]);
    });

    it('should reject an event whose id holds a line break, and never name such an id', async () => {
      const broken = { ...generator.next(), eventId: 'fb-1\r\nx: y' };
      const invalidToo = { ...corruptEvent(generator.next(), 'invalid-timestamp'), eventId: 'ttk-2\n' + 'z' };

      const { valid, invalid } = await readAll(Buffer.from(JSON.stringify([broken, invalidToo])));

      expect(valid).toEqual([]);
      expect(invalid[0]).toMatchObject({
        eventId: undefined,
        issues: [{ path: 'eventId', message: 'must not contain control characters' }],
      });
      expect(invalid[1]).toMatchObject({ eventId: undefined, issues: [{ path: 'timestamp' }] });
    });
  });

  describe('when events are dated far from the time the body was received', () => {
    const HOUR_MS = 3_600_000;
    const receivedAtMs = Date.parse('2026-06-01T12:00:00.000Z');
    const at = (offsetMs: number) =>
      new EventGenerator({ seed: 3, clock: () => receivedAtMs + offsetMs }).facebook('ad.click');

    it('should refuse one dated more than the skew ahead, with reason future_timestamp', async () => {
      const events = [at(23 * HOUR_MS), at(23 * HOUR_MS + 1)];
      const { valid, invalid } = await readAll(Buffer.from(JSON.stringify(events)), { receivedAtMs });

      expect(valid.map((event) => event.index)).toEqual([0]);
      expect(invalid).toMatchObject([
        {
          index: 1,
          source: 'facebook',
          eventId: events[1]?.eventId,
          reason: 'future_timestamp',
          issues: [{ path: 'timestamp', message: expect.stringContaining('more than 23 h ahead') }],
        },
      ]);
    });

    it('should put one dated more than BACKFILL_AFTER before it in the backfill lane', async () => {
      const events = [at(-24 * HOUR_MS), at(-24 * HOUR_MS - 1), at(-5_000)];
      const { valid } = await readAll(Buffer.from(JSON.stringify(events)), {
        receivedAtMs,
        backfillAfterMs: 24 * HOUR_MS,
      });

      expect(valid.map((event) => event.lane)).toEqual(['live', 'backfill', 'live']);
    });

    it('should follow the configured skew and backfill bounds', async () => {
      const events = [at(2 * HOUR_MS), at(-2 * HOUR_MS)];
      const read = await readAll(Buffer.from(JSON.stringify(events)), {
        receivedAtMs,
        maxFutureSkewMs: HOUR_MS,
        backfillAfterMs: HOUR_MS,
      });

      expect(read.invalid.map((event) => event.reason)).toEqual(['future_timestamp']);
      expect(read.valid.map((event) => event.lane)).toEqual(['backfill']);
    });
  });

  describe('when the body is large', () => {
    it('should hand it over in several slices', async () => {
      const events = generator.batch(2_000);
      const read = await readAll(Buffer.from(JSON.stringify(events)), {
        scanSliceBytes: 64 * 1024,
        validateSliceEvents: 100,
      });
      expect(read.slices).toBe(20);
      expect(read.valid.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId));
    });
  });

  describe('when the body is one event object', () => {
    it('should read it as a batch of one', async () => {
      const event = generator.tiktok();
      const text = `\n ${JSON.stringify(event)} \n`;
      const { valid } = await readAll(Buffer.from(text));
      expect(valid).toEqual([
        { index: 0, source: 'tiktok', eventId: event.eventId, lane: 'live', start: 2, end: text.length - 2 },
      ]);
    });
  });

  describe('when the body starts with a byte-order mark', () => {
    it('should skip it', async () => {
      const event = generator.next();
      const { valid } = await readAll(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify([event]))]),
      );
      expect(valid).toHaveLength(1);
    });
  });

  describe('when the array is empty', () => {
    it('should find no event', async () => {
      expect(await readAll(Buffer.from(' [ ] '))).toMatchObject({ valid: [], invalid: [] });
    });
  });

  describe('when the body is malformed', () => {
    it('should fail with the byte position of the first error before handing out any event', async () => {
      const events = JSON.stringify(generator.batch(3));
      const body = Buffer.from(`${events.slice(0, -1)}, {"eventId": nope}]`);
      const reader = new EventBatchReader(body);

      const error = await reader.open().catch((failure: unknown) => failure);

      expect(error).toBeInstanceOf(JsonSyntaxError);
      expect(error).toMatchObject({ reason: "Unexpected token 'o'", position: body.indexOf('nope') + 1 });
      await expect(reader.slices().next()).rejects.toThrow('open() must complete');
    });

    it('should fail on an empty or truncated body', async () => {
      expect(await readError('')).toMatchObject({ reason: 'Unexpected end of JSON input', position: 0 });
      expect(await readError(JSON.stringify(generator.batch(3)).slice(0, -30))).toBeInstanceOf(JsonSyntaxError);
    });
  });

  describe('when the body is JSON but neither an array nor an object', () => {
    it('should refuse it naming what it is', async () => {
      for (const [text, found] of [
        ['42', 'number'],
        ['"x"', 'string'],
        ['null', 'null'],
        ['true', 'boolean'],
      ]) {
        const error = await readError(text as string);
        expect(error).toBeInstanceOf(UnsupportedBodyError);
        expect(error).toMatchObject({ found });
      }
    });
  });
});

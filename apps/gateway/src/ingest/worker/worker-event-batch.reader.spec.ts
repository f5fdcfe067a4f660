import { describe, expect, it, vi } from 'vitest';
import { type EventSlice } from '../event-batch.reader';
import { JsonSyntaxError } from '../json/json-syntax.error';
import { encodeSlice, serializeError } from './ingest-worker.protocol';
import { WorkerEventBatchReader } from './worker-event-batch.reader';

const slice = (eventId: string): EventSlice => ({
  valid: [{ index: 0, source: 'facebook', eventId, lane: 'live', start: 0, end: 1 }],
  invalid: [],
});

async function collect(reader: WorkerEventBatchReader): Promise<string[]> {
  const ids: string[] = [];
  for await (const next of reader.slices()) ids.push(...next.valid.map((event) => event.eventId));
  return ids;
}

describe(WorkerEventBatchReader, () => {
  describe('when the worker streams a body', () => {
    it('should open, then hand out the slices in order, whether they came before or after they were asked for', async () => {
      const reader = new WorkerEventBatchReader(vi.fn());
      reader.deliver({ kind: 'opened', id: 1 });
      await reader.open();
      reader.deliver({ kind: 'slice', id: 1, slice: encodeSlice(slice('a')) });

      const collected = collect(reader);
      await new Promise((resolve) => setImmediate(resolve));
      reader.deliver({ kind: 'slice', id: 1, slice: encodeSlice(slice('b')) });
      reader.deliver({ kind: 'done', id: 1 });

      expect(await collected).toEqual(['a', 'b']);
      expect(reader.settled).toBe(true);
    });
  });

  describe('when the worker finds the body malformed', () => {
    it('should reject open() with the typed error', async () => {
      const reader = new WorkerEventBatchReader(vi.fn());
      reader.deliver({
        kind: 'failed',
        id: 1,
        error: serializeError(new JsonSyntaxError('Unexpected end of JSON input', 3)),
      });
      await expect(reader.open()).rejects.toBeInstanceOf(JsonSyntaxError);
    });
  });

  describe('when the worker is lost while slices are read', () => {
    it('should end the slices with the failure', async () => {
      const reader = new WorkerEventBatchReader(vi.fn());
      reader.deliver({ kind: 'opened', id: 1 });
      const collected = collect(reader);
      reader.fail(new Error('ingest worker exited with code 1'));
      await expect(collected).rejects.toThrow('exited with code 1');
    });
  });

  describe('when the consumer stops before the end', () => {
    it('should ask the worker to stop reading', async () => {
      const cancel = vi.fn();
      const reader = new WorkerEventBatchReader(cancel);
      reader.deliver({ kind: 'opened', id: 1 });
      reader.deliver({ kind: 'slice', id: 1, slice: encodeSlice(slice('a')) });

      for await (const _ of reader.slices()) break;

      expect(cancel).toHaveBeenCalledTimes(1);
    });
  });
});

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readSharedBody } from './shared-body.reader';

function streamOf(...chunks: string[]): PassThrough {
  const stream = new PassThrough();
  queueMicrotask(() => {
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
  });
  return stream;
}

describe(readSharedBody, () => {
  describe('when the Content-Length is given', () => {
    it('should read the body into shared memory', async () => {
      const body = await readSharedBody(streamOf('[{"a":', '1} ]'), '10', 1_000);
      expect(body.toString()).toBe('[{"a":1} ]');
      expect(body.buffer).toBeInstanceOf(SharedArrayBuffer);
    });

    it('should refuse a body whose length differs from it with 400', async () => {
      await expect(readSharedBody(streamOf('[1]'), '5', 1_000)).rejects.toMatchObject({
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
      });
      await expect(readSharedBody(streamOf('[1,2,3]'), '3', 1_000)).rejects.toMatchObject({
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
      });
    });

    it('should refuse a declared length over the limit with 413 without reading', async () => {
      const stream = new PassThrough();
      await expect(readSharedBody(stream, '2000', 1_000)).rejects.toMatchObject({
        statusCode: 413,
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      });
      expect(stream.listenerCount('data')).toBe(0);
    });
  });

  describe('when the body is chunked, without a Content-Length', () => {
    it('should gather it into shared memory', async () => {
      const body = await readSharedBody(streamOf('[1,', '2,', '3]'), undefined, 1_000);
      expect(body.toString()).toBe('[1,2,3]');
      expect(body.buffer).toBeInstanceOf(SharedArrayBuffer);
    });

    it('should refuse it with 413 once it grows over the limit', async () => {
      await expect(readSharedBody(streamOf('x'.repeat(600), 'y'.repeat(600)), undefined, 1_000)).rejects.toMatchObject({
        statusCode: 413,
      });
    });
  });

  describe('when the upload breaks', () => {
    it('should fail with a 400 error', async () => {
      const stream = new PassThrough();
      queueMicrotask(() => stream.destroy(new Error('aborted')));
      await expect(readSharedBody(stream, '10', 1_000)).rejects.toMatchObject({ message: 'aborted', statusCode: 400 });
    });
  });
});

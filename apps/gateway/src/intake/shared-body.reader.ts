import { type Readable } from 'node:stream';
import { errorCodes } from 'fastify';

/**
 * Reads a request body into shared memory as it arrives, chunk by chunk. A 21 MB body is then never gathered
 * and copied in one blocking step (twice: joining the chunks, then sharing the result with a reading worker),
 * and a worker thread reads it without another copy.
 *
 * Same limits as Fastify's own body reading: over `limitBytes` → 413 (`FST_ERR_CTP_BODY_TOO_LARGE`, refused
 * from the `Content-Length` alone when it says so); fewer or more bytes than `Content-Length` → 400.
 */
export function readSharedBody(
  payload: Readable,
  contentLength: string | undefined,
  limitBytes: number,
): Promise<Buffer> {
  const declared = contentLength === undefined ? Number.NaN : Number(contentLength);
  if (declared > limitBytes) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  const sized = Number.isSafeInteger(declared) && declared >= 0;

  return new Promise<Buffer>((resolve, reject) => {
    // With a Content-Length the body goes straight to its place; without one (chunked) it is gathered first.
    const body = sized ? Buffer.from(new SharedArrayBuffer(declared)) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;

    const stop = (error?: Error, result?: Buffer) => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
      if (error) reject(error);
      else resolve(result as Buffer);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (received + bytes.length > limitBytes) return stop(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      if (body) {
        if (received + bytes.length > body.length) return stop(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        bytes.copy(body, received);
      } else {
        chunks.push(bytes);
      }
      received += bytes.length;
    };
    const onEnd = () => {
      if (body)
        return received === body.length
          ? stop(undefined, body)
          : stop(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      const gathered = Buffer.from(new SharedArrayBuffer(received));
      let offset = 0;
      for (const chunk of chunks) offset += chunk.copy(gathered, offset);
      stop(undefined, gathered);
    };
    const onError = (error: Error & { statusCode?: number }) => {
      error.statusCode ??= 400;
      stop(error);
    };

    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

import { PassThrough } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type GatewayConfig } from '../gateway.config';
import { BodyDecoder, BodyDecodingError } from './body-decoding';
import { readSharedBody } from './shared-body.reader';

const LIMIT = 1_000_000;

function decoderWith(limitBytes = LIMIT) {
  const registry = new Registry();
  return { registry, decoder: new BodyDecoder({ BODY_LIMIT_BYTES: limitBytes } as GatewayConfig, registry) };
}

/** A request body arriving in chunks of `chunkBytes`. */
function upload(bytes: Buffer, chunkBytes = 4_096): PassThrough {
  const stream = new PassThrough();
  queueMicrotask(() => {
    for (let offset = 0; offset < bytes.length; offset += chunkBytes)
      stream.write(bytes.subarray(offset, offset + chunkBytes));
    stream.end();
  });
  return stream;
}

async function bytesCounted(registry: Registry, encoding: string, stage: string): Promise<number> {
  const metric = await registry.getSingleMetric('gateway_body_bytes_total')?.get();
  return metric?.values.find((value) => value.labels.encoding === encoding && value.labels.stage === stage)?.value ?? 0;
}

const json = Buffer.from(JSON.stringify(Array.from({ length: 2_000 }, (_, index) => ({ index, source: 'facebook' }))));

describe(BodyDecoder, () => {
  describe.each([
    ['gzip', gzipSync(json)],
    ['deflate', deflateSync(json)],
    ['br', brotliCompressSync(json)],
  ])('when the body is sent with Content-Encoding: %s', (encoding, compressed) => {
    it('should decode it as it arrives and count both sizes', async () => {
      const { decoder, registry } = decoderWith();
      const body = await readSharedBody(decoder.decode(upload(compressed), encoding), undefined, LIMIT);
      expect(body.equals(json)).toBe(true);
      expect(await bytesCounted(registry, encoding, 'received')).toBe(compressed.length);
      expect(await bytesCounted(registry, encoding, 'decoded')).toBe(json.length);
    });
  });

  describe('when the body has no encoding, or identity', () => {
    it('should hand back the request stream itself', () => {
      const { decoder } = decoderWith();
      const payload = new PassThrough();
      expect(decoder.decode(payload, undefined)).toBe(payload);
      expect(decoder.decode(payload, ' Identity ')).toBe(payload);
      expect(BodyDecoder.isEncoded('identity')).toBe(false);
      expect(BodyDecoder.isEncoded('GZIP')).toBe(true);
    });
  });

  describe('when the encoding is unknown', () => {
    it('should refuse it with 415 and a message naming it', () => {
      const { decoder } = decoderWith();
      const refusal = (() => {
        try {
          decoder.decode(new PassThrough(), 'compress');
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(BodyDecodingError);
      expect((refusal as BodyDecodingError).getStatus()).toBe(415);
      expect((refusal as BodyDecodingError).code).toBe('GATEWAY.UNSUPPORTED_ENCODING');
      expect(() => decoder.decode(new PassThrough(), 'gzip, br')).toThrow(/"gzip, br" is not supported/);
    });
  });

  describe('when the gzip stream is corrupt', () => {
    it('should fail with 400 and say it could not be decoded', async () => {
      const { decoder } = decoderWith();
      const corrupt = gzipSync(json);
      corrupt.fill(0x41, 20, 60);
      await expect(readSharedBody(decoder.decode(upload(corrupt), 'gzip'), undefined, LIMIT)).rejects.toMatchObject({
        code: 'GATEWAY.CORRUPT_BODY',
        status: 400,
      });
    });

    it('should fail with 400 when it is cut short', async () => {
      const { decoder } = decoderWith();
      const truncated = gzipSync(json).subarray(0, 100);
      await expect(readSharedBody(decoder.decode(upload(truncated), 'gzip'), undefined, LIMIT)).rejects.toMatchObject({
        code: 'GATEWAY.CORRUPT_BODY',
        message: expect.stringContaining('could not be decoded') as string,
      });
    });
  });

  describe('when a small body inflates past the limit (a bomb)', () => {
    it('should fail with 413 one zlib chunk past the limit, without inflating the rest', async () => {
      const limit = 100_000;
      const { decoder, registry } = decoderWith(limit);
      const bomb = gzipSync(Buffer.alloc(100 * limit));
      expect(bomb.length).toBeLessThan(limit / 5);
      await expect(readSharedBody(decoder.decode(upload(bomb), 'gzip'), undefined, limit)).rejects.toMatchObject({
        statusCode: 413,
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      });
      const decoded = await bytesCounted(registry, 'gzip', 'decoded');
      expect(decoded).toBeGreaterThan(limit);
      expect(decoded).toBeLessThanOrEqual(limit + 16 * 1024);
    });
  });

  describe('when the compressed body itself is over the limit', () => {
    it('should fail with 413 even though it decodes to less', async () => {
      const { decoder, registry } = decoderWith(1_000);
      // Empty gzip members, one after the other: 20 bytes each that decode to nothing.
      const members = Buffer.concat(Array.from({ length: 100 }, () => gzipSync(Buffer.alloc(0))));
      await expect(
        readSharedBody(decoder.decode(upload(members, 512), 'gzip'), undefined, 1_000),
      ).rejects.toMatchObject({ statusCode: 413 });
      expect(await bytesCounted(registry, 'gzip', 'decoded')).toBe(0);
    });
  });
});

import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@evp/observability';
import { errorCodes } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';

/** The `Content-Encoding` values the webhook decodes, each with its zlib stream (`x-gzip` is gzip's old name). */
const DECODERS = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  // RFC 9110's deflate: the zlib format (RFC 1950), not a raw deflate stream.
  deflate: createInflate,
  br: createBrotliDecompress,
} as const;

type Encoding = keyof typeof DECODERS;

function isDecodable(encoding: string): encoding is Encoding {
  return Object.hasOwn(DECODERS, encoding);
}

/** A body the gateway cannot turn back into JSON bytes: 415 (unknown encoding) or 400 (corrupt stream). */
export class BodyDecodingError extends HttpException {
  override readonly name = 'BodyDecodingError';

  constructor(
    readonly code: 'GATEWAY.UNSUPPORTED_ENCODING' | 'GATEWAY.CORRUPT_BODY',
    message: string,
    status: HttpStatus,
  ) {
    super({ error: code, message }, status);
  }
}

/**
 * Turns a webhook request's body stream into the JSON bytes it carries, decoding `Content-Encoding: gzip`,
 * `deflate` or `br` while the body arrives (nothing compressed is gathered first). Both the compressed bytes
 * received and the bytes inflated are capped at BODY_LIMIT_BYTES and counted as they pass: past the cap the
 * decoder is destroyed at once with 413, so a small body that would inflate to gigabytes is cut one zlib chunk
 * (16 KiB) past the cap instead of inflated whole. `gateway_body_bytes_total{encoding,stage}` counts
 * `received` and `decoded` bytes (the same number for `identity`).
 */
@Injectable()
export class BodyDecoder {
  private readonly limitBytes: number;
  private readonly bytes: Counter<'encoding' | 'stage'>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, @Inject(METRICS_REGISTRY) registry: Registry) {
    this.limitBytes = config.BODY_LIMIT_BYTES;
    this.bytes = new Counter({
      name: 'gateway_body_bytes_total',
      help: 'Webhook body bytes by Content-Encoding: as received (stage="received") and once decoded (stage="decoded").',
      labelNames: ['encoding', 'stage'],
      registers: [registry],
    });
  }

  /** Whether a request's body arrives encoded, so its Content-Length says nothing of the bytes it decodes to. */
  static isEncoded(contentEncoding: string | undefined): boolean {
    return encodingOf(contentEncoding) !== 'identity';
  }

  /**
   * The stream of the body's JSON bytes: `payload` itself when it is not encoded (counted once read, see
   * {@link countPlain}), else a decoding stream fed from it. Throws a 415 {@link BodyDecodingError} for an encoding
   * the gateway does not decode.
   */
  decode(payload: Readable, contentEncoding: string | undefined): Readable {
    const encoding = encodingOf(contentEncoding);
    if (encoding === 'identity') return payload;
    if (!isDecodable(encoding)) {
      throw new BodyDecodingError(
        'GATEWAY.UNSUPPORTED_ENCODING',
        `content encoding ${JSON.stringify(contentEncoding)} is not supported: send the body as it is, or encoded with one of gzip, deflate, br`,
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      );
    }
    const received = new ByteCap(this.limitBytes, (count) => this.bytes.inc({ encoding, stage: 'received' }, count));
    const decoder = DECODERS[encoding]();
    const decoded = new ByteCap(this.limitBytes, (count) => this.bytes.inc({ encoding, stage: 'decoded' }, count));

    const fail = (error: Error) => {
      payload.unpipe(received);
      // The rest of the upload is read and dropped, so the connection stays usable for the answer.
      payload.resume();
      received.destroy();
      decoder.destroy();
      decoded.destroy(error);
    };
    payload.on('error', fail);
    received.on('error', fail);
    decoder.on('error', (error: Error & { code?: string }) =>
      fail(
        new BodyDecodingError(
          'GATEWAY.CORRUPT_BODY',
          `the ${encoding} body could not be decoded (${error.code ?? 'error'}: ${error.message}); send it whole and encoded as its Content-Encoding says`,
          HttpStatus.BAD_REQUEST,
        ),
      ),
    );
    decoded.on('error', (error) => {
      if (!decoder.destroyed) fail(error);
    });
    payload.pipe(received).pipe(decoder).pipe(decoded);
    return decoded;
  }

  /** Counts a body that arrived as it is (no Content-Encoding): received and decoded are the same bytes. */
  countPlain(bytes: number): void {
    this.bytes.inc({ encoding: 'identity', stage: 'received' }, bytes);
    this.bytes.inc({ encoding: 'identity', stage: 'decoded' }, bytes);
  }
}

/** `identity` for no encoding; otherwise the encoding named, lower-cased (`gzip, br` stays whole and is refused). */
function encodingOf(contentEncoding: string | undefined): string {
  const encoding = contentEncoding?.trim().toLowerCase() ?? '';
  return encoding === '' || encoding === 'identity' ? 'identity' : encoding;
}

/** Passes bytes through, counting them, and fails with 413 as soon as they pass `limitBytes`. */
class ByteCap extends Transform {
  private total = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly count: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length;
    this.count(chunk.length);
    if (this.total > this.limitBytes) callback(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    else callback(null, chunk);
  }
}

import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { type MsgHdrs, MsgHdrsImpl } from '@nats-io/nats-core';
import { MSG_ID_HEADER } from './messaging.constants';
import { InvalidHeaderError } from './messaging.errors';

const HEADER_NAME = /^[!-9;-~]+$/;
const HEADER_VALUE = /^[^\r\n]*$/;

/**
 * Headers whose wire form is built once as a single string. `MsgHdrsImpl` canonicalises and validates every key
 * through several allocations (about 6 µs for two headers against 0.7 µs here): at 40k+ messages a second that
 * alone is a quarter of the publish budget. Publishing only calls `encode()`; these objects never leave the module.
 */
class PreEncodedHeaders extends MsgHdrsImpl {
  constructor(private readonly wire: Uint8Array) {
    super();
  }

  override encode(): Uint8Array {
    return this.wire;
  }
}

/**
 * The NATS header block for a message: `Nats-Msg-Id`, the correlation id, then `extra`.
 * Returns undefined when there is nothing to send. Throws `InvalidHeaderError` for a name or value NATS cannot carry.
 */
export function encodeHeaders(
  msgId: string | undefined,
  correlationId: string | undefined,
  extra?: Record<string, string>,
): MsgHdrs | undefined {
  let block = '';
  if (msgId !== undefined) block += line(MSG_ID_HEADER, msgId);
  if (correlationId !== undefined) block += line(CORRELATION_ID_HEADER, correlationId);
  if (extra !== undefined) {
    for (const key in extra) {
      if (!HEADER_NAME.test(key)) throw new InvalidHeaderError(key);
      block += line(key, extra[key] as string);
    }
  }
  if (block === '') return undefined;
  return new PreEncodedHeaders(Buffer.from(`NATS/1.0\r\n${block}\r\n`));
}

function line(key: string, value: string): string {
  if (!HEADER_VALUE.test(value)) throw new InvalidHeaderError(key);
  return `${key}: ${value}\r\n`;
}

/** A received message's headers as a plain record (first value of a repeated header). */
export function headersToRecord(headers: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers === undefined) return record;
  for (const [key, values] of headers) {
    if (values[0] !== undefined) record[key] = values[0];
  }
  return record;
}

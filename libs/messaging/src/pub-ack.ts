import type { Msg } from '@nats-io/nats-core';

/** What one reply to a JetStream publish says. */
export type PubAckResult =
  { kind: 'stored' } | { kind: 'duplicate' } | { kind: 'rejected'; description: string } | { kind: 'no-responders' };

const STORED: PubAckResult = { kind: 'stored' };
const DUPLICATE: PubAckResult = { kind: 'duplicate' };
const NO_RESPONDERS: PubAckResult = { kind: 'no-responders' };
const decoder = new TextDecoder();
const SUCCESS_PREFIX = new TextEncoder().encode('{"stream":');
const DUPLICATE_KEY = Buffer.from('"duplicate"');
const TRUE = Buffer.from('true');
const ERROR_KEY = Buffer.from('"error"');

interface PubAckBody {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

/** Classifies a PubAck: `{stream, seq, duplicate?}`, `{error}`, or a 503 status when nothing listens on the subject. */
export function parsePubAck(reply: Msg): PubAckResult {
  const data = reply.data;
  if (data.length === 0) {
    // An empty reply is a status message; only its headers say what happened.
    const code = reply.headers?.code ?? 0;
    return code === 503
      ? NO_RESPONDERS
      : { kind: 'rejected', description: `status ${code} ${reply.headers?.description ?? ''}`.trim() };
  }
  // A positive PubAck is `{"stream":…, "seq":…[,"duplicate": true]}`: recognised from its bytes, since decoding and
  // parsing JSON for each of tens of thousands of replies a second is a measurable share of the publish cost.
  // Anything mentioning an error takes the full parse.
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (startsWith(bytes, SUCCESS_PREFIX) && !bytes.includes(ERROR_KEY))
    return isFlagTrue(bytes, DUPLICATE_KEY) ? DUPLICATE : STORED;
  let body: PubAckBody;
  try {
    body = JSON.parse(decoder.decode(data)) as PubAckBody;
  } catch {
    return { kind: 'rejected', description: 'unreadable PubAck' };
  }
  if (body.error !== undefined) {
    const { code, err_code: errCode, description } = body.error;
    return {
      kind: 'rejected',
      description: `${description ?? 'error'} (code ${code ?? '?'}, err_code ${errCode ?? '?'})`,
    };
  }
  if (typeof body.seq !== 'number' || typeof body.stream !== 'string')
    return { kind: 'rejected', description: 'PubAck without stream/seq' };
  return body.duplicate === true ? DUPLICATE : STORED;
}

/** Whether `"key"` is followed (after the colon and any spaces) by `true`. */
function isFlagTrue(bytes: Buffer, key: Buffer): boolean {
  const at = bytes.indexOf(key);
  if (at === -1) return false;
  let index = at + key.length;
  // 0x20 space, 0x3a colon
  while (bytes[index] === 0x20 || bytes[index] === 0x3a) index++;
  return bytes.subarray(index, index + TRUE.length).equals(TRUE);
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let index = 0; index < prefix.length; index++) if (data[index] !== prefix[index]) return false;
  return true;
}

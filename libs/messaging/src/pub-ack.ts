import type { Msg } from '@nats-io/nats-core';

/** What one reply to a JetStream publish says. */
export type PubAckResult =
  | { kind: 'stored' }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; description: string }
  | { kind: 'no-responders' };

const STORED: PubAckResult = { kind: 'stored' };
const DUPLICATE: PubAckResult = { kind: 'duplicate' };
const NO_RESPONDERS: PubAckResult = { kind: 'no-responders' };
const decoder = new TextDecoder();

interface PubAckBody {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

/** Classifies a PubAck: `{stream, seq, duplicate?}`, `{error}`, or a 503 status when nothing listens on the subject. */
export function parsePubAck(reply: Msg): PubAckResult {
  if (reply.data.length === 0) {
    // An empty reply is a status message; only its headers say what happened.
    const code = reply.headers?.code ?? 0;
    return code === 503 ? NO_RESPONDERS : { kind: 'rejected', description: `status ${code} ${reply.headers?.description ?? ''}`.trim() };
  }
  let body: PubAckBody;
  try {
    body = JSON.parse(decoder.decode(reply.data)) as PubAckBody;
  } catch {
    return { kind: 'rejected', description: 'unreadable PubAck' };
  }
  if (body.error !== undefined) {
    const { code, err_code: errCode, description } = body.error;
    return { kind: 'rejected', description: `${description ?? 'error'} (code ${code ?? '?'}, err_code ${errCode ?? '?'})` };
  }
  if (typeof body.seq !== 'number' || typeof body.stream !== 'string') return { kind: 'rejected', description: 'PubAck without stream/seq' };
  return body.duplicate === true ? DUPLICATE : STORED;
}

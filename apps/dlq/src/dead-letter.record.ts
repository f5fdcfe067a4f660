import { CORRELATION_ID_HEADER } from '@evp/contracts';
import {
  DEAD_LETTER_ORIGIN_HEADER,
  DEAD_LETTER_REASON_HEADER,
  ORIGINAL_MSG_ID_HEADER,
  ORIGINAL_SUBJECT_HEADER,
} from '@evp/messaging';
import type { StoredMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';

/** One letter of the dead-letter stream. */
export interface DeadLetterRecord {
  seq: number;
  time: Date;
  subject: string;
  origin: string;
  reason: string;
  eventId: string | undefined;
  correlationId: string | undefined;
  originalSubject: string | undefined;
  headers: Record<string, string>;
  data: Uint8Array;
}

export function recordOf(stored: StoredMsg, prefix: string): DeadLetterRecord {
  // A message published without headers has none to decode.
  const header = stored.header as MsgHdrs | undefined;
  const headers: Record<string, string> = {};
  for (const [name, values] of header ?? []) headers[name] = values.join(', ');
  const get = (name: string) => (header?.has(name) ? header.get(name) : undefined);
  return {
    seq: stored.seq,
    time: stored.time,
    subject: stored.subject,
    origin: get(DEAD_LETTER_ORIGIN_HEADER) ?? stored.subject.slice(prefix.length + 1),
    reason: get(DEAD_LETTER_REASON_HEADER) ?? '(no reason recorded)',
    eventId: get(ORIGINAL_MSG_ID_HEADER),
    correlationId: get(CORRELATION_ID_HEADER),
    originalSubject: get(ORIGINAL_SUBJECT_HEADER),
    headers,
    data: stored.data,
  };
}

/** A letter as `--json` prints it: the payload as text, time as ISO-8601 UTC. */
export function jsonOf(letter: DeadLetterRecord, withPayload: boolean): Record<string, unknown> {
  const { data, time, ...fields } = letter;
  return {
    ...fields,
    time: time.toISOString(),
    ...(withPayload ? { payload: Buffer.from(data).toString('utf8') } : {}),
  };
}

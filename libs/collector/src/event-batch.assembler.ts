import type { EventRow } from '@evp/database';
import type { ConsumedMessage } from '@evp/messaging';
import type { EventMessageDecoder } from './event-message.decoder';

/** A poison message of the batch and why. */
export interface PoisonMessage {
  index: number;
  reason: string;
  eventId: string | undefined;
}

/** A fetched batch ready to write: one row per distinct event id, and which row each message became. */
export interface AssembledBatch {
  rows: EventRow[];
  /** Per message: index into `rows`, or -1 for a poison message. */
  rowOfMessage: Int32Array;
  poison: PoisonMessage[];
}

/**
 * Decodes every message and keeps the first row of each event: a redelivered or re-published event appears once in
 * the statement, and every message carrying it is acked with the batch. The same event is the same id AND timestamp:
 * an id seen again in the batch with another timestamp is poison (`conflicting timestamp`), as the writer treats one
 * already stored (see the database README).
 */
export function assembleBatch(messages: readonly ConsumedMessage[], decoder: EventMessageDecoder): AssembledBatch {
  const rows: EventRow[] = [];
  const rowOfMessage = new Int32Array(messages.length);
  const poison: PoisonMessage[] = [];
  const rowOfEventId = new Map<string, number>();
  for (let index = 0; index < messages.length; index++) {
    const decoded = decoder.decode(messages[index] as ConsumedMessage);
    if (!decoded.ok) {
      rowOfMessage[index] = -1;
      poison.push({ index, reason: decoded.reason, eventId: decoded.eventId });
      continue;
    }
    const { row } = decoded;
    let rowIndex = rowOfEventId.get(row.eventId);
    const first = rowIndex === undefined ? undefined : rows[rowIndex];
    if (first !== undefined && !sameInstant(first.occurredAt, row.occurredAt)) {
      rowOfMessage[index] = -1;
      poison.push({ index, reason: conflictingTimestamp(`(${first.occurredAt}) in this batch`), eventId: row.eventId });
      continue;
    }
    if (rowIndex === undefined) {
      rowIndex = rows.length;
      rows.push(row);
      rowOfEventId.set(row.eventId, rowIndex);
    }
    rowOfMessage[index] = rowIndex;
  }
  return { rows, rowOfMessage, poison };
}

/** The reason an event is refused when its id is already taken by an event with another timestamp (`where`). */
export function conflictingTimestamp(where: string): string {
  return `conflicting timestamp: the event id is already taken by an event with another timestamp ${where}`;
}

/** Equal texts are the same instant; other texts may still be (time-zone offsets), which only parsing tells. */
function sameInstant(a: string, b: string): boolean {
  return a === b || Date.parse(a) === Date.parse(b);
}

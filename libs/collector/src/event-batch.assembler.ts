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
 * Decodes every message and keeps the first row of each event id: a redelivered or re-published event appears
 * once in the statement, and every message carrying it is acked with the batch.
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
    if (rowIndex === undefined) {
      rowIndex = rows.length;
      rows.push(row);
      rowOfEventId.set(row.eventId, rowIndex);
    }
    rowOfMessage[index] = rowIndex;
  }
  return { rows, rowOfMessage, poison };
}

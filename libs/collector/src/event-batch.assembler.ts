import type { EventRow } from '@evp/database';
import type { ConsumedMessage } from '@evp/messaging';
import { type EventMessageDecoder, eventOfMessage } from './event-message.decoder';

/** An event of an array message that cannot be stored: dead-lettered alone. */
export interface RejectedEvent {
  /** Position of the event in its message. */
  index: number;
  reason: string;
  eventId: string | undefined;
}

/** What one fetched message became. */
export interface AssembledMessage {
  /** Events the message holds (a message poison as a whole counts as one). */
  events: number;
  /** A JSON array of events; otherwise one event object. */
  packed: boolean;
  /** Set when the message is poison as a whole: it is dead-lettered as it is. */
  poison?: { reason: string; eventId: string | undefined };
  /** For each event to store: its index into the batch's `rows`, and its position in the message (`positions`). */
  rows: number[];
  positions: number[];
  /** Events of an array message refused before any write. */
  rejected: RejectedEvent[];
}

/** A fetched batch ready to write: one row per distinct event, and what became of each message. */
export interface AssembledBatch {
  rows: EventRow[];
  /** Bytes of each row's event as received: its message's size shared among the message's events. */
  rowBytes: number[];
  messages: AssembledMessage[];
  /** Events of every message together. */
  events: number;
}

/**
 * Decodes every message and keeps the first row of each event: an event repeated in a message, in the batch or
 * re-published appears once in the statement, and every message carrying it is acked once that row is committed.
 * The same event is the same id AND timestamp: an id seen again in the batch with another timestamp is refused
 * (`conflicting timestamp`), as the writer treats one already stored (see the database README). A refused event
 * fails alone in an array message; a single-object message is the event, so it is poison as a whole.
 */
export function assembleBatch(messages: readonly ConsumedMessage[], decoder: EventMessageDecoder): AssembledBatch {
  const rows: EventRow[] = [];
  const rowBytes: number[] = [];
  const rowOfEventId = new Map<string, number>();
  let events = 0;
  const assembled = messages.map((message): AssembledMessage => {
    const decoded = decoder.decode(message);
    if (!decoded.ok) {
      events++;
      return {
        events: 1,
        packed: false,
        poison: { reason: decoded.reason, eventId: decoded.eventId },
        rows: [],
        positions: [],
        rejected: [],
      };
    }
    const result: AssembledMessage = {
      events: decoded.events.length,
      packed: decoded.packed,
      rows: [],
      positions: [],
      rejected: [],
    };
    events += decoded.events.length;
    decoded.events.forEach((event, index) => {
      if (!event.ok) {
        result.rejected.push({ index, reason: event.reason, eventId: event.eventId });
        return;
      }
      const { row } = event;
      let rowIndex = rowOfEventId.get(row.eventId);
      const first = rowIndex === undefined ? undefined : rows[rowIndex];
      if (first !== undefined && !sameInstant(first.occurredAt, row.occurredAt)) {
        const reason = conflictingTimestamp(`(${first.occurredAt}) in this batch`);
        result.rejected.push({
          index,
          reason: decoded.packed ? eventOfMessage(index, reason) : reason,
          eventId: row.eventId,
        });
        return;
      }
      if (rowIndex === undefined) {
        rowIndex = rows.length;
        rows.push(row);
        rowBytes.push(Math.ceil(message.data.length / decoded.events.length));
        rowOfEventId.set(row.eventId, rowIndex);
      }
      result.rows.push(rowIndex);
      result.positions.push(index);
    });
    const [refused] = result.rejected;
    if (!decoded.packed && refused !== undefined) {
      return { ...result, poison: { reason: refused.reason, eventId: refused.eventId }, rejected: [] };
    }
    return result;
  });
  return { rows, rowBytes, messages: assembled, events };
}

/** The reason an event is refused when its id is already taken by an event with another timestamp (`where`). */
export function conflictingTimestamp(where: string): string {
  return `conflicting timestamp: the event id is already taken by an event with another timestamp ${where}`;
}

/** Equal texts are the same instant; other texts may still be (time-zone offsets), which only parsing tells. */
function sameInstant(a: string, b: string): boolean {
  return a === b || Date.parse(a) === Date.parse(b);
}

import { extraFieldsOf, type MarketingEvent, RECEIVED_AT_HEADER, type Source, validateEvent } from '@evp/contracts';
import type { EventRow } from '@evp/database';
import type { ConsumedMessage } from '@evp/messaging';
import type { NormaliseContext } from './event.normaliser';

/** One event of a message turned into a row, or the reason it cannot be stored. */
export type DecodedEvent = { ok: true; row: EventRow } | { ok: false; reason: string; eventId: string | undefined };

/**
 * A message turned into its events, or the reason it is poison as a whole. `packed` says whether the message is a
 * JSON array of events (as the gateway publishes them); otherwise it was one event object, the earlier wire format.
 */
export type DecodedMessage =
  { ok: true; packed: boolean; events: DecodedEvent[] } | { ok: false; reason: string; eventId: string | undefined };

/**
 * Turns one message into rows for the batch. The message is a JSON array of events, or one event object as
 * published before events were packed (still in a stream during an upgrade). Each event goes through the
 * contract's validation, a check that it belongs to this collector's source, then the source's normaliser.
 *
 * A message that is not JSON, or an empty array, is poison as a whole; so is an invalid single-object message,
 * which is the event itself. In an array, an invalid event fails alone, its reason naming its index in the
 * message, and the other events are stored. Retrying the same bytes can never make a failed event valid, so the
 * caller dead-letters it with the reason.
 */
export class EventMessageDecoder {
  constructor(
    private readonly source: Source,
    private readonly normalise: (event: MarketingEvent, context: NormaliseContext) => EventRow,
  ) {}

  decode(message: ConsumedMessage): DecodedMessage {
    let input: unknown;
    try {
      input = JSON.parse(textOf(message.data));
    } catch (error) {
      return { ok: false, reason: `not JSON: ${messageOf(error)}`, eventId: message.msgId };
    }
    const stamps: RowStamps = { correlationId: message.correlationId ?? null, receivedAt: receivedAtOf(message) };
    if (!Array.isArray(input)) {
      const event = this.decodeEvent(input, stamps);
      if (event.ok) return { ok: true, packed: false, events: [event] };
      return { ok: false, reason: event.reason, eventId: event.eventId ?? message.msgId };
    }
    if (input.length === 0) return { ok: false, reason: 'no event in the message', eventId: message.msgId };
    const events = input.map((item: unknown, index): DecodedEvent => {
      const event = this.decodeEvent(item, stamps);
      return event.ok ? event : { ...event, reason: eventOfMessage(index, event.reason) };
    });
    return { ok: true, packed: true, events };
  }

  /**
   * The bytes of the event at `index` of an array message, for its dead letter: serialised again from the parsed
   * message, so equal as JSON to what was published though not always byte for byte.
   */
  eventBytes(message: ConsumedMessage, index: number): Uint8Array {
    const events = JSON.parse(textOf(message.data)) as unknown[];
    return Buffer.from(JSON.stringify(events[index]) ?? 'null');
  }

  private decodeEvent(input: unknown, { correlationId, receivedAt }: RowStamps): DecodedEvent {
    const validation = validateEvent(input);
    if (!validation.ok) {
      const issues = validation.issues.map((issue) => `${issue.path || '(event)'}: ${issue.message}`).join('; ');
      return { ok: false, reason: `invalid event: ${issues}`, eventId: validation.eventId };
    }
    const { event } = validation;
    if (event.source !== this.source) {
      return {
        ok: false,
        reason: `event of source ${event.source} on the ${this.source} subject`,
        eventId: event.eventId,
      };
    }
    // Valid, so the input is an object; its fields outside the contract are kept beside the typed columns.
    const extra = extraFieldsOf(input as Record<string, unknown>, event.source, event.funnelStage);
    try {
      const context = { extra: extra === undefined ? null : JSON.stringify(extra), correlationId };
      const row = this.normalise(event, context);
      row.receivedAt = receivedAt;
      return { ok: true, row };
    } catch (error) {
      return { ok: false, reason: `cannot be stored: ${messageOf(error)}`, eventId: event.eventId };
    }
  }
}

/** What every row of a message carries from the message's headers. */
interface RowStamps {
  correlationId: string | null;
  receivedAt: string | null;
}

/**
 * The time the gateway received the message's body (header `x-received-at`), or null when the message has none (it
 * was published before the header existed) or one that is not an instant: a bad header must not poison the events.
 */
export function receivedAtOf(message: ConsumedMessage): string | null {
  const value = message.headers[RECEIVED_AT_HEADER];
  return value !== undefined && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)) ? value : null;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** The reason an event of an array message fails, naming its position so it can be found in the message. */
export function eventOfMessage(index: number, reason: string): string {
  return `event ${index} of the message: ${reason}`;
}

function textOf(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

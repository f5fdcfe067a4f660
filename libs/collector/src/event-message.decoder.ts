import { extraFieldsOf, type MarketingEvent, type Source, validateEvent } from '@evp/contracts';
import type { EventRow } from '@evp/database';
import type { ConsumedMessage } from '@evp/messaging';
import type { NormaliseContext } from './event.normaliser';

/** A message turned into a row, or the reason it is poison. */
export type DecodedMessage = { ok: true; row: EventRow } | { ok: false; reason: string; eventId: string | undefined };

/**
 * Turns one message into a row for the batch: JSON.parse, the contract's validation, a check that the event
 * belongs to this collector's source, then the source's normaliser. Anything that fails is poison: retrying
 * the same bytes can never succeed, so the caller dead-letters it with the reason.
 */
export class EventMessageDecoder {
  constructor(
    private readonly source: Source,
    private readonly normalise: (event: MarketingEvent, context: NormaliseContext) => EventRow,
  ) {}

  decode(message: ConsumedMessage): DecodedMessage {
    const { data } = message;
    const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    let input: unknown;
    try {
      input = JSON.parse(raw);
    } catch (error) {
      return { ok: false, reason: `not JSON: ${messageOf(error)}`, eventId: message.msgId };
    }
    const validation = validateEvent(input);
    if (!validation.ok) {
      const issues = validation.issues.map((issue) => `${issue.path || '(event)'}: ${issue.message}`).join('; ');
      return { ok: false, reason: `invalid event: ${issues}`, eventId: validation.eventId ?? message.msgId };
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
      const context = {
        extra: extra === undefined ? null : JSON.stringify(extra),
        correlationId: message.correlationId ?? null,
      };
      return { ok: true, row: this.normalise(event, context) };
    } catch (error) {
      return { ok: false, reason: `cannot be stored: ${messageOf(error)}`, eventId: event.eventId };
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

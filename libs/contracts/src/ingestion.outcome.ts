import { z } from 'zod';
import { SOURCES } from './event-taxonomy';
import { EVENTS_SUBJECT_PREFIX } from './messaging.constants';

/**
 * What became of what a sender sent, as the gateway records it per request: `accepted` events are new in the events
 * stream (duplicates of events already there are not counted again), `dead_lettered` events were refused with a
 * `reason` (`invalid`, `future_timestamp`), `throttled` counts requests refused with 429 (their bodies are not read,
 * so their events are unknown), with the sender as the reason.
 */
export const INGESTION_OUTCOMES = ['accepted', 'dead_lettered', 'throttled'] as const;
export type IngestionOutcome = (typeof INGESTION_OUTCOMES)[number];

/** Why the gateway refuses and dead-letters an event: not a valid event, or dated too far past its received time. */
export const INGESTION_REFUSAL_REASONS = ['invalid', 'future_timestamp'] as const;

/** Source of a count whose events name no known source, and of throttled requests (whose bodies are not read). */
export const UNKNOWN_SOURCE = 'unknown';

/** Durable consumer that folds ingestion records into the database, shared by both collectors. */
export const INGESTION_DURABLE = 'ingestion-outcomes';

/**
 * `<events stream>_INGESTION` (`EVENTS_INGESTION`): a small work-queue stream of its own, so the records never mix
 * with the events the collectors store nor change what the events stream holds.
 */
export function ingestionStreamName(eventsStream: string): string {
  return `${eventsStream}_INGESTION`;
}

/** `events.ingestion`: the gateway's ingestion records, in the events stream beside the events. */
export function ingestionSubject(prefix: string = EVENTS_SUBJECT_PREFIX): string {
  return `${prefix}.ingestion`;
}

export const ingestionCountSchema = z.strictObject({
  source: z.enum([...SOURCES, UNKNOWN_SOURCE]),
  outcome: z.enum(INGESTION_OUTCOMES),
  /** Empty for `accepted`. */
  reason: z.string().max(200),
  count: z.number().int().positive(),
});

/** One request's ingestion record, published with a unique message id so that a redelivery is recognised. */
export const ingestionRecordSchema = z.strictObject({
  /** When the gateway received the request, ISO-8601 UTC: the record counts in that minute. */
  receivedAt: z.iso.datetime({ offset: false }),
  counts: z.array(ingestionCountSchema).min(1),
});

export type IngestionCount = z.output<typeof ingestionCountSchema>;
export type IngestionRecord = z.output<typeof ingestionRecordSchema>;

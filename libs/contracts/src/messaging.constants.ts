import type { Source } from './event-taxonomy';

/** HTTP request/response header and NATS message header that carries the correlation id. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/**
 * NATS message header on the events stream: how many events the message's data holds (a JSON array of events;
 * messages published before events were packed hold one event object and no such header).
 */
export const EVENT_COUNT_HEADER = 'x-event-count';

/** Default JetStream stream that buffers accepted events, one subject per source below it. */
export const EVENTS_STREAM = 'EVENTS';
export const EVENTS_SUBJECT_PREFIX = 'events';

/** Default JetStream stream that keeps dead-lettered messages (rejected or poison) with their reason. */
export const DEAD_LETTER_STREAM = 'EVENTS_DLQ';
export const DEAD_LETTER_SUBJECT_PREFIX = 'dlq';

/** Default durable consumer names of the collectors. */
export const COLLECTOR_DURABLES = {
  facebook: 'fb-collector',
  tiktok: 'ttk-collector',
} as const satisfies Record<Source, string>;

/** `events.facebook`, `events.tiktok`; the prefix lets tests and environments use their own subjects. */
export function eventSubject(source: Source, prefix: string = EVENTS_SUBJECT_PREFIX): string {
  return `${prefix}.${source}`;
}

/** `dlq.<origin>`, where origin names who dead-lettered the message (`gateway`, `fb-collector`, …). */
export function deadLetterSubject(origin: string, prefix: string = DEAD_LETTER_SUBJECT_PREFIX): string {
  return `${prefix}.${origin}`;
}

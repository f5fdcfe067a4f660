import type { Source } from './event-taxonomy';

/** HTTP request/response header and NATS message header that carries the correlation id. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/**
 * NATS message header on the events stream: how many events the message's data holds (a JSON array of events;
 * messages published before events were packed hold one event object and no such header).
 */
export const EVENT_COUNT_HEADER = 'x-event-count';

/**
 * NATS message header on the events stream: when the gateway received the body the message's events came in, as
 * ISO-8601 UTC with milliseconds (messages published before it existed have none: their rows store NULL).
 */
export const RECEIVED_AT_HEADER = 'x-received-at';

/**
 * The two lanes of the events stream: `live` for events of about now, `backfill` for events dated long before the
 * gateway received them (a re-sent history), which get subjects and consumers of their own so they never queue in
 * front of live events.
 */
export const LANES = ['live', 'backfill'] as const;
export type Lane = (typeof LANES)[number];

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

/** `events.backfill.facebook`, `events.backfill.tiktok`: the backfill lane of each source. */
export function backfillSubject(source: Source, prefix: string = EVENTS_SUBJECT_PREFIX): string {
  return `${prefix}.backfill.${source}`;
}

/** The subject of a source's events in a lane. */
export function laneSubject(lane: Lane, source: Source, prefix: string = EVENTS_SUBJECT_PREFIX): string {
  return lane === 'live' ? eventSubject(source, prefix) : backfillSubject(source, prefix);
}

/** The durable consumer of a lane: the live one's name as configured, the backfill one's with `-backfill` after it. */
export function laneDurable(lane: Lane, durable: string): string {
  return lane === 'live' ? durable : `${durable}-backfill`;
}

/** `dlq.<origin>`, where origin names who dead-lettered the message (`gateway`, `fb-collector`, …). */
export function deadLetterSubject(origin: string, prefix: string = DEAD_LETTER_SUBJECT_PREFIX): string {
  return `${prefix}.${origin}`;
}

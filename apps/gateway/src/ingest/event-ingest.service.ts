import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import {
  EVENT_COUNT_HEADER,
  LANES,
  type Lane,
  RECEIVED_AT_HEADER,
  SOURCES,
  type Source,
  UNKNOWN_SOURCE,
  deadLetterSubject,
  laneSubject,
} from '@evp/contracts';
import { type DeadLetter } from '@evp/messaging';
import { EVENT_SINK, GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';
import { type EventSlice, type InvalidEvent, REFUSAL_REASONS } from './event-batch.reader';
import { EventBatchReaders } from './event-batch.readers';
import { EventMessagePacker, type PackedMessage } from './event-message.packer';
import { type EventSink } from './event.sink';
import { type IngestResult } from './ingest-reply.builder';
import { IngestMetrics, countBySource } from './ingest.metrics';
import { IngestionRecorder, IngestionTally } from './ingestion.recorder';

/** Who dead-letters rejected webhook events, as recorded in each dead letter. */
export const GATEWAY_ORIGIN = 'gateway';

/** Header of the letter that counts a body's invalid events past MAX_INVALID_EVENTS_DEAD_LETTERED. */
export const OMITTED_DEAD_LETTERS_HEADER = 'x-dead-letters-omitted';

/**
 * Events of one request sent to the broker and not yet confirmed, at most; handing over waits beyond it. With 200
 * events a message that is some 25 messages in flight: enough to keep the broker busy, and a large body does not
 * queue megabytes in the client at once.
 */
const MAX_UNCONFIRMED_EVENTS = 5_000;

/** Room left under the broker's `max_payload` for a message's headers (id, correlation id, event count). */
const HEADER_ALLOWANCE_BYTES = 4_096;

/** How one hand-over to the sink ended: never a rejection, so a failure cannot go unobserved while others run. */
interface Delivery {
  /** Events the broker confirmed (stored or duplicate); dead letters are not accepted events. */
  accepted: number;
  duplicates: number;
  /** The source of the events, for a published message. */
  source?: Source;
  failure?: Error;
}

/**
 * Takes one webhook body to JetStream: checks the JSON of the whole body first (a malformed body is refused
 * as a whole, nothing published), then validates the events slice by slice and hands them to the broker while
 * the next slice is validated: valid events packed per source into messages of up to `EVENTS_PER_MESSAGE` events
 * (a JSON array of their original bytes; the message id a digest of their ids, the correlation id and the event
 * count in headers), invalid ones to the dead-letter stream one by one with their issues. Once the broker confirmed
 * all of it, the request's ingestion record (new events per source, dead-lettered ones per source and reason) is
 * published, and only then does it resolve; it rejects with `EventSinkUnavailableError` otherwise.
 *
 * Packing exists for the CPU per event: storing, delivering and acking a message costs the broker and the
 * collectors about the same whatever it holds, so one message per event paid that cost for every event.
 */
@Injectable()
export class EventIngestService {
  private readonly subjects: Record<Lane, Record<Source, string>>;
  private readonly deadLetterSubject: string;
  private readonly eventsPerMessage: number;
  private readonly maxMessageBytes: number;
  private readonly maxDeadLettered: number;
  /** Invalid events kept for the answer and the dead-letter stream. */
  private readonly invalidKept: number;

  constructor(
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly metrics: IngestMetrics,
    private readonly readers: EventBatchReaders,
    private readonly recorder: IngestionRecorder,
  ) {
    const subjectsOf = (lane: Lane) => ({
      facebook: laneSubject(lane, 'facebook', config.EVENTS_SUBJECT_PREFIX),
      tiktok: laneSubject(lane, 'tiktok', config.EVENTS_SUBJECT_PREFIX),
    });
    this.subjects = { live: subjectsOf('live'), backfill: subjectsOf('backfill') };
    this.deadLetterSubject = deadLetterSubject(GATEWAY_ORIGIN, config.DEAD_LETTER_SUBJECT_PREFIX);
    this.eventsPerMessage = config.EVENTS_PER_MESSAGE;
    this.maxMessageBytes = config.MAX_MESSAGE_BYTES;
    this.maxDeadLettered = config.MAX_INVALID_EVENTS_DEAD_LETTERED;
    this.invalidKept = Math.max(config.MAX_INVALID_EVENTS_DEAD_LETTERED, config.MAX_REPORTED_ERRORS);
  }

  async ingest(body: Buffer, correlationId: string): Promise<IngestResult> {
    // The body has arrived whole: its events' received time, checked against their timestamps and sent with them.
    const receivedAtMs = Date.now();
    const receivedAt = new Date(receivedAtMs).toISOString();
    const reader = this.readers.create(body, receivedAtMs);
    await reader.open();

    const invalid: InvalidEvent[] = [];
    const inFlight = new Set<Promise<void>>();
    const result = { accepted: 0, duplicates: 0 };
    const tally = new IngestionTally();
    let rejected = 0;
    let deadLettered = 0;
    let unconfirmed = 0;
    let failure: Error | undefined;
    const track = (size: number, delivery: Promise<Delivery>) => {
      unconfirmed += size;
      const settled = delivery.then((outcome) => {
        unconfirmed -= size;
        inFlight.delete(settled);
        result.accepted += outcome.accepted;
        result.duplicates += outcome.duplicates;
        // A re-sent body's events are already counted: only the new ones are accepted again.
        if (outcome.source !== undefined)
          tally.add(outcome.source, 'accepted', '', outcome.accepted - outcome.duplicates);
        failure ??= outcome.failure;
      });
      inFlight.add(settled);
    };

    // Read per request: the server announces its limit when the connection is (re)made.
    const bounds = {
      maxEvents: this.eventsPerMessage,
      maxBytes: Math.min(this.maxMessageBytes, this.sink.maxPayload - HEADER_ALLOWANCE_BYTES),
    };
    const packers = {} as Record<Lane, Record<Source, EventMessagePacker>>;
    for (const lane of LANES) {
      packers[lane] = {} as Record<Source, EventMessagePacker>;
      for (const source of SOURCES) {
        packers[lane][source] = new EventMessagePacker(body, source, lane, bounds, (message) =>
          track(message.events, this.publish(lane, source, message, { correlationId, receivedAt })),
        );
      }
    }

    for await (const slice of reader.slices()) {
      this.count(slice);
      rejected += slice.invalid.length;
      for (const event of slice.invalid) tally.add(event.source ?? UNKNOWN_SOURCE, 'dead_lettered', event.reason, 1);
      invalid.push(...slice.invalid.slice(0, this.invalidKept - invalid.length));
      for (const event of slice.valid) packers[event.lane][event.source].add(event);
      // A body of mostly invalid items dead-letters a bounded sample; the rest is counted in one letter at the end.
      const letters = slice.invalid.slice(0, this.maxDeadLettered - deadLettered);
      deadLettered += letters.length;
      if (letters.length > 0) track(letters.length, this.deadLetter(body, letters, correlationId));
      // A large body does not queue all its events in the client at once; a failure stops the reading.
      while (unconfirmed > MAX_UNCONFIRMED_EVENTS && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) break;
      // One slice per event-loop turn: slices a worker has read ahead must not be published in one long run.
      await nextTurn();
    }
    // Events still packing when a publish failed are not sent: the answer is a 503 either way.
    if (failure === undefined) for (const lane of LANES) for (const source of SOURCES) packers[lane][source].flush();
    if (failure === undefined && rejected > deadLettered) {
      track(1, this.deadLetterOmitted(rejected, deadLettered, correlationId));
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    await this.recorder.record(receivedAt, tally.counts);
    return { ...result, rejected, deadLettered, invalid };
  }

  private count(slice: EventSlice): void {
    this.metrics.eventsAccepted(countBySource(slice.valid, (event) => event.source));
    for (const reason of REFUSAL_REASONS) {
      const refused = slice.invalid.filter((event) => event.reason === reason);
      if (refused.length > 0)
        this.metrics.eventsFailed(
          reason,
          countBySource(refused, (event) => event.source),
        );
    }
  }

  private async publish(
    lane: Lane,
    source: Source,
    message: PackedMessage,
    { correlationId, receivedAt }: { correlationId: string; receivedAt: string },
  ): Promise<Delivery> {
    const events = new Map([[source, message.events]]);
    try {
      const outcome = await this.sink.publish({
        subject: this.subjects[lane][source],
        data: message.data,
        msgId: message.msgId,
        correlationId,
        headers: { [EVENT_COUNT_HEADER]: String(message.events), [RECEIVED_AT_HEADER]: receivedAt },
      });
      this.metrics.eventsProcessed(events);
      return { accepted: message.events, duplicates: outcome === 'duplicate' ? message.events : 0, source };
    } catch (error) {
      this.metrics.eventsFailed('publish_failed', events);
      return { accepted: 0, duplicates: 0, failure: asError(error) };
    }
  }

  private async deadLetter(body: Buffer, events: readonly InvalidEvent[], correlationId: string): Promise<Delivery> {
    const letters = events.map((event): DeadLetter => ({
      origin: GATEWAY_ORIGIN,
      reason: JSON.stringify(event.issues),
      originalSubject: event.source ? this.subjects.live[event.source] : this.deadLetterSubject,
      data: body.subarray(event.start, event.end),
      msgId: event.eventId,
      correlationId,
    }));
    return this.sendDeadLetters(letters);
  }

  /** One letter saying how many invalid events of the body were counted but not dead-lettered. */
  private deadLetterOmitted(rejected: number, deadLettered: number, correlationId: string): Promise<Delivery> {
    const omitted = rejected - deadLettered;
    const summary: OmittedDeadLetters = { rejected, deadLettered, omitted };
    const message = `${omitted} more invalid events of this body were not dead-lettered (MAX_INVALID_EVENTS_DEAD_LETTERED=${this.maxDeadLettered})`;
    return this.sendDeadLetters([
      {
        origin: GATEWAY_ORIGIN,
        reason: JSON.stringify([{ path: '', message }]),
        originalSubject: this.deadLetterSubject,
        data: Buffer.from(JSON.stringify(summary)),
        correlationId,
        headers: { [OMITTED_DEAD_LETTERS_HEADER]: String(omitted) },
      },
    ]);
  }

  private async sendDeadLetters(letters: DeadLetter[]): Promise<Delivery> {
    try {
      await this.sink.deadLetter(letters);
      return { accepted: 0, duplicates: 0 };
    } catch (error) {
      return { accepted: 0, duplicates: 0, failure: asError(error) };
    }
  }
}

/** What the dead-letter stream holds for the invalid events of a body past MAX_INVALID_EVENTS_DEAD_LETTERED. */
export interface OmittedDeadLetters {
  rejected: number;
  deadLettered: number;
  omitted: number;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

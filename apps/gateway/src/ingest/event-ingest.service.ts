import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { EVENT_COUNT_HEADER, SOURCES, type Source, deadLetterSubject, eventSubject } from '@evp/contracts';
import { type DeadLetter } from '@evp/messaging';
import { EVENT_SINK, GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';
import { type EventSlice, type InvalidEvent } from './event-batch.reader';
import { EventBatchReaders } from './event-batch.readers';
import { EventMessagePacker, type PackedMessage } from './event-message.packer';
import { type EventSink } from './event.sink';
import { type IngestResult } from './ingest-reply.builder';
import { IngestMetrics, countBySource } from './ingest.metrics';

/** Who dead-letters rejected webhook events, as recorded in each dead letter. */
export const GATEWAY_ORIGIN = 'gateway';

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
  failure?: Error;
}

/**
 * Takes one webhook body to JetStream: checks the JSON of the whole body first (a malformed body is refused
 * as a whole, nothing published), then validates the events slice by slice and hands them to the broker while
 * the next slice is validated: valid events packed per source into messages of up to `EVENTS_PER_MESSAGE` events
 * (a JSON array of their original bytes; the message id a digest of their ids, the correlation id and the event
 * count in headers), invalid ones to the dead-letter stream one by one with their issues. Resolves only when the
 * broker confirmed all of it; rejects with `EventSinkUnavailableError` otherwise.
 *
 * Packing exists for the CPU per event: storing, delivering and acking a message costs the broker and the
 * collectors about the same whatever it holds, so one message per event paid that cost for every event.
 */
@Injectable()
export class EventIngestService {
  private readonly subjects: Record<Source, string>;
  private readonly deadLetterSubject: string;
  private readonly eventsPerMessage: number;
  private readonly maxMessageBytes: number;

  constructor(
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly metrics: IngestMetrics,
    private readonly readers: EventBatchReaders,
  ) {
    this.subjects = {
      facebook: eventSubject('facebook', config.EVENTS_SUBJECT_PREFIX),
      tiktok: eventSubject('tiktok', config.EVENTS_SUBJECT_PREFIX),
    };
    this.deadLetterSubject = deadLetterSubject(GATEWAY_ORIGIN, config.DEAD_LETTER_SUBJECT_PREFIX);
    this.eventsPerMessage = config.EVENTS_PER_MESSAGE;
    this.maxMessageBytes = config.MAX_MESSAGE_BYTES;
  }

  async ingest(body: Buffer, correlationId: string): Promise<IngestResult> {
    const reader = this.readers.create(body);
    await reader.open();

    const invalid: InvalidEvent[] = [];
    const inFlight = new Set<Promise<void>>();
    const result = { accepted: 0, duplicates: 0 };
    let unconfirmed = 0;
    let failure: Error | undefined;
    const track = (size: number, delivery: Promise<Delivery>) => {
      unconfirmed += size;
      const settled = delivery.then((outcome) => {
        unconfirmed -= size;
        inFlight.delete(settled);
        result.accepted += outcome.accepted;
        result.duplicates += outcome.duplicates;
        failure ??= outcome.failure;
      });
      inFlight.add(settled);
    };

    // Read per request: the server announces its limit when the connection is (re)made.
    const bounds = {
      maxEvents: this.eventsPerMessage,
      maxBytes: Math.min(this.maxMessageBytes, this.sink.maxPayload - HEADER_ALLOWANCE_BYTES),
    };
    const packers = {} as Record<Source, EventMessagePacker>;
    for (const source of SOURCES) {
      packers[source] = new EventMessagePacker(body, source, bounds, (message) =>
        track(message.events, this.publish(source, message, correlationId)),
      );
    }

    for await (const slice of reader.slices()) {
      this.count(slice);
      for (const event of slice.invalid) invalid.push(event);
      for (const event of slice.valid) packers[event.source].add(event);
      if (slice.invalid.length > 0) track(slice.invalid.length, this.deadLetter(body, slice.invalid, correlationId));
      // A large body does not queue all its events in the client at once; a failure stops the reading.
      while (unconfirmed > MAX_UNCONFIRMED_EVENTS && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) break;
      // One slice per event-loop turn: slices a worker has read ahead must not be published in one long run.
      await nextTurn();
    }
    // Events still packing when a publish failed are not sent: the answer is a 503 either way.
    if (failure === undefined) for (const source of SOURCES) packers[source].flush();
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    return { ...result, invalid };
  }

  private count(slice: EventSlice): void {
    this.metrics.eventsAccepted(countBySource(slice.valid, (event) => event.source));
    this.metrics.eventsFailed(
      'invalid',
      countBySource(slice.invalid, (event) => event.source),
    );
  }

  private async publish(source: Source, message: PackedMessage, correlationId: string): Promise<Delivery> {
    const events = new Map([[source, message.events]]);
    try {
      const outcome = await this.sink.publish({
        subject: this.subjects[source],
        data: message.data,
        msgId: message.msgId,
        correlationId,
        headers: { [EVENT_COUNT_HEADER]: String(message.events) },
      });
      this.metrics.eventsProcessed(events);
      return { accepted: message.events, duplicates: outcome === 'duplicate' ? message.events : 0 };
    } catch (error) {
      this.metrics.eventsFailed('publish_failed', events);
      return { accepted: 0, duplicates: 0, failure: asError(error) };
    }
  }

  private async deadLetter(body: Buffer, events: readonly InvalidEvent[], correlationId: string): Promise<Delivery> {
    const letters = events.map((event): DeadLetter => ({
      origin: GATEWAY_ORIGIN,
      reason: JSON.stringify(event.issues),
      originalSubject: event.source ? this.subjects[event.source] : this.deadLetterSubject,
      data: body.subarray(event.start, event.end),
      msgId: event.eventId,
      correlationId,
    }));
    try {
      await this.sink.deadLetter(letters);
      return { accepted: 0, duplicates: 0 };
    } catch (error) {
      return { accepted: 0, duplicates: 0, failure: asError(error) };
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

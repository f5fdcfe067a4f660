import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { type Source, deadLetterSubject, eventSubject } from '@evp/contracts';
import { type DeadLetter, type OutgoingMessage } from '@evp/messaging';
import { EVENT_SINK, GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';
import { type EventSlice, type InvalidEvent, type ValidEvent } from './event-batch.reader';
import { EventBatchReaders } from './event-batch.readers';
import { type EventSink, EventSinkUnavailableError } from './event.sink';
import { type IngestResult } from './ingest-reply.builder';
import { IngestMetrics, countBySource } from './ingest.metrics';

/** Who dead-letters rejected webhook events, as recorded in each dead letter. */
export const GATEWAY_ORIGIN = 'gateway';

/**
 * Events of one request sent to the broker and not yet confirmed, at most; handing over waits beyond it. Enough
 * to keep the broker busy (windows of 1,000–5,000 publish fastest here), few enough that the PubAcks coming back
 * at once are handled in short turns of the event loop.
 */
const MAX_UNCONFIRMED_EVENTS = 5_000;

/** How one hand-over to the sink ended: never a rejection, so a failure cannot go unobserved while others run. */
interface Delivery {
  /** Events the broker confirmed (stored or duplicate); dead letters are not accepted events. */
  accepted: number;
  duplicates: number;
  failure?: Error;
}

/**
 * Takes one webhook body to JetStream: checks the JSON of the whole body first (a malformed body is refused
 * as a whole, nothing published), then validates the events slice by slice and hands each slice to the
 * broker while the next is validated: valid events as their original bytes with the event id as message id
 * and the correlation id in a header, invalid ones to the dead-letter stream with their issues. Resolves
 * only when the broker confirmed all of it; rejects with `EventSinkUnavailableError` otherwise.
 */
@Injectable()
export class EventIngestService {
  private readonly subjects: Record<Source, string>;
  private readonly deadLetterSubject: string;

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

    for await (const slice of reader.slices()) {
      this.count(slice);
      for (const event of slice.invalid) invalid.push(event);
      for (const [source, events] of groupBySource(slice.valid))
        track(events.length, this.publish(body, source, events, correlationId));
      if (slice.invalid.length > 0) track(slice.invalid.length, this.deadLetter(body, slice.invalid, correlationId));
      // A large body does not queue all its events in the client at once; a failure stops the reading.
      while (unconfirmed > MAX_UNCONFIRMED_EVENTS && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) break;
      // One slice per event-loop turn: slices a worker has read ahead must not be published in one long run.
      await nextTurn();
    }
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

  private async publish(
    body: Buffer,
    source: Source,
    events: readonly ValidEvent[],
    correlationId: string,
  ): Promise<Delivery> {
    const subject = this.subjects[source];
    const messages = events.map((event): OutgoingMessage => ({
      subject,
      data: body.subarray(event.start, event.end),
      msgId: event.eventId,
      correlationId,
    }));
    try {
      const report = await this.sink.publish(messages);
      this.metrics.eventsProcessed(new Map([[source, events.length]]));
      return { accepted: report.stored + report.duplicates, duplicates: report.duplicates };
    } catch (error) {
      const confirmed = error instanceof EventSinkUnavailableError ? error.acknowledged : 0;
      this.metrics.eventsProcessed(new Map([[source, confirmed]]));
      this.metrics.eventsFailed('publish_failed', new Map([[source, events.length - confirmed]]));
      return { accepted: confirmed, duplicates: 0, failure: asError(error) };
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

function groupBySource(events: readonly ValidEvent[]): Map<Source, ValidEvent[]> {
  const groups = new Map<Source, ValidEvent[]>();
  for (const event of events) {
    const group = groups.get(event.source);
    if (group) group.push(event);
    else groups.set(event.source, [event]);
  }
  return groups;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

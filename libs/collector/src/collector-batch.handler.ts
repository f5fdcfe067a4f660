import { LANES, type Lane } from '@evp/contracts';
import { EventBatchWriteError } from '@evp/database';
import {
  type ConsumedMessage,
  type DeadLetterPart,
  JetStreamConsumerRunner,
  type MessageOutcome,
} from '@evp/messaging';
import { runWithCorrelation } from '@evp/observability';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { BackfillPacer } from './backfill.pacer';
import { COLLECTOR_SETTINGS } from './collector.constants';
import { CollectorMetrics } from './collector.metrics';
import type { CollectorSettings } from './collector.settings';
import { DeadLetterCounter } from './dead-letter.counter';
import { type AssembledBatch, type AssembledMessage, assembleBatch } from './event-batch.assembler';
import { EventBatchStore, type StoredBatch } from './event-batch.store';
import { EventMessageDecoder, eventOfMessage, receivedAtOf } from './event-message.decoder';

const ACK: MessageOutcome = { kind: 'ack' };
const NOTHING_TO_STORE: StoredBatch = { inserted: 0, duplicates: 0, rejected: new Map(), committed: 0 };

/** What the outcomes of one batch add up to, in events, for the metrics and the log. */
interface Tally {
  /** Events refused before the write (or messages poison as a whole), dead-lettered. */
  invalid: number;
  /** Events the database refused, dead-lettered. */
  refused: number;
  /** Events of messages to retry, and of those among them on their last delivery (dead-lettered by the module). */
  retried: number;
  lastDelivery: number;
  /** Events whose row is committed (new or already there). */
  committed: number;
  /** Events stored and acked, per correlation id. */
  storedByCorrelation: Map<string | undefined, number>;
}

/** Where a batch came from and when its writes ended, for the freshness histogram. */
interface BatchContext {
  lane: Lane;
  committedAtMs: number;
}

/**
 * The collector's work on each fetched batch: decode every message into its events (a JSON array of events, or
 * one event object as published before events were packed), validate and normalise each, write the rows in
 * writes of at most `maxEventsPerWrite` events, and only then say `ack` for every message whose events are all
 * committed (new or duplicate). An event that cannot be stored is dead-lettered: alone when it came in an array
 * (the rest of its message is acked), with its message when that message is the event or is not JSON at all.
 * When the database cannot take a write, every message with an event not yet committed is retried with back-off,
 * so nothing is acked that was not stored. Dead-lettered events are counted for `GET /reports/ingestion` before
 * the outcomes are applied (`DeadLetterCounter`).
 *
 * Pulls are sized from the largest message of the batch before, so a pull brings at most about one write's worth
 * of events whether the messages carry one event or hundreds.
 *
 * Two durable consumers feed it, one per lane: live events, and the backfill lane (events dated long before the
 * gateway received them), whose pulls are paced to `backfillMaxEventsPerSecond` so a re-sent history takes a bounded
 * share of the writer. Both lanes write through the same statement, so exactly-once and ack-after-commit hold alike.
 */
@Injectable()
export class CollectorBatchHandler implements OnModuleInit {
  private readonly logger = new Logger(CollectorBatchHandler.name);
  private readonly decoder: EventMessageDecoder;
  /**
   * Events of the largest message in the latest batch: pulling `maxEventsPerWrite / largestMessage` messages keeps a
   * pull to one write (an average would let a few short messages at the end of a body push it into a second, tiny
   * one). Before any batch, as many as one write takes, so the first pulls are small. One per lane.
   */
  private readonly largestMessage: Record<Lane, number>;
  private readonly pacer: BackfillPacer;

  constructor(
    @Inject(COLLECTOR_SETTINGS) private readonly settings: CollectorSettings,
    @Inject(JetStreamConsumerRunner) private readonly runner: JetStreamConsumerRunner,
    @Inject(EventBatchStore) private readonly store: EventBatchStore,
    @Inject(CollectorMetrics) private readonly metrics: CollectorMetrics,
    @Inject(DeadLetterCounter) private readonly deadLetters: DeadLetterCounter,
  ) {
    this.decoder = new EventMessageDecoder(settings.source, settings.normalise);
    this.largestMessage = { live: settings.maxEventsPerWrite, backfill: settings.maxEventsPerWrite };
    this.pacer = new BackfillPacer(settings.backfillMaxEventsPerSecond);
  }

  /** The runner starts the loop once the application has bootstrapped (after provisioning and migrations). */
  onModuleInit(): void {
    for (const lane of LANES) {
      this.runner.register(this.settings.lanes[lane].durable, (messages) => this.handle(messages, lane), {
        nextBatchSize: () => Math.floor(this.eventsPerPull(lane) / this.largestMessage[lane]),
        delayBeforePull: lane === 'backfill' ? () => this.pacer.delayMs() : undefined,
      });
    }
  }

  async handle(messages: readonly ConsumedMessage[], lane: Lane = 'live'): Promise<MessageOutcome[]> {
    const batch = assembleBatch(messages, this.decoder);
    this.metrics.received(messages.length, batch.events);
    this.metrics.batchSize.observe(batch.events);
    if (lane === 'backfill') this.pacer.pulled(batch.events);
    if (messages.length > 0) this.largestMessage[lane] = Math.max(...batch.messages.map((message) => message.events));
    if (batch.rows.length === 0) {
      const outcomes = this.settle(messages, batch, NOTHING_TO_STORE, { lane, committedAtMs: 0 });
      return this.deadLetters.count(messages, batch.messages, outcomes);
    }

    const started = process.hrtime.bigint();
    const stored = await this.store.store(batch.rows, batch.rowBytes);
    this.metrics.writeDuration.observe(secondsSince(started));
    const outcomes = this.settle(messages, batch, stored, { lane, committedAtMs: Date.now() });
    return this.deadLetters.count(messages, batch.messages, outcomes);
  }

  /** A live pull takes one write's worth of events; a backfill pull about a second's worth at its rate, at most that. */
  private eventsPerPull(lane: Lane): number {
    const { maxEventsPerWrite, backfillMaxEventsPerSecond } = this.settings;
    return lane === 'live' ? maxEventsPerWrite : Math.min(maxEventsPerWrite, backfillMaxEventsPerSecond);
  }

  /**
   * After the writes: ack the messages whose events are all committed, dead-lettering the events of each that cannot
   * be stored; retry the messages with an event not committed; dead-letter messages poison as a whole.
   */
  private settle(
    messages: readonly ConsumedMessage[],
    batch: AssembledBatch,
    stored: StoredBatch,
    context: BatchContext,
  ): MessageOutcome[] {
    const tally: Tally = {
      invalid: 0,
      refused: 0,
      retried: 0,
      lastDelivery: 0,
      committed: 0,
      storedByCorrelation: new Map(),
    };
    const retry: MessageOutcome = { kind: 'retry', reason: `database: ${messageOf(stored.failure)}` };
    const outcomes = messages.map((message, index): MessageOutcome => {
      const assembled = batch.messages[index] as AssembledMessage;
      if (assembled.poison !== undefined) {
        const { reason, eventId } = assembled.poison;
        tally.invalid++;
        this.inScope(message, eventId, () =>
          this.logger.warn(`dead-lettering ${describe(message, eventId)}: ${reason}`),
        );
        return { kind: 'dead-letter', reason };
      }
      for (const row of assembled.rows) if (row < stored.committed && !stored.rejected.has(row)) tally.committed++;
      if (assembled.rows.some((row) => row >= stored.committed)) {
        tally.retried += assembled.events;
        // The messaging module dead-letters a retry on its last delivery.
        if (message.deliveryCount >= this.settings.maxDeliver) tally.lastDelivery += assembled.events;
        return retry;
      }
      return this.settleCommitted(message, assembled, batch, stored, tally, context);
    });
    this.metrics.processed.inc(stored.inserted);
    this.metrics.duplicates.inc(tally.committed - stored.inserted);
    this.metrics.fail('invalid', tally.invalid);
    this.metrics.fail('dead_letter', tally.refused + tally.lastDelivery);
    this.metrics.fail('database', tally.retried - tally.lastDelivery);
    if (stored.failure !== undefined) this.logFailure(batch, stored, tally.retried);
    this.logStored(tally, stored.inserted);
    return outcomes;
  }

  /** A message whose rows are all committed: acked, with the events it cannot store dead-lettered on their own. */
  private settleCommitted(
    message: ConsumedMessage,
    assembled: AssembledMessage,
    batch: AssembledBatch,
    stored: StoredBatch,
    tally: Tally,
    context: BatchContext,
  ): MessageOutcome {
    const refused = assembled.rows.flatMap((row, at) => {
      const reason = stored.rejected.get(row);
      return reason === undefined
        ? []
        : [{ index: assembled.positions[at] as number, reason, eventId: batch.rows[row]?.eventId }];
    });
    if (!assembled.packed && refused[0] !== undefined) {
      // The message is the event: dead-lettered as it is.
      const { reason, eventId } = refused[0];
      tally.refused++;
      this.inScope(message, eventId, () => this.logger.warn(`dead-lettering ${describe(message, eventId)}: ${reason}`));
      return { kind: 'dead-letter', reason };
    }
    const storedEvents = assembled.rows.length - refused.length;
    this.observeFreshness(message, storedEvents, context);
    tally.storedByCorrelation.set(
      message.correlationId,
      (tally.storedByCorrelation.get(message.correlationId) ?? 0) + storedEvents,
    );
    tally.invalid += assembled.rejected.length;
    tally.refused += refused.length;
    if (assembled.rejected.length === 0 && refused.length === 0) return ACK;
    const parts = [
      ...assembled.rejected,
      ...refused.map((event) => ({ ...event, reason: eventOfMessage(event.index, event.reason) })),
    ].map(({ index, reason, eventId }): DeadLetterPart => {
      this.inScope(message, eventId, () =>
        this.logger.warn(`dead-lettering ${describe(message, eventId)} alone: ${reason}`),
      );
      const part: DeadLetterPart = { index, reason, data: this.decoder.eventBytes(message, index) };
      return eventId === undefined ? part : { ...part, id: eventId };
    });
    return { kind: 'ack', deadLetterParts: parts };
  }

  /** Events of a message without a received time (published before it existed) are not observed. */
  private observeFreshness(message: ConsumedMessage, events: number, { lane, committedAtMs }: BatchContext): void {
    const receivedAt = receivedAtOf(message);
    if (events === 0 || receivedAt === null) return;
    // The gateway's and the collector's clocks may differ by a little: a negative interval is none at all.
    this.metrics.stored(lane, Math.max(0, committedAtMs - Date.parse(receivedAt)) / 1_000, events);
  }

  private logFailure(batch: AssembledBatch, stored: StoredBatch, retried: number): void {
    const kind = stored.failure instanceof EventBatchWriteError ? stored.failure.code : 'unexpected error';
    this.logger.error(
      `could not store ${batch.rows.length - stored.committed} of a batch of ${batch.rows.length} events (${kind}); ` +
        `the messages holding them (${retried} events) will be retried: ${messageOf(stored.failure)}`,
    );
  }

  /** One line per correlation id: the request that produced the events can be followed into the database. */
  private logStored({ storedByCorrelation, committed }: Tally, inserted: number): void {
    const duplicates = committed - inserted;
    for (const [correlationId, count] of storedByCorrelation) {
      if (count === 0) continue;
      const line =
        storedByCorrelation.size === 1
          ? `stored ${count} events (${duplicates} duplicates)`
          : `stored ${count} events of this correlation id in a batch of ${committed} (${inserted} new, ${duplicates} duplicates)`;
      if (correlationId === undefined) this.logger.log(line);
      else runWithCorrelation({ correlationId }, () => this.logger.log(line));
    }
  }

  private inScope(message: ConsumedMessage, eventId: string | undefined, work: () => void): void {
    if (message.correlationId === undefined) work();
    else runWithCorrelation({ correlationId: message.correlationId, eventId }, work);
  }
}

function describe(message: ConsumedMessage, eventId: string | undefined): string {
  const where = `stream sequence ${message.streamSequence}, delivery ${message.deliveryCount}`;
  return eventId === undefined ? `the message (${where})` : `event ${eventId} (${where})`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

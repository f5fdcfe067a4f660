import { EventBatchWriteError } from '@evp/database';
import { type ConsumedMessage, JetStreamConsumerRunner, type MessageOutcome } from '@evp/messaging';
import { runWithCorrelation } from '@evp/observability';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { COLLECTOR_SETTINGS } from './collector.constants';
import { CollectorMetrics } from './collector.metrics';
import type { CollectorSettings } from './collector.settings';
import { assembleBatch, type AssembledBatch } from './event-batch.assembler';
import { EventBatchStore, type StoredBatch } from './event-batch.store';
import { EventMessageDecoder } from './event-message.decoder';

const ACK: MessageOutcome = { kind: 'ack' };

/**
 * The collector's work on each fetched batch: decode and validate every message, normalise it, write all rows
 * in one statement and transaction, and only then say `ack` for every message whose event is stored (new or
 * duplicate). Poison messages are dead-lettered with their reason; when the database cannot take the batch,
 * every message of it is retried with back-off, so nothing is acked that was not stored.
 */
@Injectable()
export class CollectorBatchHandler implements OnModuleInit {
  private readonly logger = new Logger(CollectorBatchHandler.name);
  private readonly decoder: EventMessageDecoder;

  constructor(
    @Inject(COLLECTOR_SETTINGS) private readonly settings: CollectorSettings,
    @Inject(JetStreamConsumerRunner) private readonly runner: JetStreamConsumerRunner,
    @Inject(EventBatchStore) private readonly store: EventBatchStore,
    @Inject(CollectorMetrics) private readonly metrics: CollectorMetrics,
  ) {
    this.decoder = new EventMessageDecoder(settings.source, settings.normalise);
  }

  /** The runner starts the loop once the application has bootstrapped (after provisioning and migrations). */
  onModuleInit(): void {
    this.runner.register(this.settings.durable, (messages) => this.handle(messages));
  }

  async handle(messages: readonly ConsumedMessage[]): Promise<MessageOutcome[]> {
    this.metrics.accepted.inc(messages.length);
    this.metrics.batchSize.observe(messages.length);
    const batch = assembleBatch(messages, this.decoder);
    const outcomes = new Array<MessageOutcome>(messages.length).fill(ACK);
    for (const { index, reason, eventId } of batch.poison) {
      outcomes[index] = { kind: 'dead-letter', reason };
      this.inScope(messages[index] as ConsumedMessage, eventId, () =>
        this.logger.warn(`dead-lettering ${describeMessage(messages[index] as ConsumedMessage, eventId)}: ${reason}`),
      );
    }
    this.metrics.fail('invalid', batch.poison.length);
    if (batch.rows.length === 0) return outcomes;

    const started = process.hrtime.bigint();
    let stored: StoredBatch;
    try {
      stored = await this.store.store(batch.rows);
    } catch (error) {
      this.metrics.writeDuration.observe(secondsSince(started));
      return this.retryAll(messages, batch, outcomes, error);
    }
    this.metrics.writeDuration.observe(secondsSince(started));
    return this.settle(messages, batch, stored, outcomes);
  }

  /** After the commit: ack what is stored, dead-letter rows the database refused, count and log per correlation id. */
  private settle(
    messages: readonly ConsumedMessage[],
    batch: AssembledBatch,
    stored: StoredBatch,
    outcomes: MessageOutcome[],
  ): MessageOutcome[] {
    let refused = 0;
    if (stored.rejected.size > 0) {
      for (let index = 0; index < messages.length; index++) {
        const reason = stored.rejected.get(batch.rowOfMessage[index] as number);
        if (reason === undefined) continue;
        outcomes[index] = { kind: 'dead-letter', reason };
        refused++;
        const message = messages[index] as ConsumedMessage;
        const eventId = batch.rows[batch.rowOfMessage[index] as number]?.eventId;
        this.inScope(message, eventId, () =>
          this.logger.warn(`dead-lettering ${describeMessage(message, eventId)}: ${reason}`),
        );
      }
    }
    const acked = messages.length - batch.poison.length - refused;
    this.metrics.processed.inc(stored.inserted);
    this.metrics.duplicates.inc(acked - stored.inserted);
    this.metrics.fail('dead_letter', refused);
    this.logStored(messages, outcomes, acked, stored.inserted);
    return outcomes;
  }

  private retryAll(
    messages: readonly ConsumedMessage[],
    batch: AssembledBatch,
    outcomes: MessageOutcome[],
    error: unknown,
  ): MessageOutcome[] {
    const cause = error instanceof Error ? error.message : String(error);
    const retry: MessageOutcome = { kind: 'retry', reason: `database: ${cause}` };
    let lastDelivery = 0;
    for (let index = 0; index < messages.length; index++) {
      if (batch.rowOfMessage[index] === -1) continue;
      outcomes[index] = retry;
      // The messaging module dead-letters a retry on its last delivery.
      if ((messages[index] as ConsumedMessage).deliveryCount >= this.settings.maxDeliver) lastDelivery++;
    }
    const retried = messages.length - batch.poison.length;
    this.metrics.fail('database', retried - lastDelivery);
    this.metrics.fail('dead_letter', lastDelivery);
    const kind = error instanceof EventBatchWriteError ? error.code : 'unexpected error';
    this.logger.error(
      `could not store a batch of ${batch.rows.length} events (${kind}); its ${retried} messages will be retried: ${cause}`,
    );
    return outcomes;
  }

  /** One line per correlation id: the request that produced the events can be followed into the database. */
  private logStored(
    messages: readonly ConsumedMessage[],
    outcomes: readonly MessageOutcome[],
    acked: number,
    inserted: number,
  ): void {
    const groups = new Map<string | undefined, number>();
    for (let index = 0; index < messages.length; index++) {
      if (outcomes[index] !== ACK) continue;
      const correlationId = (messages[index] as ConsumedMessage).correlationId;
      groups.set(correlationId, (groups.get(correlationId) ?? 0) + 1);
    }
    const duplicates = acked - inserted;
    for (const [correlationId, count] of groups) {
      const line =
        groups.size === 1
          ? `stored ${count} events (${duplicates} duplicates)`
          : `stored ${count} events of this correlation id in a batch of ${acked} (${inserted} new, ${duplicates} duplicates)`;
      if (correlationId === undefined) this.logger.log(line);
      else runWithCorrelation({ correlationId }, () => this.logger.log(line));
    }
  }

  private inScope(message: ConsumedMessage, eventId: string | undefined, work: () => void): void {
    if (message.correlationId === undefined) work();
    else runWithCorrelation({ correlationId: message.correlationId, eventId }, work);
  }
}

function describeMessage(message: ConsumedMessage, eventId: string | undefined): string {
  return `${eventId === undefined ? 'message' : `event ${eventId}`} (stream sequence ${message.streamSequence}, delivery ${message.deliveryCount})`;
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

import { type IngestionRecord } from '@evp/contracts';
import { type ConsumedMessage, JetStreamPublisher, type MessageOutcome, type OutgoingMessage } from '@evp/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { COLLECTOR_SETTINGS } from './collector.constants';
import type { CollectorSettings } from './collector.settings';
import { type AssembledMessage } from './event-batch.assembler';
import { receivedAtOf } from './event-message.decoder';

/** Why the collector dead-letters events, as `GET /reports/ingestion` names it. */
type CollectorDeadLetterReason = 'unstorable' | 'max_deliveries';

/**
 * Counts the collector's dead letters for `GET /reports/ingestion`: before a batch's outcomes are applied (so before
 * anything is dead-lettered or acked), one ingestion record per message that dead-letters events, `unstorable` (not
 * a storable event of this source, or refused by the database) or `max_deliveries` (retried until its last delivery),
 * in the minute the gateway received it. Its id is the message's id and stream sequence, so a message delivered again
 * after a crash is counted once. A message whose record the broker did not take is retried instead of settled, and
 * counted on its next delivery.
 */
@Injectable()
export class DeadLetterCounter {
  constructor(
    @Inject(COLLECTOR_SETTINGS) private readonly settings: CollectorSettings,
    @Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher,
  ) {}

  async count(
    messages: readonly ConsumedMessage[],
    assembled: readonly AssembledMessage[],
    outcomes: MessageOutcome[],
  ): Promise<MessageOutcome[]> {
    const records = new Map<number, OutgoingMessage>();
    outcomes.forEach((outcome, index) => {
      const message = messages[index] as ConsumedMessage;
      const deadLettered = this.deadLettered(message, assembled[index] as AssembledMessage, outcome);
      if (deadLettered !== undefined) records.set(index, this.recordOf(message, ...deadLettered));
    });
    if (records.size === 0) return outcomes;
    try {
      await this.publisher.publishMany([...records.values()]);
      return outcomes;
    } catch (error) {
      const retry: MessageOutcome = {
        kind: 'retry',
        reason: `ingestion record not published: ${error instanceof Error ? error.message : String(error)}`,
      };
      return outcomes.map((outcome, index) => (records.has(index) ? retry : outcome));
    }
  }

  /** The events the outcome dead-letters, and why; undefined when it dead-letters none. */
  private deadLettered(
    message: ConsumedMessage,
    assembled: AssembledMessage,
    outcome: MessageOutcome,
  ): [CollectorDeadLetterReason, number] | undefined {
    switch (outcome.kind) {
      case 'dead-letter':
        return ['unstorable', assembled.events];
      case 'ack':
        return outcome.deadLetterParts?.length ? ['unstorable', outcome.deadLetterParts.length] : undefined;
      case 'retry':
        // The messaging module dead-letters a retry on its last delivery.
        return message.deliveryCount >= this.settings.maxDeliver ? ['max_deliveries', assembled.events] : undefined;
    }
  }

  private recordOf(message: ConsumedMessage, reason: CollectorDeadLetterReason, events: number): OutgoingMessage {
    const receivedAt = receivedAtOf(message);
    const record: IngestionRecord = {
      receivedAt: new Date(receivedAt ?? Date.now()).toISOString(),
      counts: [{ source: this.settings.source, outcome: 'dead_lettered', reason, count: events }],
    };
    return {
      subject: this.settings.ingestion.subject,
      data: Buffer.from(JSON.stringify(record)),
      msgId: `dead-letters-${message.msgId ?? ''}-${message.streamSequence}`,
    };
  }
}

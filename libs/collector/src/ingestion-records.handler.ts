import { type IngestionRecord, ingestionRecordSchema } from '@evp/contracts';
import { type IngestionCountRow, IngestionCountsWriter } from '@evp/database';
import { type ConsumedMessage, JetStreamConsumerRunner, type MessageOutcome } from '@evp/messaging';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { COLLECTOR_SETTINGS } from './collector.constants';
import type { CollectorSettings } from './collector.settings';

const ACK: MessageOutcome = { kind: 'ack' };

/**
 * Folds the gateway's ingestion records (`<subjectPrefix>.ingestion`, durable `ingestion-outcomes`, pulled by both
 * collectors) into the per-minute ingestion counts, one statement per batch, and acks them once it committed. A
 * record is counted once however often it is delivered: the statement skips message ids it has folded before. A
 * record that is not one (not JSON, wrong shape, no message id) is dead-lettered; when the database cannot take the
 * batch, its records are retried.
 */
@Injectable()
export class IngestionRecordsHandler implements OnModuleInit {
  private readonly logger = new Logger(IngestionRecordsHandler.name);

  constructor(
    @Inject(COLLECTOR_SETTINGS) private readonly settings: CollectorSettings,
    @Inject(JetStreamConsumerRunner) private readonly runner: JetStreamConsumerRunner,
    @Inject(IngestionCountsWriter) private readonly writer: IngestionCountsWriter,
  ) {}

  onModuleInit(): void {
    this.runner.register(this.settings.ingestion.durable, (messages) => this.handle(messages));
  }

  async handle(messages: readonly ConsumedMessage[]): Promise<MessageOutcome[]> {
    const decoded = messages.map(decodeRecord);
    const rows = decoded.flatMap((record): IngestionCountRow[] =>
      typeof record === 'string'
        ? []
        : record.counts.map((count) => ({ msgId: record.msgId, receivedAt: record.receivedAt, ...count })),
    );
    try {
      await this.writer.fold(rows);
    } catch (error) {
      const reason = `database: ${error instanceof Error ? error.message : String(error)}`;
      this.logger.error(`could not fold ${rows.length} ingestion counts, retrying them: ${reason}`);
      return messages.map(() => ({ kind: 'retry', reason }));
    }
    return decoded.map((record, index): MessageOutcome => {
      if (typeof record !== 'string') return ACK;
      this.logger.warn(
        `dead-lettering ingestion record (stream sequence ${messages[index]?.streamSequence}): ${record}`,
      );
      return { kind: 'dead-letter', reason: record };
    });
  }
}

/** The record with its message id, or why the message is not one. */
function decodeRecord(message: ConsumedMessage): (IngestionRecord & { msgId: string }) | string {
  if (message.msgId === undefined) return 'an ingestion record without a Nats-Msg-Id cannot be counted exactly once';
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(message.data).toString('utf8'));
  } catch {
    return 'an ingestion record must be JSON';
  }
  const parsed = ingestionRecordSchema.safeParse(json);
  if (!parsed.success) {
    return `not an ingestion record: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`;
  }
  return { ...parsed.data, msgId: message.msgId };
}

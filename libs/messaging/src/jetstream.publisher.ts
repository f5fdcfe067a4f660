import { deadLetterSubject } from '@evp/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { JetStreamConnection } from './jetstream.connection';
import { type JetStreamSettings } from './jetstream.settings';
import type { DeadLetter, OutgoingMessage, PublishReport } from './jetstream.types';
import {
  DEAD_LETTER_ORIGIN_HEADER,
  DEAD_LETTER_REASON_HEADER,
  JETSTREAM_SETTINGS,
  ORIGINAL_MSG_ID_HEADER,
  ORIGINAL_SUBJECT_HEADER,
} from './messaging.constants';
import { PublishError } from './messaging.errors';
import { MessagingMetrics } from './messaging.metrics';
import { PubAckRouter } from './pub-ack.router';
import { PublishWindow } from './publish.window';

export interface PublishManyOptions {
  /** Longest wait without any PubAck while messages are in flight. @default the module's `publishTimeoutMs` */
  timeoutMs?: number;
  /** Messages in flight at most. @default the module's `inFlightWindow` */
  window?: number;
}

/** Reasons longer than this are cut: a header is not the place for a stack trace. */
const MAX_REASON_LENGTH = 1_000;
/** NATS's own default `max_payload`, for the moment before the server has said its own. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * Publishes to JetStream with every PubAck checked, pipelined through a bounded window of messages in flight.
 * Resolves with how many messages were stored and how many were duplicates; rejects with `PublishError`
 * (`MESSAGING.PUBLISH_FAILED` or `MESSAGING.PUBLISH_TIMEOUT`) saying how many were confirmed.
 */
@Injectable()
export class JetStreamPublisher {
  private readonly router: PubAckRouter;
  private readonly inFlight = new Set<Promise<PublishReport>>();

  constructor(
    @Inject(JetStreamConnection) private readonly connection: JetStreamConnection,
    @Inject(JETSTREAM_SETTINGS) private readonly settings: JetStreamSettings,
    @Inject(MessagingMetrics) private readonly metrics: MessagingMetrics,
  ) {
    this.router = new PubAckRouter(connection.nc);
    connection.onDisconnect(() => this.router.connectionLost());
  }

  /**
   * Largest message the server takes, headers included (its `max_payload`, as announced to this connection): a
   * bigger one fails to publish with reason `invalid-message`.
   */
  get maxPayload(): number {
    return this.connection.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  async publishMany(messages: readonly OutgoingMessage[], options: PublishManyOptions = {}): Promise<PublishReport> {
    if (messages.length === 0) return { stored: 0, duplicates: 0 };
    const state = this.connection.state;
    if (state !== 'connected') {
      this.metrics.publishFailures.inc({ reason: 'disconnected' }, messages.length);
      throw new PublishError(
        'disconnected',
        { total: messages.length, stored: 0, duplicates: 0 },
        `NATS connection ${state}`,
      );
    }
    const window = new PublishWindow(this.connection.nc, this.router, messages, {
      window: options.window ?? this.settings.inFlightWindow,
      timeoutMs: options.timeoutMs ?? this.settings.publishTimeoutMs,
    });
    const result = window.result;
    this.inFlight.add(result);
    try {
      const report = await result;
      for (const [subject, stored] of window.storedBySubject) this.metrics.published.inc({ subject }, stored);
      if (report.duplicates > 0) this.metrics.publishDuplicates.inc(report.duplicates);
      return report;
    } catch (error) {
      if (error instanceof PublishError) {
        for (const [subject, stored] of window.storedBySubject) this.metrics.published.inc({ subject }, stored);
        this.metrics.publishFailures.inc({ reason: error.reason }, error.progress.total - error.confirmed);
      }
      throw error;
    } finally {
      this.inFlight.delete(result);
    }
  }

  publish(message: OutgoingMessage, options?: PublishManyOptions): Promise<PublishReport> {
    return this.publishMany([message], options);
  }

  /** Publishes one dead letter to `<dead-letter prefix>.<origin>` and waits for its PubAck. */
  publishDeadLetter(letter: DeadLetter): Promise<PublishReport> {
    return this.deadLetterMany([letter]);
  }

  /**
   * Publishes dead letters with their reason, origin and original subject as headers, and waits for every PubAck:
   * only then may the caller drop (term) the originals.
   */
  async deadLetterMany(letters: readonly DeadLetter[]): Promise<PublishReport> {
    const prefix = this.settings.deadLetter.subjectPrefix;
    const report = await this.publishMany(
      letters.map((letter) => {
        const headers: Record<string, string> = {
          ...letter.headers,
          [DEAD_LETTER_REASON_HEADER]: singleLine(letter.reason),
          [DEAD_LETTER_ORIGIN_HEADER]: letter.origin,
          [ORIGINAL_SUBJECT_HEADER]: letter.originalSubject,
        };
        if (letter.msgId !== undefined) headers[ORIGINAL_MSG_ID_HEADER] = letter.msgId;
        return {
          subject: deadLetterSubject(letter.origin, prefix),
          data: letter.data,
          msgId: letter.deadLetterId,
          correlationId: letter.correlationId,
          headers,
        };
      }),
    );
    for (const letter of letters) this.metrics.deadLettered.inc({ origin: letter.origin });
    return report;
  }

  /** Resolves once every publish in progress has settled, either way. Used by shutdown before draining. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

/** A reason often carries an error message: keep it on one header line and bounded. */
function singleLine(reason: string): string {
  const flat = reason.replace(/[\r\n]+/g, ' ');
  return flat.length > MAX_REASON_LENGTH ? `${flat.slice(0, MAX_REASON_LENGTH)}…` : flat;
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type IngestionCount, type IngestionRecord, UNKNOWN_SOURCE, ingestionSubject } from '@evp/contracts';
import { EVENT_SINK, GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';
import { type EventSink } from './event.sink';

/**
 * Publishes what became of a request (events accepted and dead-lettered per source and reason, or the request
 * throttled) as one ingestion record on `<EVENTS_SUBJECT_PREFIX>.ingestion`, for `GET /reports/ingestion`. Each record
 * has its own message id, so the broker drops a re-sent copy and the collectors fold it once; the caller awaits the
 * PubAck before answering, so a 2xx or 429 the sender saw is always counted.
 */
@Injectable()
export class IngestionRecorder {
  private readonly subject: string;

  constructor(
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.subject = ingestionSubject(config.EVENTS_SUBJECT_PREFIX);
  }

  /** Rejects with `EventSinkUnavailableError` when the broker does not acknowledge it. */
  async record(receivedAt: string, counts: readonly IngestionCount[]): Promise<void> {
    const nonZero = counts.filter((count) => count.count > 0);
    if (nonZero.length === 0) return;
    const record: IngestionRecord = { receivedAt, counts: nonZero };
    await this.sink.publish({
      subject: this.subject,
      data: Buffer.from(JSON.stringify(record)),
      msgId: `ingestion-${randomUUID()}`,
    });
  }

  /** One request of `sender` refused with 429: its body is not read, so its source is unknown. */
  throttled(sender: string): Promise<void> {
    return this.record(new Date().toISOString(), [
      { source: UNKNOWN_SOURCE, outcome: 'throttled', reason: sender, count: 1 },
    ]);
  }
}

/** Adds up one request's counts per (source, outcome, reason). */
export class IngestionTally {
  private readonly byKey = new Map<string, IngestionCount>();

  add(source: IngestionCount['source'], outcome: IngestionCount['outcome'], reason: string, count: number): void {
    const key = `${source}|${outcome}|${reason}`;
    const entry = this.byKey.get(key);
    if (entry === undefined) this.byKey.set(key, { source, outcome, reason, count });
    else entry.count += count;
  }

  get counts(): IngestionCount[] {
    return [...this.byKey.values()];
  }
}

import type { NatsConnection } from '@nats-io/nats-core';
import type { OutgoingMessage, PublishReport } from './jetstream.types';
import { encodeHeaders } from './message.headers';
import { PublishError, type PublishFailureReason } from './messaging.errors';
import type { PubAckResult } from './pub-ack';
import type { PubAckListener, PubAckRouter } from './pub-ack.router';

export interface PublishWindowOptions {
  /** Messages in flight at most. */
  window: number;
  /** Longest wait without any PubAck while messages are in flight. */
  timeoutMs: number;
}

/**
 * One `publishMany` call: keeps up to `window` messages in flight, refills as PubAcks arrive, counts stored and
 * duplicate messages, and fails on the first negative PubAck, a lost connection or a stall.
 */
export class PublishWindow implements PubAckListener {
  /** New messages stored per subject, for the published counter. */
  readonly storedBySubject = new Map<string, number>();
  private readonly firstToken: number;
  private readonly refillBelow: number;
  private stored = 0;
  private duplicates = 0;
  private sent = 0;
  private inFlight = 0;
  private lastPubAckAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  private resolve!: (report: PublishReport) => void;
  private reject!: (error: PublishError) => void;
  readonly result: Promise<PublishReport>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly router: PubAckRouter,
    private readonly messages: readonly OutgoingMessage[],
    private readonly options: PublishWindowOptions,
  ) {
    this.result = new Promise<PublishReport>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.firstToken = router.open(this, messages.length);
    // Refilling in half-window steps instead of after every PubAck keeps the loop and timer work per message small.
    this.refillBelow = Math.max(1, Math.floor(options.window / 2));
    this.timer = setTimeout(() => this.checkStall(), options.timeoutMs);
    this.fill();
  }

  onPubAck(token: number, result: PubAckResult): void {
    if (this.settled) return;
    this.inFlight--;
    this.lastPubAckAt = Date.now();
    switch (result.kind) {
      case 'stored': {
        this.stored++;
        const subject = (this.messages[token - this.firstToken] as OutgoingMessage).subject;
        this.storedBySubject.set(subject, (this.storedBySubject.get(subject) ?? 0) + 1);
        break;
      }
      case 'duplicate':
        this.duplicates++;
        break;
      case 'rejected':
        this.fail('rejected', `JetStream refused a message: ${result.description}`);
        return;
      case 'no-responders':
        this.fail('no-responders', 'no stream listens on the subject (or JetStream is unavailable)');
        return;
    }
    if (this.stored + this.duplicates === this.messages.length) {
      this.finish();
      this.resolve({ stored: this.stored, duplicates: this.duplicates });
    } else if (this.inFlight < this.refillBelow) {
      this.fill();
    }
  }

  onConnectionLost(): void {
    this.fail('disconnected', 'connection to NATS lost before every PubAck arrived');
  }

  private fill(): void {
    const { messages, options, nc, router } = this;
    while (this.inFlight < options.window && this.sent < messages.length) {
      const index = this.sent;
      const message = messages[index] as OutgoingMessage;
      try {
        const headers = encodeHeaders(message.msgId, message.correlationId, message.headers);
        const reply = router.expect(this.firstToken + index, this);
        this.sent++;
        this.inFlight++;
        nc.publish(message.subject, message.data, headers === undefined ? { reply } : { reply, headers });
      } catch (error) {
        // Closed or draining: the connection refuses everything. Otherwise this message itself is unsendable
        // (bad header, bad subject, payload over the server's limit).
        const reason: PublishFailureReason = nc.isClosed() || nc.isDraining() ? 'disconnected' : 'invalid-message';
        this.fail(reason, `message ${index} (subject ${message.subject}) could not be sent`, error);
        return;
      }
    }
  }

  private checkStall(): void {
    if (this.settled) return;
    const idleMs = Date.now() - this.lastPubAckAt;
    if (idleMs >= this.options.timeoutMs) {
      this.fail('timeout', `no PubAck for ${idleMs} ms with ${this.inFlight} messages in flight`);
    } else {
      this.timer = setTimeout(() => this.checkStall(), this.options.timeoutMs - idleMs);
    }
  }

  private fail(reason: PublishFailureReason, detail: string, cause?: unknown): void {
    if (this.settled) return;
    this.finish();
    const progress = { total: this.messages.length, stored: this.stored, duplicates: this.duplicates };
    this.reject(new PublishError(reason, progress, detail, cause === undefined ? undefined : { cause }));
  }

  private finish(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.router.close(this, this.firstToken, this.firstToken + this.sent, this.inFlight);
  }
}

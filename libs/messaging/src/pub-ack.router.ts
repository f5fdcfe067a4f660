import { Logger } from '@nestjs/common';
import { createInbox, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { parsePubAck, type PubAckResult } from './pub-ack';

/** A publish waiting for PubAcks: told about each reply and about a lost connection. */
export interface PubAckListener {
  onPubAck(token: number, result: PubAckResult): void;
  onConnectionLost(): void;
}

/**
 * One subscription (`<inbox>.*`) receives every PubAck of the connection. Each message is published with its
 * own reply subject `<inbox>.<token>`, and the token leads back to the publish waiting for it. The stock
 * `js.publish()` instead builds a request, a promise and a timer per message, which caps it near 12k msgs/s here.
 */
export class PubAckRouter {
  private readonly logger = new Logger(PubAckRouter.name);
  private readonly inbox = createInbox();
  private readonly tokenOffset = this.inbox.length + 1;
  private readonly waiting = new Map<number, PubAckListener>();
  private readonly listeners = new Set<PubAckListener>();
  private nextToken = 1;

  constructor(nc: NatsConnection) {
    // Lives as long as the connection: drained with it at shutdown.
    nc.subscribe(`${this.inbox}.*`, {
      callback: (error, reply) => {
        if (error) {
          this.logger.error(`PubAck subscription failed: ${error.message}`);
          return;
        }
        this.route(reply);
      },
    });
  }

  /** Reserves `count` consecutive tokens for a publish; returns the first. */
  open(listener: PubAckListener, count: number): number {
    const first = this.nextToken;
    this.nextToken += count;
    this.listeners.add(listener);
    return first;
  }

  /** The reply subject of `token`; from now on its PubAck goes to `listener`. */
  expect(token: number, listener: PubAckListener): string {
    this.waiting.set(token, listener);
    return `${this.inbox}.${token.toString(36)}`;
  }

  /** The publish is over: late PubAcks for its tokens in [first, end) are dropped. */
  close(listener: PubAckListener, first: number, end: number, outstanding: number): void {
    this.listeners.delete(listener);
    if (outstanding === 0) return;
    for (let token = first; token < end; token++) this.waiting.delete(token);
  }

  /** Replies still expected on a lost connection will never come: every open publish fails now. */
  connectionLost(): void {
    for (const listener of [...this.listeners]) listener.onConnectionLost();
  }

  private route(reply: Msg): void {
    const token = parseInt(reply.subject.substring(this.tokenOffset), 36);
    const listener = this.waiting.get(token);
    if (listener === undefined) return;
    this.waiting.delete(token);
    listener.onPubAck(token, parsePubAck(reply));
  }
}

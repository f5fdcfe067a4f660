import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConsumerLoop } from './consumer.loop';
import { JetStreamConnection } from './jetstream.connection';
import { type JetStreamSettings } from './jetstream.settings';
import type { BatchHandler } from './jetstream.types';
import { JETSTREAM_SETTINGS } from './messaging.constants';
import { HandlerRegistrationError, messageOf } from './messaging.errors';
import { MessagingMetrics } from './messaging.metrics';
import { JetStreamPublisher } from './jetstream.publisher';

/** Work a durable consumer has not finished. */
export interface ConsumerPending {
  /** Stored, matching the filter, not yet delivered. */
  pending: number;
  /** Delivered and neither acked nor terminated yet. */
  ackPending: number;
}

/** How a registered handler wants its batches. */
export interface BatchHandlerOptions {
  /**
   * Messages to ask for in the next pull, capped at the consumer's `batchSize`: lets a handler whose messages carry
   * many items each keep a pull bounded in items. Asked before every pull.
   * @default the consumer's `batchSize`
   */
  nextBatchSize?: () => number;
  /**
   * Milliseconds to wait before the next pull, asked before every pull: lets a handler pace a consumer (a backfill
   * drained at a bounded rate). A stop cuts the wait short.
   * @default no wait
   */
  delayBeforePull?: () => number;
}

/**
 * Runs one pull loop per durable that has a handler. Handlers come from `@JetStreamBatchHandler(durable)` methods
 * or from `register()`. Loops start when the application has bootstrapped and stop on shutdown.
 */
@Injectable()
export class JetStreamConsumerRunner {
  private readonly logger = new Logger(JetStreamConsumerRunner.name);
  private readonly handlers = new Map<string, { handler: BatchHandler; options: BatchHandlerOptions }>();
  private readonly loops = new Map<string, ConsumerLoop>();
  private started = false;
  private stopped: Promise<void> | undefined;

  constructor(
    @Inject(JetStreamConnection) private readonly connection: JetStreamConnection,
    @Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher,
    @Inject(MessagingMetrics) private readonly metrics: MessagingMetrics,
    @Inject(JETSTREAM_SETTINGS) private readonly settings: JetStreamSettings,
  ) {}

  /** Attaches `handler` to a declared durable consumer; it starts consuming at bootstrap (or now, if that is past). */
  register(durable: string, handler: BatchHandler, options: BatchHandlerOptions = {}): void {
    if (!this.settings.consumers.some((consumer) => consumer.durable === durable)) {
      throw new HandlerRegistrationError(`no consumer with durable ${durable} is declared in JetStreamModule options`);
    }
    if (this.handlers.has(durable))
      throw new HandlerRegistrationError(`durable ${durable} already has a batch handler`);
    if (this.stopped !== undefined)
      throw new HandlerRegistrationError(`consumers are stopped; cannot register ${durable}`);
    this.handlers.set(durable, { handler, options });
    if (this.started) this.startLoop(durable, handler, options);
  }

  /** Starts every registered loop. Called by the module once the application has bootstrapped. */
  start(): void {
    if (this.started || this.stopped !== undefined) return;
    this.started = true;
    for (const [durable, { handler, options }] of this.handlers) this.startLoop(durable, handler, options);
  }

  /**
   * Stops pulling, waits for each loop's batch in hand to be handled and its outcomes applied, then flushes the
   * acks to the server. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopLoops();
    return this.stopped;
  }

  /** The durable's unfinished work, read from the server (not cached). */
  async pending(durable: string): Promise<ConsumerPending> {
    const consumer = this.settings.consumers.find((candidate) => candidate.durable === durable);
    if (consumer === undefined) throw new HandlerRegistrationError(`no consumer with durable ${durable} is declared`);
    const info = await this.connection.jsm.consumers.info(consumer.stream, durable);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  /** Durables with a running loop. */
  get running(): string[] {
    return [...this.loops.keys()];
  }

  private startLoop(durable: string, handler: BatchHandler, options: BatchHandlerOptions): void {
    const consumer = this.settings.consumers.find((candidate) => candidate.durable === durable);
    if (consumer === undefined) return;
    const loop = new ConsumerLoop(consumer, handler, {
      js: this.connection.js,
      deadLetterMany: (letters) => this.publisher.deadLetterMany(letters),
      metrics: this.metrics,
      backoff: this.settings.retryBackoff,
      nextBatchSize: options.nextBatchSize,
      delayBeforePull: options.delayBeforePull,
    });
    this.loops.set(durable, loop);
    loop.start();
  }

  private async stopLoops(): Promise<void> {
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
    if (this.connection.state === 'connected') {
      try {
        await this.connection.nc.flush();
      } catch (error) {
        this.logger.warn(`flushing acks failed: ${messageOf(error)}`);
      }
    }
  }
}

import { runWithCorrelation } from '@evp/observability';
import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { toConsumedMessage } from './consumed.message';
import type { ConsumerSettings } from './jetstream.settings';
import type {
  BatchHandler,
  ConsumedMessage,
  DeadLetter,
  DeadLetterPart,
  MessageOutcome,
  PublishReport,
} from './jetstream.types';
import { sharedCorrelationId, withMessageCorrelation } from './message.correlation';
import { ORIGINAL_PART_HEADER } from './messaging.constants';
import { messageOf } from './messaging.errors';
import type { MessagingMetrics, TermReason } from './messaging.metrics';
import { type RetryBackoff, retryDelayMs } from './retry.backoff';

export interface ConsumerLoopDependencies {
  js: JetStreamClient;
  deadLetterMany(letters: readonly DeadLetter[]): Promise<PublishReport>;
  metrics: MessagingMetrics;
  backoff: RetryBackoff;
  /** Messages to ask for in the next pull, capped at the consumer's `batchSize`. @default the `batchSize` */
  nextBatchSize?: () => number;
  /** Milliseconds to wait before the next pull; a stop cuts the wait short. @default no wait */
  delayBeforePull?: () => number;
}

interface FetchResult {
  messages: JsMsg[];
  failure?: unknown;
}

interface LabelledCounter {
  inc(value?: number): void;
}

/** A message dead-lettered whole (then terminated), or parts of a message dead-lettered alone (then it is acked). */
type PendingDeadLetter =
  | { index: number; kind: 'whole'; reason: string; termReason: TermReason }
  | { index: number; kind: 'parts'; parts: readonly DeadLetterPart[] };

/** Pause after a failed fetch: 0.5 s doubling to 15 s, so a long outage is not a busy loop. */
const FETCH_RETRY_BASE_MS = 500;
const FETCH_RETRY_MAX_MS = 15_000;

/**
 * Pulls batches from one durable consumer and runs its handler on each, then applies the outcomes: `ack`;
 * `retry` → nak with back-off, or dead-letter once `maxDeliver` is reached; `dead-letter` → publish to the
 * dead-letter stream, wait for its PubAck, then term. A handler that throws retries the whole batch. Nothing is
 * acked that the handler did not say to ack. Fetch failures (NATS down, consumer missing) are retried forever.
 */
export class ConsumerLoop {
  private readonly logger: Logger;
  private readonly acked: LabelledCounter;
  private readonly naked: LabelledCounter;
  private readonly redelivered: LabelledCounter;
  private stopping = false;
  private running: Promise<void> | undefined;
  private consumerHandle: Consumer | undefined;
  private readonly fetches = new Set<ConsumerMessages>();
  private wake: (() => void) | undefined;

  constructor(
    private readonly consumer: ConsumerSettings,
    private readonly handler: BatchHandler,
    private readonly deps: ConsumerLoopDependencies,
  ) {
    this.logger = new Logger(`JetStreamConsumer:${consumer.durable}`);
    const labels = { durable: consumer.durable };
    this.acked = deps.metrics.acked.labels(labels);
    this.naked = deps.metrics.naked.labels(labels);
    this.redelivered = deps.metrics.redelivered.labels(labels);
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops pulling, lets the batches in hand finish and their outcomes be applied. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const fetch of this.fetches) fetch.stop();
    this.wake?.();
    await this.running;
  }

  /**
   * Pulls the next batch while the handler works on the current one, so the server delivers and the client
   * handles at the same time (one pull at a time left both sides idle half the time). On stop, the pull under way
   * is cut short and whatever it already received is handled too: nothing delivered is left to time out.
   */
  private async run(): Promise<void> {
    const { stream, durable, batchSize } = this.consumer;
    let failures = 0;
    let next: Promise<FetchResult> | undefined;
    this.logger.log(`consuming ${stream}/${durable} in batches of up to ${batchSize}`);
    while (!this.stopping || next !== undefined) {
      const { messages, failure } = await (next ?? this.fetchBatch());
      next = failure === undefined && !this.stopping ? this.fetchBatch() : undefined;
      if (messages.length > 0) await this.processSafely(messages);
      if (failure === undefined) {
        if (failures > 0) this.logger.log(`fetching from ${durable} works again after ${failures} failed attempts`);
        failures = 0;
      } else if (!this.stopping) {
        failures++;
        const pauseMs = Math.min(FETCH_RETRY_MAX_MS, FETCH_RETRY_BASE_MS * 2 ** Math.min(failures - 1, 10));
        this.logger.warn(
          `fetch from ${durable} failed (attempt ${failures}, next in ${pauseMs} ms): ${messageOf(failure)}`,
        );
        // The consumer may have been deleted and re-created: look it up again.
        this.consumerHandle = undefined;
        await this.pause(pauseMs);
      }
    }
    this.logger.log(`stopped consuming ${stream}/${durable}`);
  }

  /** One pull. What arrived before a failure is returned with it, so it gets handled rather than left to time out. */
  private async fetchBatch(): Promise<FetchResult> {
    const messages: JsMsg[] = [];
    let iterator: ConsumerMessages | undefined;
    try {
      const delayMs = this.deps.delayBeforePull?.() ?? 0;
      if (delayMs > 0 && !this.stopping) await this.pause(delayMs);
      if (this.stopping) return { messages };
      this.consumerHandle ??= await this.deps.js.consumers.get(this.consumer.stream, this.consumer.durable);
      iterator = await this.consumerHandle.fetch({
        max_messages: this.batchSize(),
        expires: this.consumer.maxWaitMs,
      });
      this.fetches.add(iterator);
      // stop() may have run while the pull was being set up.
      if (this.stopping) iterator.stop();
      for await (const message of iterator) messages.push(message);
      return { messages };
    } catch (failure) {
      return { messages, failure };
    } finally {
      if (iterator !== undefined) this.fetches.delete(iterator);
    }
  }

  private batchSize(): number {
    const { batchSize } = this.consumer;
    const wanted = this.deps.nextBatchSize?.() ?? batchSize;
    return Number.isFinite(wanted) ? Math.max(1, Math.min(batchSize, Math.floor(wanted))) : batchSize;
  }

  /** Settling can fail only when the connection is gone; the unsettled messages are then redelivered after ack_wait. */
  private async processSafely(batch: JsMsg[]): Promise<void> {
    try {
      await this.process(batch);
    } catch (error) {
      this.logger.error(
        `settling a batch of ${batch.length} failed; unsettled messages will be redelivered: ${messageOf(error)}`,
      );
    }
  }

  private async process(batch: JsMsg[]): Promise<void> {
    const messages = batch.map(toConsumedMessage);
    const outcomes = await this.runHandler(messages);
    const letters: PendingDeadLetter[] = [];
    let acked = 0;
    let naked = 0;
    let redelivered = 0;
    for (let index = 0; index < batch.length; index++) {
      const message = batch[index] as JsMsg;
      const { deliveryCount } = messages[index] as ConsumedMessage;
      const outcome = outcomes[index] as MessageOutcome;
      if (deliveryCount > 1) redelivered++;
      if (outcome.kind === 'ack') {
        const parts = outcome.deadLetterParts ?? [];
        if (parts.length > 0) {
          letters.push({ index, kind: 'parts', parts });
        } else {
          message.ack();
          acked++;
        }
      } else if (outcome.kind === 'dead-letter') {
        letters.push({ index, kind: 'whole', reason: outcome.reason, termReason: 'dead-letter' });
      } else if (deliveryCount >= this.consumer.maxDeliver) {
        letters.push({
          index,
          kind: 'whole',
          reason: `max deliveries reached: ${outcome.reason}`,
          termReason: 'max-deliveries',
        });
      } else {
        message.nak(retryDelayMs(deliveryCount, this.deps.backoff));
        naked++;
      }
    }
    if (letters.length > 0) {
      const settled = await this.deadLetter(batch, messages, letters);
      acked += settled.acked;
      naked += settled.naked;
    }
    if (acked > 0) this.acked.inc(acked);
    if (naked > 0) this.naked.inc(naked);
    if (redelivered > 0) this.redelivered.inc(redelivered);
  }

  private async runHandler(messages: ConsumedMessage[]): Promise<readonly MessageOutcome[]> {
    try {
      const correlationId = sharedCorrelationId(messages);
      const outcomes =
        correlationId === undefined
          ? await this.handler(messages)
          : await runWithCorrelation({ correlationId }, () => this.handler(messages));
      if (outcomes.length !== messages.length) {
        throw new Error(`handler returned ${outcomes.length} outcomes for ${messages.length} messages`);
      }
      return outcomes;
    } catch (error) {
      this.logger.error(
        `handler failed on a batch of ${messages.length}; the whole batch will be retried: ${messageOf(error)}`,
      );
      const retry: MessageOutcome = { kind: 'retry', reason: `handler failed: ${messageOf(error)}` };
      return messages.map(() => retry);
    }
  }

  /**
   * Publishes the dead letters, and only once the dead-letter stream confirmed them terms the messages dead-lettered
   * whole and acks those whose parts were. If that publish fails every one of these messages is naked to try again
   * later (the letters' own ids make a repeat store each letter once). Returns how many were acked and naked.
   */
  private async deadLetter(
    batch: JsMsg[],
    messages: ConsumedMessage[],
    letters: PendingDeadLetter[],
  ): Promise<{ acked: number; naked: number }> {
    const { durable } = this.consumer;
    const published = letters.flatMap((letter) => this.lettersOf(messages[letter.index] as ConsumedMessage, letter));
    try {
      await this.deps.deadLetterMany(published);
    } catch (error) {
      this.logger.error(
        `dead-lettering ${published.length} messages or parts failed; they will be retried: ${messageOf(error)}`,
      );
      for (const { index } of letters) {
        (batch[index] as JsMsg).nak(
          retryDelayMs((messages[index] as ConsumedMessage).deliveryCount, this.deps.backoff),
        );
      }
      return { acked: 0, naked: letters.length };
    }
    const termed = new Map<TermReason, number>();
    let acked = 0;
    for (const letter of letters) {
      const message = messages[letter.index] as ConsumedMessage;
      if (letter.kind === 'parts') {
        (batch[letter.index] as JsMsg).ack();
        acked++;
        withMessageCorrelation(message, () =>
          this.logger.warn(
            `dead-lettered ${letter.parts.length} parts of ${describe(message)} from ${message.subject} and acked the rest`,
          ),
        );
        continue;
      }
      // NATS 2.9 ignores a term with a reason (`+TERM <reason>` arrived in 2.11): the reason lives in the dead letter.
      (batch[letter.index] as JsMsg).term();
      termed.set(letter.termReason, (termed.get(letter.termReason) ?? 0) + 1);
      withMessageCorrelation(message, () =>
        this.logger.warn(`dead-lettered ${describe(message)} from ${message.subject}: ${letter.reason}`),
      );
    }
    for (const [reason, count] of termed) this.deps.metrics.termed.inc({ durable, reason }, count);
    return { acked, naked: 0 };
  }

  /** The dead letters of one message: the message itself, or each of its parts alone. */
  private lettersOf(message: ConsumedMessage, letter: PendingDeadLetter): DeadLetter[] {
    const { stream, durable } = this.consumer;
    const headers = {
      'x-original-stream': stream,
      'x-original-sequence': String(message.streamSequence),
      'x-delivery-count': String(message.deliveryCount),
    };
    const common = { origin: durable, originalSubject: message.subject, correlationId: message.correlationId };
    const letterId = `${durable}:${stream}:${message.streamSequence}`;
    if (letter.kind === 'whole')
      return [
        { ...common, reason: letter.reason, data: message.data, msgId: message.msgId, deadLetterId: letterId, headers },
      ];
    return letter.parts.map((part) => ({
      ...common,
      reason: part.reason,
      data: part.data,
      msgId: part.id ?? message.msgId,
      deadLetterId: `${letterId}:${part.index}`,
      headers: { ...headers, [ORIGINAL_PART_HEADER]: String(part.index) },
    }));
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wake = undefined;
    });
  }
}

function describe(message: ConsumedMessage): string {
  return message.msgId ?? `sequence ${message.streamSequence}`;
}

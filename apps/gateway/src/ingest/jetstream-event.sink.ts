import { Injectable } from '@nestjs/common';
import { type DeadLetter, JetStreamPublisher, type OutgoingMessage, PublishError } from '@evp/messaging';
import { type EventSink, EventSinkUnavailableError, type PublishOutcome } from './event.sink';

/** The production `EventSink`: the messaging module's pipelined publisher, every PubAck checked. */
@Injectable()
export class JetStreamEventSink implements EventSink {
  constructor(private readonly publisher: JetStreamPublisher) {}

  get maxPayload(): number {
    return this.publisher.maxPayload;
  }

  async publish(message: OutgoingMessage): Promise<PublishOutcome> {
    try {
      const report = await this.publisher.publish(message);
      return report.duplicates > 0 ? 'duplicate' : 'stored';
    } catch (error) {
      throw unavailable(error);
    }
  }

  async deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    try {
      await this.publisher.deadLetterMany(letters);
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(error: unknown): unknown {
  return error instanceof PublishError ? new EventSinkUnavailableError(error.message, { cause: error }) : error;
}

import { Injectable } from '@nestjs/common';
import {
  type DeadLetter,
  JetStreamPublisher,
  type OutgoingMessage,
  PublishError,
  type PublishReport,
} from '@evp/messaging';
import { type EventSink, EventSinkUnavailableError } from './event.sink';

/** The production `EventSink`: the messaging module's pipelined publisher, every PubAck checked. */
@Injectable()
export class JetStreamEventSink implements EventSink {
  constructor(private readonly publisher: JetStreamPublisher) {}

  async publish(messages: readonly OutgoingMessage[]): Promise<PublishReport> {
    try {
      return await this.publisher.publishMany(messages);
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
  return error instanceof PublishError
    ? new EventSinkUnavailableError(error.message, error.confirmed, { cause: error })
    : error;
}

import { SetMetadata } from '@nestjs/common';
import { JETSTREAM_BATCH_HANDLER } from './messaging.constants';

/**
 * Marks a provider method as the batch handler of a declared durable consumer. The method receives
 * `readonly ConsumedMessage[]` and returns one `MessageOutcome` per message, in order (a `BatchHandler`).
 *
 * @example
 * ```ts
 * @JetStreamBatchHandler('fb-collector')
 * async store(messages: readonly ConsumedMessage[]): Promise<MessageOutcome[]> { … }
 * ```
 */
export const JetStreamBatchHandler = (durable: string): MethodDecorator =>
  SetMetadata(JETSTREAM_BATCH_HANDLER, durable);

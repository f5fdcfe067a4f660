export { JetStreamBatchHandler } from './batch-handler.decorator';
export { eventsStream, ingestionStream } from './events.stream';
export { forEachCorrelation, withMessageCorrelation } from './message.correlation';
export { JetStreamConnection, type ConnectionState } from './jetstream.connection';
export { type BatchHandlerOptions, JetStreamConsumerRunner, type ConsumerPending } from './jetstream.consumer-runner';
export { JetStreamLifecycle } from './jetstream.lifecycle';
export { JetStreamModule } from './jetstream.module';
export type { JetStreamModuleAsyncOptions, JetStreamModuleForRootOptions } from './jetstream.module-definition';
export type {
  DeadLetterOptions,
  JetStreamModuleOptions,
  NatsAuthOptions,
  RetryBackoffOptions,
} from './jetstream.options';
export { JetStreamPublisher, type PublishManyOptions } from './jetstream.publisher';
export {
  type ConsumerSettings,
  type JetStreamSettings,
  resolveJetStreamSettings,
  type StreamSettings,
} from './jetstream.settings';
export type {
  BatchHandler,
  ConsumedMessage,
  ConsumerDefinition,
  DeadLetter,
  DeadLetterPart,
  MessageOutcome,
  OutgoingMessage,
  PublishReport,
  StreamDefinition,
  StreamLimits,
} from './jetstream.types';
export {
  DEAD_LETTER_ORIGIN_HEADER,
  DEAD_LETTER_REASON_HEADER,
  JETSTREAM_MODULE_OPTIONS,
  JETSTREAM_SETTINGS,
  MSG_ID_HEADER,
  ORIGINAL_MSG_ID_HEADER,
  ORIGINAL_PART_HEADER,
  ORIGINAL_SUBJECT_HEADER,
} from './messaging.constants';
export {
  ConnectError,
  HandlerRegistrationError,
  InvalidHeaderError,
  MessagingError,
  MessagingOptionsError,
  ProvisioningError,
  PublishError,
  type PublishFailureReason,
  type PublishProgress,
} from './messaging.errors';
export { MessagingMetrics, type TermReason } from './messaging.metrics';
export { retryDelayMs, type RetryBackoff } from './retry.backoff';

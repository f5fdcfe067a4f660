/** Options as given to `JetStreamModule.forRoot/forRootAsync`. */
export const JETSTREAM_MODULE_OPTIONS = Symbol('JETSTREAM_MODULE_OPTIONS');
/** The same options validated and completed with defaults (`JetStreamSettings`). */
export const JETSTREAM_SETTINGS = Symbol('JETSTREAM_SETTINGS');
/** Metadata key that `@JetStreamBatchHandler(durable)` puts on a method. */
export const JETSTREAM_BATCH_HANDLER = Symbol('JETSTREAM_BATCH_HANDLER');

/** JetStream's de-duplication header: a second message with the same id inside the window is not stored. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';
/** Headers every dead-lettered message carries, so the dead-letter stream explains itself. */
export const DEAD_LETTER_REASON_HEADER = 'x-dead-letter-reason';
export const DEAD_LETTER_ORIGIN_HEADER = 'x-dead-letter-origin';
export const ORIGINAL_SUBJECT_HEADER = 'x-original-subject';
export const ORIGINAL_MSG_ID_HEADER = 'x-original-msg-id';
/** On the dead letter of one part of a message: the part's position in the message. */
export const ORIGINAL_PART_HEADER = 'x-original-part';

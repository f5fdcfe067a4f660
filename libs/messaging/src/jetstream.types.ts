/**
 * The public shapes of the messaging module. Gateway and collectors code against these; the module
 * owns how they map onto NATS JetStream.
 */

/** A stream the application needs; provisioned idempotently at start-up. */
export interface StreamDefinition {
  name: string;
  subjects: string[];
  /**
   * `workqueue` removes a message once acked, so the stream only holds unconsumed work;
   * `limits` keeps messages until age/size limits (used for the dead-letter stream).
   * @default 'workqueue'
   */
  retention?: 'workqueue' | 'limits';
  /** Window in which a repeated Nats-Msg-Id is dropped by the broker. @default 120_000 */
  duplicateWindowMs?: number;
  /**
   * Oldest message kept; 0 keeps messages until consumed.
   * @default 0 for `workqueue` streams (unconsumed work is never aged out), 7 days for `limits` streams
   */
  maxAgeMs?: number;
  /** Stream size cap; when full, new publishes are refused (never silently dropping unconsumed events). @default -1 (unlimited) */
  maxBytes?: number;
  /**
   * Copies of the stream in a JetStream cluster (1 to 5). A PubAck then means a majority has the message, so it
   * survives the loss of a minority of servers; 3 is the production setting. Must not exceed the cluster's size.
   * @default 1
   */
  replicas?: number;
}

/** The size and age caps and the replica count of a stream, as configured per deployment. */
export type StreamLimits = Pick<StreamDefinition, 'maxBytes' | 'maxAgeMs' | 'replicas'>;

/** A durable pull consumer the application reads from. */
export interface ConsumerDefinition {
  stream: string;
  durable: string;
  filterSubject: string;
  /** Deliveries before a message that keeps failing transiently is dead-lettered. @default 10 */
  maxDeliver?: number;
  /** How long the broker waits for an ack before redelivering. @default 30_000 */
  ackWaitMs?: number;
  /** Messages fetched per pull. @default 1000 */
  batchSize?: number;
  /** Longest a pull waits to fill a batch (at least 1000). @default 1000 */
  maxWaitMs?: number;
  /** Messages delivered and not yet acked before the broker stops delivering; shared by all instances. @default 10 × batchSize */
  maxAckPending?: number;
}

/** A message to publish. */
export interface OutgoingMessage {
  subject: string;
  data: Uint8Array;
  /** Nats-Msg-Id: the broker drops a second message with the same id within the duplicate window. */
  msgId?: string;
  correlationId?: string;
  headers?: Record<string, string>;
}

export interface PublishReport {
  /** Messages the stream stored (new). */
  stored: number;
  /** Messages the stream acknowledged as duplicates of an id inside its window. */
  duplicates: number;
}

/** A message handed to a batch handler. */
export interface ConsumedMessage {
  subject: string;
  data: Uint8Array;
  msgId: string | undefined;
  correlationId: string | undefined;
  headers: Record<string, string>;
  /** 1 on first delivery. */
  deliveryCount: number;
  streamSequence: number;
}

/**
 * One part of a message (an event of a message that carries several) that cannot be used: dead-lettered on its own
 * while the rest of the message is acked.
 */
export interface DeadLetterPart {
  /** Position of the part in its message: named in the letter's headers and part of the letter's own id. */
  index: number;
  reason: string;
  /** The part's bytes, kept in the dead letter. */
  data: Uint8Array;
  /** The part's own id (an event id), kept as the letter's original message id. @default the message's id */
  id?: string;
}

/** What the module does with each message after the handler ran. */
export type MessageOutcome =
  /** With `deadLetterParts`: those parts are dead-lettered first, and the message is acked once they are stored. */
  | { kind: 'ack'; deadLetterParts?: readonly DeadLetterPart[] }
  /** Transient failure: nak with back-off; dead-lettered once maxDeliver is reached. */
  | { kind: 'retry'; reason: string }
  /** Poison: dead-lettered with the reason, then terminated. */
  | { kind: 'dead-letter'; reason: string };

/** Handles one fetched batch; returns one outcome per message, in order. */
export type BatchHandler = (messages: readonly ConsumedMessage[]) => Promise<readonly MessageOutcome[]>;

/** A dead-lettered message as kept in the dead-letter stream. */
export interface DeadLetter {
  /** Who dead-lettered it: `gateway`, `fb-collector`, … */
  origin: string;
  reason: string;
  /** Subject the message was meant for or came from. */
  originalSubject: string;
  data: Uint8Array;
  msgId?: string;
  correlationId?: string;
  /**
   * Nats-Msg-Id of the dead-letter message itself: the same id for the same failed message makes a repeated
   * dead-lettering (after a crash between publish and term) store one letter.
   */
  deadLetterId?: string;
  /** More context headers (delivery count, stream sequence, …). */
  headers?: Record<string, string>;
}

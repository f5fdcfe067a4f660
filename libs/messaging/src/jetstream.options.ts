import type { ConsumerDefinition, StreamDefinition } from './jetstream.types';

/** Where dead-lettered messages go: one stream, one subject per origin (`<subjectPrefix>.<origin>`). */
export interface DeadLetterOptions {
  /** @default 'EVENTS_DLQ' (DEAD_LETTER_STREAM) */
  stream?: string;
  /** @default 'dlq' (DEAD_LETTER_SUBJECT_PREFIX) */
  subjectPrefix?: string;
  /** How long dead letters are kept. @default 30 days */
  maxAgeMs?: number;
  /** Size cap; when full, dead-lettering fails (and the message is retried) rather than dropping older letters. @default -1 (unlimited) */
  maxBytes?: number;
  /** Copies of the dead-letter stream in a JetStream cluster. @default 1 */
  replicas?: number;
  /** Create or update the dead-letter stream at start-up. @default true */
  provision?: boolean;
}

/** Back-off of `retry` outcomes: the nak delay doubles with every delivery, up to a cap. */
export interface RetryBackoffOptions {
  /** Delay after the first delivery failed. @default 1_000 */
  baseMs?: number;
  /** Longest delay. @default 60_000 */
  maxMs?: number;
}

/** Who the connection is and how it is encrypted; at most one of user/password, token or nkey seed. */
export interface NatsAuthOptions {
  /** With `password`: a user of the server's authorization block. @default unset */
  user?: string;
  password?: string;
  /** @default unset */
  token?: string;
  /** A user NKey seed (`SU…`); the client signs the server's nonce with it. @default unset */
  nkeySeed?: string;
  /** Files of the CA bundle and of a client certificate and key; any of them turns TLS on. @default unset (no TLS) */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export interface JetStreamModuleOptions {
  /** NATS server URLs. @default ['nats://127.0.0.1:4222'] */
  servers?: string[];
  /** @default {} (anonymous, plain TCP unless a server URL says tls://) */
  auth?: NatsAuthOptions;
  /** Connection name shown by the server's monitoring (usually the service name). @default 'evp' */
  connectionName?: string;
  /** Streams created or updated at start-up. @default [] */
  streams?: StreamDefinition[];
  /** Durable pull consumers created or updated at start-up; handlers attach to them by durable name. @default [] */
  consumers?: ConsumerDefinition[];
  /** @default the `EVENTS_DLQ` stream on `dlq.>` */
  deadLetter?: DeadLetterOptions;
  /** Longest a publish waits without receiving any PubAck before failing with `MESSAGING.PUBLISH_TIMEOUT`. @default 5_000 */
  publishTimeoutMs?: number;
  /** Messages of one `publishMany` call in flight (sent, PubAck not yet received). @default 2_000 */
  inFlightWindow?: number;
  /** Longest `close()` waits for consumers to finish their batch and publishes to settle before closing anyway. @default 10_000 */
  shutdownTimeoutMs?: number;
  /** Pause between reconnect attempts (attempts are unlimited). @default 1_000 */
  reconnectTimeWaitMs?: number;
  /** Keep retrying the first connection instead of failing start-up when NATS is not there yet. @default false */
  waitOnFirstConnect?: boolean;
  /** @default { baseMs: 1_000, maxMs: 60_000 } */
  retryBackoff?: RetryBackoffOptions;
  /** How long stream/consumer info is reused by readiness checks and the stream and pending gauges. @default 2_000 */
  infoCacheMs?: number;
}

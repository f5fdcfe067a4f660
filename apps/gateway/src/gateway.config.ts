import {
  loadConfig,
  logLevel,
  natsName,
  port,
  positiveInt,
  streamLimitsEnv,
  subjectPrefix,
  urlList,
} from '@evp/config';
import { DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT_PREFIX, EVENTS_STREAM, EVENTS_SUBJECT_PREFIX } from '@evp/contracts';
import { z } from 'zod';

/** The gateway's environment variables; each key is the variable name, each default the documented one. */
export const gatewayConfigSchema = z.object({
  PORT: port(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  NATS_URL: urlList(['nats', 'tls'], 'nats://127.0.0.1:4222'),
  /** The real publisher sends up to ~21 MB; beyond this the answer is 413. */
  BODY_LIMIT_BYTES: positiveInt(64 * 1024 * 1024),
  /** Worker threads that check, parse and validate bodies; 0 does it on the main thread between event-loop turns. */
  INGEST_WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  /** A bigger event is rejected on its own (its first bytes dead-lettered) instead of failing its batch's publish. */
  MAX_EVENT_BYTES: positiveInt(64 * 1024),
  /**
   * Events of one source packed into one JetStream message at most. The broker's and the collectors' cost is mostly
   * per message; past ~100 events a message it is under a microsecond per event (measured in the README).
   */
  EVENTS_PER_MESSAGE: z.coerce.number().int().min(1).max(10_000).default(200),
  /**
   * Bytes of one message's data at most, and never more than the server's max_payload less room for headers; a single
   * event bigger than this still goes alone.
   */
  MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .default(512 * 1024),
  EVENTS_STREAM: natsName(EVENTS_STREAM),
  EVENTS_SUBJECT_PREFIX: subjectPrefix(EVENTS_SUBJECT_PREFIX),
  DEAD_LETTER_STREAM: natsName(DEAD_LETTER_STREAM),
  DEAD_LETTER_SUBJECT_PREFIX: subjectPrefix(DEAD_LETTER_SUBJECT_PREFIX),
  ...streamLimitsEnv,
  /** Longest wait for JetStream to acknowledge a request's events before answering 503. */
  PUBLISH_TIMEOUT_MS: positiveInt(10_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt(20_000),
  LOG_LEVEL: logLevel,
  /** Per-event errors listed in a reply; the total is always in `rejected`. */
  MAX_REPORTED_ERRORS: positiveInt(100),
  /** Sent as `Retry-After` with a 503. */
  RETRY_AFTER_SECONDS: positiveInt(5),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig('gateway', gatewayConfigSchema, env);
}

import {
  bindHost,
  duration,
  checkNatsAuth,
  loadConfigWithSecretFiles,
  NATS_SECRET_VARIABLES,
  natsAuthEnv,
  logFormat,
  logLevel,
  optionalPort,
  natsName,
  port,
  positiveInt,
  streamLimitsEnv,
  subjectPrefix,
  urlList,
} from '@evp/config';
import { DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT_PREFIX, EVENTS_STREAM, EVENTS_SUBJECT_PREFIX } from '@evp/contracts';
import { z } from 'zod';
import { webhookHmacSecret, webhookTokenList } from './auth/webhook-auth.env';

/** Variables that may also be given as `<NAME>_FILE`, a file holding the value (Docker secrets). */
const SECRET_VARIABLES = ['WEBHOOK_TOKENS', 'WEBHOOK_HMAC_SECRET', ...NATS_SECRET_VARIABLES] as const;

const MEBIBYTE = 1024 * 1024;

/** The gateway's environment variables; each key is the variable name, each default the documented one. */
export const gatewayConfigSchema = z
  .object({
    PORT: port(3000),
    HOST: bindHost,
    METRICS_PORT: optionalPort,
    NATS_URL: urlList(['nats', 'tls'], 'nats://127.0.0.1:4222'),
    ...natsAuthEnv,
    /** The real publisher sends up to ~21 MB; beyond this the answer is 413. @default 24 MiB */
    BODY_LIMIT_BYTES: positiveInt(24 * MEBIBYTE),
    /**
     * Body bytes all webhook requests in flight may hold together (each counted with its Content-Length, or the body
     * limit when it sends none); past it a request is answered 503 with Retry-After before its body is read. At least
     * BODY_LIMIT_BYTES. @default 128 MiB
     */
    MAX_IN_FLIGHT_BYTES: positiveInt(128 * MEBIBYTE),
    /**
     * Longest a request may take to arrive whole, headers and body; a body that trickles in longer is cut with 408.
     * @default 60000
     */
    REQUEST_TIMEOUT_MS: positiveInt(60_000),
    /**
     * A connection with no traffic either way for this long is closed. Longer than PUBLISH_TIMEOUT_MS, since a request
     * waits on the broker silently. @default 60000
     */
    CONNECTION_TIMEOUT_MS: positiveInt(60_000),
    /** An idle keep-alive connection is closed after this long. @default 72000 (longer than the usual 60 s of proxies) */
    KEEP_ALIVE_TIMEOUT_MS: positiveInt(72_000),
    /**
     * Webhook tokens accepted as `?token=` or `x-webhook-token`, comma-separated, each at least 16 characters of
     * letters, digits and - . _ ~; several at once so a token can be rotated. Also `WEBHOOK_TOKENS_FILE`.
     * @default unset (no token needed)
     */
    WEBHOOK_TOKENS: webhookTokenList,
    /**
     * Key of `x-signature-256: sha256=<hex HMAC-SHA256 of the raw body>` signatures. With WEBHOOK_TOKENS also set, a
     * valid token or a valid signature is enough. Also `WEBHOOK_HMAC_SECRET_FILE`. @default unset (not checked)
     */
    WEBHOOK_HMAC_SECRET: webhookHmacSecret,
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
    /**
     * An event dated more than this ahead of the time its body was received is refused and dead-lettered with reason
     * future_timestamp (a client clock that is wrong). A duration with a unit. @default 23h
     */
    MAX_FUTURE_SKEW: duration('23h'),
    /**
     * An event dated more than this before the time its body was received goes to the backfill lane
     * (`<EVENTS_SUBJECT_PREFIX>.backfill.<source>`), which the collectors drain at a bounded rate. @default 24h
     */
    BACKFILL_AFTER: duration('24h'),
    EVENTS_STREAM: natsName(EVENTS_STREAM),
    EVENTS_SUBJECT_PREFIX: subjectPrefix(EVENTS_SUBJECT_PREFIX),
    DEAD_LETTER_STREAM: natsName(DEAD_LETTER_STREAM),
    DEAD_LETTER_SUBJECT_PREFIX: subjectPrefix(DEAD_LETTER_SUBJECT_PREFIX),
    ...streamLimitsEnv,
    /** Longest wait for JetStream to acknowledge a request's events before answering 503. */
    PUBLISH_TIMEOUT_MS: positiveInt(10_000),
    SHUTDOWN_TIMEOUT_MS: positiveInt(20_000),
    LOG_LEVEL: logLevel,
    /** `pretty` (coloured lines) or `json`. @default pretty on a terminal outside containers, json otherwise */
    LOG_FORMAT: logFormat,
    /**
     * Items a body may hold; a body with more is answered 413 before any of it is published (the real publisher sends
     * up to ~50,000). @default 100000
     */
    MAX_EVENTS_PER_BODY: positiveInt(100_000),
    /**
     * Invalid events of one body sent to the dead-letter stream, the first ones; the others are counted in one more
     * letter (header `x-dead-letters-omitted`). @default 1000
     */
    MAX_INVALID_EVENTS_DEAD_LETTERED: positiveInt(1_000),
    /** Per-event errors listed in a reply; the total is always in `rejected`. */
    MAX_REPORTED_ERRORS: positiveInt(100),
    /** Sent as `Retry-After` with a 503. */
    RETRY_AFTER_SECONDS: positiveInt(5),
    /**
     * Events a second each sender (webhook token, signature, or all anonymous senders together) may send, over all
     * replicas; a sender past it is answered 429. Twice the real publisher's peak, so its pace is never throttled.
     * 0 turns quotas off. @default 50000
     */
    QUOTA_EVENTS_PER_SECOND: z.coerce.number().int().min(0).default(50_000),
    /** Events a sender may send at once before the rate applies (two 50,000-event bodies). 0: off. @default 100000 */
    QUOTA_BURST_EVENTS: z.coerce.number().int().min(0).default(100_000),
    /** Gateway replicas sharing the quotas: each process keeps its own buckets, of this share. @default 1 */
    QUOTA_REPLICAS: positiveInt(1),
  })
  .superRefine((config, context) => {
    checkNatsAuth(config, context);
    if (config.MAX_IN_FLIGHT_BYTES < config.BODY_LIMIT_BYTES) {
      context.addIssue({
        code: 'custom',
        path: ['MAX_IN_FLIGHT_BYTES'],
        message: `must be at least BODY_LIMIT_BYTES (${config.BODY_LIMIT_BYTES}): a body of the largest size must fit`,
      });
    }
  });

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfigWithSecretFiles('gateway', gatewayConfigSchema, env, SECRET_VARIABLES);
}

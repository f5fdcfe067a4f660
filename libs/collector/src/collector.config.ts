import {
  bindHost,
  booleanFlag,
  checkNatsAuth,
  loadConfigWithSecretFiles,
  logFormat,
  logLevel,
  NATS_SECRET_VARIABLES,
  natsAuthEnv,
  natsAuthOf,
  natsName,
  optionalPort,
  port,
  positiveInt,
  streamLimitsEnv,
  streamLimitsOf,
  subjectPrefix,
  url,
  urlList,
} from '@evp/config';
import {
  COLLECTOR_DURABLES,
  DEAD_LETTER_STREAM,
  DEAD_LETTER_SUBJECT_PREFIX,
  EVENTS_STREAM,
  EVENTS_SUBJECT_PREFIX,
  type Source,
} from '@evp/contracts';
import { PARTITION_INTERVALS } from '@evp/database';
import { z } from 'zod';
import type { CollectorModuleOptions } from './collector.options';
import type { SourceNormaliser } from './event.normaliser';

/** Variables that may also be given as `<NAME>_FILE`, a file holding the value (Docker secrets). */
const SECRET_VARIABLES = ['DATABASE_URL', 'DATABASE_OWNER_URL', ...NATS_SECRET_VARIABLES] as const;

/** Share of SHUTDOWN_TIMEOUT_MS the consumers get to store and ack their batch and drain NATS; the rest closes the app. */
const CONSUMER_SHUTDOWN_SHARE = 0.75;

/**
 * The environment variables of a collector app; each key is the variable name, each default the documented
 * one (.env.example). Both collectors share it, with their own port and durable consumer.
 */
export function collectorConfigSchema(defaults: { port: number; source: Source }) {
  return z
    .object({
      PORT: port(defaults.port),
      HOST: bindHost,
      METRICS_PORT: optionalPort,
      DATABASE_URL: url(['postgresql', 'postgres'], 'postgresql://postgres@127.0.0.1:5432/evp'),
      /**
       * The schema owner's URL (evp_owner): migrations and the time partitions run as it, so DATABASE_URL can be the
       * collector's role, which only writes rows. Unset: DATABASE_URL does everything.
       */
      DATABASE_OWNER_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }).optional(),
      NATS_URL: urlList(['nats', 'tls'], 'nats://127.0.0.1:4222'),
      ...natsAuthEnv,
      EVENTS_STREAM: natsName(EVENTS_STREAM),
      EVENTS_SUBJECT_PREFIX: subjectPrefix(EVENTS_SUBJECT_PREFIX),
      DEAD_LETTER_STREAM: natsName(DEAD_LETTER_STREAM),
      DEAD_LETTER_SUBJECT_PREFIX: subjectPrefix(DEAD_LETTER_SUBJECT_PREFIX),
      ...streamLimitsEnv,
      /** Shared by every instance of the collector: instances split the work. */
      CONSUMER_DURABLE: natsName(COLLECTOR_DURABLES[defaults.source]),
      /**
       * Messages fetched per pull at most. Pulls ask for about MAX_EVENTS_PER_WRITE events' worth of messages, so this
       * matters for one-event messages (published before events were packed) and for the first pull of packed ones
       * after them: 1,000 × 200 events is 40 writes, a few seconds, well inside ACK_WAIT_MS.
       */
      BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
      /**
       * Events written in one statement and transaction at most. bench:collectors drained ~26k events/s with 2,000 rows
       * per statement and ~27–29k with 5,000: fewer statements and commits per event.
       */
      MAX_EVENTS_PER_WRITE: z.coerce.number().int().min(1).max(50_000).default(5_000),
      /**
       * Bytes of events (as received) written in one statement at most, beside MAX_EVENTS_PER_WRITE: 5,000 events of the
       * usual ~600 bytes are 3 MB, so this binds only for large events, keeping a statement far below PostgreSQL's 1 GB
       * parameter limit and a retried transaction small.
       */
      MAX_BYTES_PER_WRITE: positiveInt(32 * 1024 * 1024),
      /**
       * Events per second the backfill lane (events dated more than the gateway's BACKFILL_AFTER before they were
       * received) is pulled at, on average: the share of the writer a re-sent history may take from live events.
       * About a fifth of what one collector writes (bench:collectors). @default 5000
       */
      BACKFILL_MAX_EVENTS_PER_SECOND: positiveInt(5_000),
      /** Longest a pull waits to fill a batch. */
      MAX_WAIT_MS: z.coerce.number().int().min(1_000).default(1_000),
      /** Deliveries of a message that keeps failing (database down) before it is dead-lettered: 60 ride out about an hour. */
      MAX_DELIVER: positiveInt(60),
      /** How long NATS waits for an ack before delivering the message again (e.g. after a crash). */
      ACK_WAIT_MS: positiveInt(30_000),
      MIGRATE_ON_START: booleanFlag(true),
      SHUTDOWN_TIMEOUT_MS: positiveInt(20_000),
      LOG_LEVEL: logLevel,
      /** `pretty` (coloured lines) or `json`. @default pretty on a terminal outside containers, json otherwise */
      LOG_FORMAT: logFormat,
      DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
      /** Length of one time partition of the stored events: day, week or month. */
      EVENTS_PARTITION_INTERVAL: z.enum(PARTITION_INTERVALS).default('day'),
      /** Partitions kept ready after the current one. */
      EVENTS_PARTITIONS_AHEAD: positiveInt(3),
      /** Days of events kept; older partitions are dropped (rollups and all-time demographics stay). 0 keeps everything. */
      EVENTS_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
      /** Pause between two passes of partition creation and retention. */
      STORAGE_MAINTENANCE_INTERVAL_MS: positiveInt(600_000),
    })
    .superRefine(checkNatsAuth);
}

export type CollectorConfig = z.output<ReturnType<typeof collectorConfigSchema>>;

/** Reads and validates a collector's environment; throws `ConfigValidationError` naming each bad variable. */
export function loadCollectorConfig(
  service: string,
  defaults: { port: number; source: Source },
  env: NodeJS.ProcessEnv = process.env,
): CollectorConfig {
  return loadConfigWithSecretFiles(service, collectorConfigSchema(defaults), env, SECRET_VARIABLES);
}

/** `CollectorModule` options from a collector's environment. */
export function collectorOptionsOf(config: CollectorConfig, binding: SourceNormaliser): CollectorModuleOptions {
  return {
    ...binding,
    databaseUrl: config.DATABASE_URL,
    databaseOwnerUrl: config.DATABASE_OWNER_URL,
    natsServers: config.NATS_URL,
    natsAuth: natsAuthOf(config),
    stream: config.EVENTS_STREAM,
    subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
    deadLetterStream: config.DEAD_LETTER_STREAM,
    deadLetterSubjectPrefix: config.DEAD_LETTER_SUBJECT_PREFIX,
    streamLimits: streamLimitsOf(config),
    durable: config.CONSUMER_DURABLE,
    batchSize: config.BATCH_SIZE,
    maxEventsPerWrite: config.MAX_EVENTS_PER_WRITE,
    maxBytesPerWrite: config.MAX_BYTES_PER_WRITE,
    backfillMaxEventsPerSecond: config.BACKFILL_MAX_EVENTS_PER_SECOND,
    maxWaitMs: config.MAX_WAIT_MS,
    maxDeliver: config.MAX_DELIVER,
    ackWaitMs: config.ACK_WAIT_MS,
    migrateOnStart: config.MIGRATE_ON_START,
    databasePoolSize: config.DB_POOL_SIZE,
    shutdownTimeoutMs: Math.max(1_000, Math.floor(config.SHUTDOWN_TIMEOUT_MS * CONSUMER_SHUTDOWN_SHARE)),
    storage: {
      partitionInterval: config.EVENTS_PARTITION_INTERVAL,
      partitionsAhead: config.EVENTS_PARTITIONS_AHEAD,
      retentionDays: config.EVENTS_RETENTION_DAYS,
      storageMaintenanceIntervalMs: config.STORAGE_MAINTENANCE_INTERVAL_MS,
    },
  };
}

import {
  COLLECTOR_DURABLES,
  DEAD_LETTER_STREAM,
  DEAD_LETTER_SUBJECT_PREFIX,
  EVENTS_STREAM,
  INGESTION_DURABLE,
  EVENTS_SUBJECT_PREFIX,
  LANES,
  type Lane,
  type MarketingEvent,
  SOURCES,
  type Source,
  ingestionStreamName,
  ingestionSubject,
  laneDurable,
  laneSubject,
} from '@evp/contracts';
import { type DatabaseModuleOptions, type EventRow, PARTITION_INTERVALS } from '@evp/database';
import { eventsStream, ingestionStream, type JetStreamModuleOptions, type NatsAuthOptions } from '@evp/messaging';
import { z } from 'zod';
import { CollectorOptionsError } from './collector.errors';
import type { CollectorModuleOptions } from './collector.options';
import type { EventNormaliser, NormaliseContext } from './event.normaliser';

const name = z.string().regex(/^[A-Za-z0-9_-]+$/, 'may hold only letters, digits, "-" and "_"');
const subjectPrefix = z
  .string()
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be dot-separated tokens of letters, digits, "-" and "_"');
const positiveInt = z.number().int().positive();
const streamLimits = z.object({
  maxBytes: z.number().int().min(-1).optional(),
  maxAgeMs: z.number().int().min(0).optional(),
  replicas: z.number().int().min(1).max(5).optional(),
});

const settingsSchema = z.object({
  source: z.enum(SOURCES),
  normaliser: z.custom<EventNormaliser<Source>>((value) => typeof value === 'function', 'must be a function'),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  databaseOwnerUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  natsServers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222']),
  // Checked by the messaging module, which owns the shape.
  natsAuth: z.custom<NatsAuthOptions>((value) => typeof value === 'object' && value !== null).optional(),
  connectionName: z.string().min(1).optional(),
  stream: name.default(EVENTS_STREAM),
  subjectPrefix: subjectPrefix.default(EVENTS_SUBJECT_PREFIX),
  deadLetterStream: name.default(DEAD_LETTER_STREAM),
  deadLetterSubjectPrefix: subjectPrefix.default(DEAD_LETTER_SUBJECT_PREFIX),
  streamLimits: z.object({ events: streamLimits.optional(), deadLetter: streamLimits.optional() }).default({}),
  durable: name.optional(),
  batchSize: positiveInt.max(10_000).default(1_000),
  maxEventsPerWrite: positiveInt.max(50_000).default(5_000),
  maxBytesPerWrite: positiveInt.default(32 * 1024 * 1024),
  backfillMaxEventsPerSecond: positiveInt.default(5_000),
  maxWaitMs: z.number().int().min(1_000).default(1_000),
  maxDeliver: positiveInt.default(60),
  ackWaitMs: positiveInt.default(30_000),
  maxAckPending: positiveInt.optional(),
  retryBackoff: z.object({ baseMs: positiveInt.optional(), maxMs: positiveInt.optional() }).optional(),
  migrateOnStart: z.boolean().default(false),
  databasePoolSize: positiveInt.max(100).default(4),
  shutdownTimeoutMs: positiveInt.default(10_000),
  storage: z
    .object({
      partitionInterval: z.enum(PARTITION_INTERVALS).optional(),
      partitionsAhead: positiveInt.optional(),
      retentionDays: z.number().int().min(0).optional(),
      storageMaintenanceIntervalMs: positiveInt.optional(),
    })
    .default({}),
});

type ParsedSettings = z.output<typeof settingsSchema>;

/** The collector's options, validated and completed with defaults. */
export interface CollectorSettings extends Omit<ParsedSettings, 'durable' | 'connectionName' | 'normaliser'> {
  durable: string;
  connectionName: string;
  /** `<subjectPrefix>.<source>`: what the durable consumer reads. */
  subject: string;
  /** Per lane, the durable consumer (`durable` for live, `<durable>-backfill`) and the subject it reads. */
  lanes: Record<Lane, { durable: string; subject: string }>;
  /** The gateway's ingestion records: their stream, and the durable both collectors share to fold them. */
  ingestion: { stream: string; durable: string; subject: string };
  /** The source's normaliser, taking any validated event: the caller checks the source first. */
  normalise: (event: MarketingEvent, context: NormaliseContext) => EventRow;
}

/** Validates `CollectorModule` options and fills in defaults; throws `CollectorOptionsError` naming each bad option. */
export function resolveCollectorSettings(options: CollectorModuleOptions): CollectorSettings {
  const parsed = settingsSchema.safeParse(options);
  if (!parsed.success) {
    throw new CollectorOptionsError(
      parsed.error.issues.map((issue) => ({
        option: issue.path.map(String).join('.') || '(options)',
        message: issue.message,
      })),
    );
  }
  const { normaliser, ...settings } = parsed.data;
  const durable = settings.durable ?? COLLECTOR_DURABLES[settings.source];
  return {
    ...settings,
    durable,
    connectionName: settings.connectionName ?? durable,
    subject: laneSubject('live', settings.source, settings.subjectPrefix),
    lanes: {
      live: { durable, subject: laneSubject('live', settings.source, settings.subjectPrefix) },
      backfill: {
        durable: laneDurable('backfill', durable),
        subject: laneSubject('backfill', settings.source, settings.subjectPrefix),
      },
    },
    ingestion: {
      stream: ingestionStreamName(settings.stream),
      durable: INGESTION_DURABLE,
      subject: ingestionSubject(settings.subjectPrefix),
    },
    // The source/normaliser pairing was type-checked where the options were written (`SourceNormaliser`);
    // the handler only passes events whose source it has checked against `source`.
    normalise: normaliser,
  };
}

/**
 * The messaging module for a collector: the events stream exactly as the gateway declares it (so either service
 * may start first), and the source's durable pull consumers, one per lane; and the ingestion records' stream with
 * the durable both collectors pull them from.
 */
export function jetStreamOptionsOf(settings: CollectorSettings): JetStreamModuleOptions {
  return {
    servers: settings.natsServers,
    auth: settings.natsAuth,
    connectionName: settings.connectionName,
    streams: [
      eventsStream(settings.stream, settings.subjectPrefix, settings.streamLimits.events),
      ingestionStream(settings.stream, settings.subjectPrefix, settings.streamLimits.events?.replicas),
    ],
    // One durable per lane, so backfill messages never queue in front of live ones.
    consumers: [
      ...LANES.map((lane) => ({
        stream: settings.stream,
        durable: settings.lanes[lane].durable,
        filterSubject: settings.lanes[lane].subject,
        batchSize: settings.batchSize,
        maxWaitMs: settings.maxWaitMs,
        maxDeliver: settings.maxDeliver,
        ackWaitMs: settings.ackWaitMs,
        maxAckPending: settings.maxAckPending,
      })),
      {
        stream: settings.ingestion.stream,
        durable: settings.ingestion.durable,
        filterSubject: settings.ingestion.subject,
        batchSize: settings.batchSize,
        maxWaitMs: settings.maxWaitMs,
        maxDeliver: settings.maxDeliver,
        ackWaitMs: settings.ackWaitMs,
      },
    ],
    deadLetter: {
      stream: settings.deadLetterStream,
      subjectPrefix: settings.deadLetterSubjectPrefix,
      ...settings.streamLimits.deadLetter,
    },
    retryBackoff: settings.retryBackoff,
    shutdownTimeoutMs: settings.shutdownTimeoutMs,
  };
}

/** The collectors own the write path, so they also keep its partitions ready and apply retention. */
export function databaseOptionsOf(settings: CollectorSettings): DatabaseModuleOptions {
  return {
    url: settings.databaseUrl,
    ownerUrl: settings.databaseOwnerUrl,
    migrateOnStart: settings.migrateOnStart,
    poolSize: settings.databasePoolSize,
    maintainStorage: true,
    ...settings.storage,
  };
}

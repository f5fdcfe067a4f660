import { DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT_PREFIX } from '@evp/contracts';
import { z } from 'zod';
import type { JetStreamModuleOptions } from './jetstream.options';
import { MessagingOptionsError } from './messaging.errors';

const DAY_MS = 86_400_000;
/**
 * The broker may deliver a message this many times beyond the consumer's `maxDeliver`: the module dead-letters
 * at `maxDeliver`, and when the dead-letter publish itself fails the message is naked and tried again instead of
 * stopping in the stream, never delivered again.
 */
export const DEAD_LETTER_EXTRA_DELIVERIES = 5;

const name = z.string().regex(/^[^\s.*>]+$/, 'must be non-empty without spaces, dots or wildcards');
const subject = z.string().regex(/^[^\s]+$/, 'must be a non-empty subject without spaces');
const positiveInt = z.number().int().positive();
// JetStream's own bounds on a stream's replica count.
const replicas = z.number().int().min(1).max(5).default(1);

const streamSchema = z.object({
  name,
  subjects: z.array(subject).min(1),
  retention: z.enum(['workqueue', 'limits']).default('workqueue'),
  duplicateWindowMs: positiveInt.default(120_000),
  maxAgeMs: z.number().int().nonnegative().optional(),
  maxBytes: z.number().int().min(-1).default(-1),
  replicas,
});

const consumerSchema = z.object({
  stream: name,
  durable: name,
  filterSubject: subject,
  maxDeliver: positiveInt.default(10),
  ackWaitMs: positiveInt.default(30_000),
  batchSize: positiveInt.max(10_000).default(1_000),
  // nats.js refuses pull expiries under a second.
  maxWaitMs: z.number().int().min(1_000).default(1_000),
  maxAckPending: positiveInt.optional(),
});

const file = z.string().min(1).optional();

const authSchema = z
  .object({
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
    nkeySeed: z.string().min(1).optional(),
    tls: z.object({ caFile: file, certFile: file, keyFile: file }).optional(),
  })
  .refine((auth) => (auth.user === undefined) === (auth.password === undefined), {
    message: 'user and password go together',
  })
  .refine((auth) => [auth.user, auth.token, auth.nkeySeed].filter((method) => method !== undefined).length <= 1, {
    message: 'give one of user/password, token or nkeySeed',
  });

const optionsSchema = z.object({
  servers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222']),
  auth: authSchema.default({}),
  connectionName: z.string().min(1).default('evp'),
  streams: z.array(streamSchema).default([]),
  consumers: z.array(consumerSchema).default([]),
  deadLetter: z
    .object({
      stream: name.default(DEAD_LETTER_STREAM),
      subjectPrefix: subject.default(DEAD_LETTER_SUBJECT_PREFIX),
      maxAgeMs: z
        .number()
        .int()
        .nonnegative()
        .default(30 * DAY_MS),
      maxBytes: z.number().int().min(-1).default(-1),
      replicas,
      provision: z.boolean().default(true),
    })
    .default({
      stream: DEAD_LETTER_STREAM,
      subjectPrefix: DEAD_LETTER_SUBJECT_PREFIX,
      maxAgeMs: 30 * DAY_MS,
      maxBytes: -1,
      replicas: 1,
      provision: true,
    }),
  publishTimeoutMs: positiveInt.default(5_000),
  inFlightWindow: positiveInt.max(100_000).default(2_000),
  shutdownTimeoutMs: positiveInt.default(10_000),
  reconnectTimeWaitMs: positiveInt.default(1_000),
  waitOnFirstConnect: z.boolean().default(false),
  retryBackoff: z
    .object({ baseMs: positiveInt.default(1_000), maxMs: positiveInt.default(60_000) })
    .refine((backoff) => backoff.maxMs >= backoff.baseMs, { message: 'maxMs must be at least baseMs' })
    .default({ baseMs: 1_000, maxMs: 60_000 }),
  infoCacheMs: z.number().int().nonnegative().default(2_000),
});

export type JetStreamSettings = z.output<typeof optionsSchema>;
export type StreamSettings = JetStreamSettings['streams'][number];
export type ConsumerSettings = JetStreamSettings['consumers'][number];

/** Validates the module options and fills in defaults; throws `MessagingOptionsError` naming each bad option. */
export function resolveJetStreamSettings(options: JetStreamModuleOptions): JetStreamSettings {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new MessagingOptionsError(
      parsed.error.issues.map((issue) => ({
        option: issue.path.map(String).join('.') || '(options)',
        message: issue.message,
      })),
    );
  }
  const settings = parsed.data;
  const durables = new Set<string>();
  for (const consumer of settings.consumers) {
    if (durables.has(consumer.durable)) {
      throw new MessagingOptionsError([
        { option: 'consumers', message: `durable ${consumer.durable} is declared twice` },
      ]);
    }
    durables.add(consumer.durable);
  }
  return settings;
}

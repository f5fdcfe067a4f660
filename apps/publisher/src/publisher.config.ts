import { parseArgs } from 'node:util';
import { ConfigValidationError, booleanFlag, loadConfig, positiveInt } from '@evp/config';
import { z } from 'zod';
import { parseDuration } from './duration.parser';

export const PUBLISHER_MODES = ['default', 'load'] as const;
export type PublisherMode = (typeof PUBLISHER_MODES)[number];

/** Requests in flight in load mode when `--concurrency` is not given. */
export const DEFAULT_LOAD_CONCURRENCY = 4;

const rate = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const optionalPositiveInt = z.coerce.number().int().positive().optional();
/** Unset stays undefined (unlike `booleanFlag`), because its default depends on the mode. */
const optionalBoolean = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
  .transform((value) => value === 'true' || value === '1' || value === 'yes')
  .optional();

const endpoint = z
  .string({ error: 'is required: the URL the batches are POSTed to, e.g. http://localhost:3000/webhook' })
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const duration = z
  .string()
  .transform((value, context) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'must be a duration like 90, 90s, 1500ms, 5m or 1h (a bare number is seconds)',
      });
      return z.NEVER;
    }
    return ms;
  })
  .optional();

/**
 * The emulator's knobs, keyed by environment variable; CLI flags are mapped onto these names first.
 * The image's own variable (EVENT_ENDPOINT) and the pacing knobs the project's scripts share keep
 * short names; the emulator's extras carry a PUBLISHER_ prefix, because short names such as MODE or
 * SEED are already set by other tools (Vitest sets MODE=test) and would be picked up by mistake.
 */
export const publisherConfigSchema = z
  .object({
    EVENT_ENDPOINT: endpoint,
    PUBLISHER_MODE: z.enum(PUBLISHER_MODES).default('default'),
    BATCH_MIN: positiveInt(1_000),
    BATCH_MAX: positiveInt(50_000),
    INTERVAL_MS: positiveInt(1_000),
    PUBLISHER_DUPLICATE_RATE: rate(0),
    PUBLISHER_JITTER_MS: nonNegativeInt(0),
    CORRUPTION_RATE: rate(0.1),
    PUBLISHER_TOTAL_EVENTS: optionalPositiveInt,
    PUBLISHER_DURATION: duration,
    PUBLISHER_CONCURRENCY: optionalPositiveInt,
    PUBLISHER_SEED: z.coerce.number().int().min(0).max(0xffffffff).optional(),
    PUBLISHER_REQUEST_TIMEOUT_MS: positiveInt(60_000),
    PUBLISHER_LEDGER: z.string().min(1).optional(),
    PUBLISHER_SUMMARY_JSON: z.string().min(1).optional(),
    PUBLISHER_PROGRESS_INTERVAL_MS: nonNegativeInt(5_000),
    PUBLISHER_LOG_REQUESTS: optionalBoolean,
    PUBLISHER_SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
    PUBLISHER_GZIP: booleanFlag(false),
  })
  .superRefine((config, context) => {
    if (config.BATCH_MIN > config.BATCH_MAX) {
      context.addIssue({
        code: 'custom',
        path: ['BATCH_MIN'],
        message: `must not exceed BATCH_MAX (${config.BATCH_MAX})`,
      });
    }
  });

/** One knob as documented by `--help`: its flag, its variable and what it does. */
interface Knob {
  flag: string;
  env: keyof z.input<typeof publisherConfigSchema>;
  value: string;
  description: string;
  /** A flag given alone (`--gzip`), without a value. */
  switch?: true;
}

const KNOBS: readonly Knob[] = [
  { flag: 'endpoint', env: 'EVENT_ENDPOINT', value: '<url>', description: 'where batches are POSTed (required)' },
  {
    flag: 'mode',
    env: 'PUBLISHER_MODE',
    value: 'default|load',
    description:
      'default: one batch per interval, never waiting (like the image); load: as fast as replies come back (default: default)',
  },
  { flag: 'batch-min', env: 'BATCH_MIN', value: '<n>', description: 'smallest batch, events (default: 1000)' },
  {
    flag: 'batch-max',
    env: 'BATCH_MAX',
    value: '<n>',
    description: 'largest batch, events; sizes are uniform in [min, max] (default: 50000)',
  },
  {
    flag: 'interval-ms',
    env: 'INTERVAL_MS',
    value: '<ms>',
    description: 'default mode: one batch every this many ms (default: 1000)',
  },
  {
    flag: 'duplicate-rate',
    env: 'PUBLISHER_DUPLICATE_RATE',
    value: '<0..1>',
    description: 'share of events that re-send an earlier event, same or later batch (default: 0)',
  },
  {
    flag: 'jitter-ms',
    env: 'PUBLISHER_JITTER_MS',
    value: '<ms>',
    description: 'shift each timestamp back by up to this much, so events arrive out of order (default: 0)',
  },
  {
    flag: 'corruption-rate',
    env: 'CORRUPTION_RATE',
    value: '<0..1>',
    description: 'share of batches with one corrupted event appended (default: 0.1)',
  },
  {
    flag: 'total',
    env: 'PUBLISHER_TOTAL_EVENTS',
    value: '<n>',
    description: 'stop after sending this many events, corrupted and duplicates included (default: no limit)',
  },
  {
    flag: 'duration',
    env: 'PUBLISHER_DURATION',
    value: '<time>',
    description: 'stop sending after this long: 90, 90s, 1500ms, 5m, 1h (default: no limit)',
  },
  {
    flag: 'concurrency',
    env: 'PUBLISHER_CONCURRENCY',
    value: '<n>',
    description: `max requests in flight (default: unlimited in default mode, ${DEFAULT_LOAD_CONCURRENCY} in load mode)`,
  },
  {
    flag: 'seed',
    env: 'PUBLISHER_SEED',
    value: '<uint32>',
    description: 'fixed random seed for a repeatable stream (default: random, printed in the summary)',
  },
  {
    flag: 'request-timeout-ms',
    env: 'PUBLISHER_REQUEST_TIMEOUT_MS',
    value: '<ms>',
    description: 'give up on a request after this long; its batch is dropped (default: 60000)',
  },
  {
    flag: 'ledger',
    env: 'PUBLISHER_LEDGER',
    value: '<file>',
    description: 'write acknowledged event ids to <file>, others to <file>.unacked, corruptions to <file>.corrupted',
  },
  {
    flag: 'summary-json',
    env: 'PUBLISHER_SUMMARY_JSON',
    value: '<file>',
    description: 'write the final summary as JSON to <file>',
  },
  {
    flag: 'progress-interval-ms',
    env: 'PUBLISHER_PROGRESS_INTERVAL_MS',
    value: '<ms>',
    description: 'progress line period, 0 for none (default: 5000)',
  },
  {
    flag: 'log-requests',
    env: 'PUBLISHER_LOG_REQUESTS',
    value: 'true|false',
    description: 'one line per request (default: true in default mode, false in load mode)',
  },
  {
    flag: 'shutdown-timeout-ms',
    env: 'PUBLISHER_SHUTDOWN_TIMEOUT_MS',
    value: '<ms>',
    description: 'on stop, wait this long for replies in flight before abandoning them (default: 10000)',
  },
  {
    flag: 'gzip',
    env: 'PUBLISHER_GZIP',
    value: '',
    switch: true,
    description: 'send every body gzip-compressed, with Content-Encoding: gzip (default: off, as the image)',
  },
];

/** The emulator's resolved options. */
export interface PublisherOptions {
  /** Where batches are POSTed (EVENT_ENDPOINT). */
  endpoint: string;
  /** `default` paces like the real image; `load` sends as fast as replies come back. @default 'default' */
  mode: PublisherMode;
  /** Smallest batch, in events. @default 1000 */
  batchMin: number;
  /** Largest batch, in events; sizes are uniform in [batchMin, batchMax]. @default 50000 */
  batchMax: number;
  /** Default mode: one batch per this many milliseconds, replies or not. @default 1000 */
  intervalMs: number;
  /** Share of events that re-send an earlier event. @default 0 */
  duplicateRate: number;
  /** Timestamps are shifted back by up to this many milliseconds. @default 0 */
  jitterMs: number;
  /** Share of batches with one corrupted event appended. @default 0.1 */
  corruptionRate: number;
  /** Events to send before stopping, every element counted; undefined for no limit. @default undefined */
  totalEvents?: number;
  /** Milliseconds of sending before stopping; undefined for no limit. @default undefined */
  durationMs?: number;
  /** Requests in flight at most; undefined for unlimited (default mode only). @default undefined, or 4 in load mode */
  concurrency?: number;
  /** Seed of the event streams. @default random */
  seed: number;
  /** A request without a complete reply after this many milliseconds is dropped. @default 60000 */
  requestTimeoutMs: number;
  /** Ledger file (with `.unacked` and `.corrupted` siblings); undefined for none. @default undefined */
  ledgerPath?: string;
  /** File the final summary is written to as JSON; undefined for none. @default undefined */
  summaryJsonPath?: string;
  /** Progress line period in milliseconds; 0 for none. @default 5000 */
  progressIntervalMs: number;
  /** One line per request. @default true in default mode, false in load mode */
  logRequests: boolean;
  /** On stop, how long replies in flight are awaited before they are abandoned. @default 10000 */
  shutdownTimeoutMs: number;
  /** Bodies are sent gzip-compressed (`Content-Encoding: gzip`). @default false */
  gzip: boolean;
}

export type ParsedCommandLine = { help: true } | { help: false; options: PublisherOptions };

/** Raised for a command line or environment the emulator cannot run with; the message says what to fix. */
export class PublisherUsageError extends Error {
  override readonly name = 'PublisherUsageError';
  readonly code = 'PUBLISHER.USAGE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Resolves the options from CLI flags over environment variables over defaults.
 * An empty variable counts as unset, as it does for a container whose compose file leaves it blank.
 */
export function parsePublisherCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  randomSeed: () => number = () => Math.floor(Math.random() * 0x1_0000_0000),
): ParsedCommandLine {
  const flags = parseFlags(argv);
  if (flags.help === true) return { help: true };

  const input: Record<string, string> = {};
  for (const knob of KNOBS) {
    const value = flags[knob.flag] ?? env[knob.env];
    if (value === true) input[knob.env] = 'true';
    else if (typeof value === 'string' && value !== '') input[knob.env] = value;
  }

  let config: z.output<typeof publisherConfigSchema>;
  try {
    config = loadConfig('publisher', publisherConfigSchema, input);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    const lines = error.problems.map(({ variable, message }) => {
      const knob = KNOBS.find((candidate) => candidate.env === variable);
      return `  - ${variable}${knob ? ` (--${knob.flag})` : ''}: ${message}`;
    });
    throw new PublisherUsageError(`Invalid publisher configuration:\n${lines.join('\n')}`, { cause: error });
  }

  const mode = config.PUBLISHER_MODE;
  return {
    help: false,
    options: {
      endpoint: config.EVENT_ENDPOINT,
      mode,
      batchMin: config.BATCH_MIN,
      batchMax: config.BATCH_MAX,
      intervalMs: config.INTERVAL_MS,
      duplicateRate: config.PUBLISHER_DUPLICATE_RATE,
      jitterMs: config.PUBLISHER_JITTER_MS,
      corruptionRate: config.CORRUPTION_RATE,
      totalEvents: config.PUBLISHER_TOTAL_EVENTS,
      durationMs: config.PUBLISHER_DURATION,
      concurrency: config.PUBLISHER_CONCURRENCY ?? (mode === 'load' ? DEFAULT_LOAD_CONCURRENCY : undefined),
      seed: config.PUBLISHER_SEED ?? randomSeed(),
      requestTimeoutMs: config.PUBLISHER_REQUEST_TIMEOUT_MS,
      ledgerPath: config.PUBLISHER_LEDGER,
      summaryJsonPath: config.PUBLISHER_SUMMARY_JSON,
      progressIntervalMs: config.PUBLISHER_PROGRESS_INTERVAL_MS,
      logRequests: config.PUBLISHER_LOG_REQUESTS ?? mode === 'default',
      shutdownTimeoutMs: config.PUBLISHER_SHUTDOWN_TIMEOUT_MS,
      gzip: config.PUBLISHER_GZIP,
    },
  };
}

function parseFlags(argv: readonly string[]): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          KNOBS.map((knob) => [knob.flag, { type: knob.switch ? ('boolean' as const) : ('string' as const) }]),
        ),
      },
    });
    return values;
  } catch (error) {
    throw new PublisherUsageError(`${(error as Error).message}\nRun with --help for the list of options.`, {
      cause: error,
    });
  }
}

export function publisherHelp(): string {
  const width = Math.max(...KNOBS.map((knob) => `--${knob.flag} ${knob.value}`.length));
  const envWidth = Math.max(...KNOBS.map((knob) => knob.env.length));
  const lines = KNOBS.map(
    (knob) => `  ${`--${knob.flag} ${knob.value}`.padEnd(width)}  ${knob.env.padEnd(envWidth)}  ${knob.description}`,
  );
  return [
    'Usage: publisher [options]',
    '',
    'Emulates the andriiuni/events publisher: POSTs JSON arrays of marketing events to EVENT_ENDPOINT.',
    'Every option can also be given as the environment variable next to it; a flag wins over the variable.',
    '',
    ...lines,
    `  ${'--help'.padEnd(width)}  ${''.padEnd(envWidth)}  print this help`,
    '',
    'Stops on SIGINT/SIGTERM (or at --total/--duration): waits for replies in flight, flushes the ledger,',
    'prints a summary and exits 0.',
  ].join('\n');
}

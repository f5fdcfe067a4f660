import {
  bindHost,
  booleanFlag,
  loadConfigWithSecretFiles,
  logFormat,
  logLevel,
  optionalPort,
  optionalPostgresUrl,
  port,
  positiveInt,
  url,
} from '@evp/config';
import { z } from 'zod';
import { apiKeyList } from './auth/api-keys.env';

/** Variables that may also be given as `<NAME>_FILE`, a file holding the value (Docker secrets). */
const SECRET_VARIABLES = [
  'REPORTER_API_KEYS',
  'DATABASE_URL',
  'REPORTER_DATABASE_URL',
  'DEMOGRAPHICS_INDEXER_DATABASE_URL',
] as const;

/**
 * Connections a report run cannot take when REPORT_MAX_CONCURRENT is unset: the demographics indexer and the
 * readiness check need one each, and readiness failing under report load would take the instance out of service.
 */
const CONNECTIONS_KEPT_FREE = 2;

/** The reporter's environment variables; each key is the variable name, each default the documented one. */
export const reporterConfigSchema = z
  .object({
    PORT: port(3003),
    HOST: bindHost,
    METRICS_PORT: optionalPort,
    /** The primary: start-up migrations, and the demographics indexer and the reports when they have no URL of their own. */
    DATABASE_URL: url(['postgresql', 'postgres'], 'postgresql://postgres@127.0.0.1:5432/evp'),
    /**
     * URL the reports read through (the readiness check and reporter_replica_lag_seconds too), e.g. evp_reporter on a
     * streaming replica: nothing is written through it. Unset: DATABASE_URL.
     */
    REPORTER_DATABASE_URL: optionalPostgresUrl,
    /**
     * URL the demographics indexer writes the read model through (evp_indexer on the primary), so the reports' URL
     * can be a SELECT-only role or a replica. Unset: DATABASE_URL.
     */
    DEMOGRAPHICS_INDEXER_DATABASE_URL: optionalPostgresUrl,
    LOG_LEVEL: logLevel,
    /** `pretty` (coloured lines) or `json`. @default pretty on a terminal outside containers, json otherwise */
    LOG_FORMAT: logFormat,
    SHUTDOWN_TIMEOUT_MS: positiveInt(20_000),
    /** Connections to PostgreSQL; a demographics report may use up to REPORT_CONNECTIONS of them at once. */
    REPORT_POOL_SIZE: positiveInt(8),
    /** Apply pending Prisma migrations at start-up (safe with several instances starting at once). */
    MIGRATE_ON_START: booleanFlag(true),
    /** Entries in the revenue report's `topCampaigns`. */
    REPORT_TOP_CAMPAIGNS: positiveInt(10),
    /** Entries in the demographics report's `topCountries` (both sources). */
    REPORT_TOP_COUNTRIES: positiveInt(10),
    /** Entries in the demographics report's `topCities`. */
    REPORT_TOP_CITIES: positiveInt(10),
    /** Most buckets an events `series` may hold; a longer series is refused with 400 naming `interval`. */
    REPORT_MAX_SERIES_POINTS: positiveInt(10_080),
    /**
     * Connections one report may use at once: the demographics report runs its Facebook and TikTok statements in
     * parallel on them (same snapshot), taking extra connections only while the pool has room.
     */
    REPORT_CONNECTIONS: positiveInt(3),
    /**
     * Deadline of a report, from its arrival: every statement it runs is cancelled by PostgreSQL
     * (`statement_timeout`) at this point, and the report is answered 503 with Retry-After. Reports take
     * milliseconds to a fraction of a second on 10M events; the deadline only cuts runaways, before clients and
     * proxies (often 30 to 60 s) give up on them.
     * @default 10000
     */
    REPORT_STATEMENT_TIMEOUT_MS: positiveInt(10_000),
    /**
     * Reports computed at once; each holds a connection of the pool. Must not exceed REPORT_POOL_SIZE.
     * @default REPORT_POOL_SIZE - 2, at least 1
     */
    REPORT_MAX_CONCURRENT: z.coerce.number().int().positive().optional(),
    /**
     * Reports waiting for one of the REPORT_MAX_CONCURRENT places, each until its deadline at most; a report
     * arriving when this many already wait is answered 503 at once. 0 refuses every report past the cap at once.
     * @default 64
     */
    REPORT_MAX_QUEUED: z.coerce.number().int().min(0).default(64),
    /**
     * Seconds in the Retry-After header of every 503 (deadline, no place free, database unreachable).
     * @default 5
     */
    REPORT_RETRY_AFTER_SECONDS: positiveInt(5),
    /**
     * API keys the report routes accept as `Authorization: Bearer <key>`, comma-separated, each at least 16
     * characters; several at once so a key can be rotated. Also read from the file named by
     * `REPORTER_API_KEYS_FILE`. Unset: the reports are open (development).
     * @default unset
     */
    REPORTER_API_KEYS: apiKeyList,
    /**
     * Run the demographics indexer in this instance. Any number of instances may (one works at a time). It writes
     * to the primary (DEMOGRAPHICS_INDEXER_DATABASE_URL, else DATABASE_URL) even when the reports read a replica;
     * turn it off where no URL reaches the primary.
     */
    DEMOGRAPHICS_INDEXER: booleanFlag(true),
    /** Pause between runs of the demographics indexer (each run folds the whole queue of newly stored events in). */
    DEMOGRAPHICS_INDEX_INTERVAL_MS: positiveInt(1_000),
    /** Queue rows (written batches) the demographics indexer folds in per transaction. */
    DEMOGRAPHICS_INDEX_BATCHES: positiveInt(10),
    /** PostgreSQL `work_mem` for report queries, in MB: enough for the demographics aggregation to stay in memory. */
    REPORT_WORK_MEM_MB: positiveInt(64),
  })
  .superRefine((config, context) => {
    if (config.REPORT_MAX_CONCURRENT !== undefined && config.REPORT_MAX_CONCURRENT > config.REPORT_POOL_SIZE) {
      context.addIssue({
        code: 'custom',
        path: ['REPORT_MAX_CONCURRENT'],
        message: `must not exceed REPORT_POOL_SIZE (${config.REPORT_POOL_SIZE}): every report holds a connection`,
      });
    }
  });

export type ReporterConfig = Omit<z.output<typeof reporterConfigSchema>, 'REPORT_MAX_CONCURRENT'> & {
  REPORT_MAX_CONCURRENT: number;
};

export function loadReporterConfig(env: NodeJS.ProcessEnv = process.env): ReporterConfig {
  const config = loadConfigWithSecretFiles('reporter', reporterConfigSchema, env, SECRET_VARIABLES);
  return {
    ...config,
    REPORT_MAX_CONCURRENT: config.REPORT_MAX_CONCURRENT ?? Math.max(1, config.REPORT_POOL_SIZE - CONNECTIONS_KEPT_FREE),
  };
}

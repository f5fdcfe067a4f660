import { booleanFlag, loadConfig, logLevel, port, positiveInt, url } from '@evp/config';
import { z } from 'zod';

/** The reporter's environment variables; each key is the variable name, each default the documented one. */
export const reporterConfigSchema = z.object({
  PORT: port(3003),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: url(['postgresql', 'postgres'], 'postgresql://postgres@127.0.0.1:5432/evp'),
  LOG_LEVEL: logLevel,
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
  /** A report query running longer than this is cancelled and answered 503. */
  REPORT_STATEMENT_TIMEOUT_MS: positiveInt(30_000),
  /**
   * Run the demographics indexer in this instance. Any number of instances may (one works at a time); turn it off
   * where the database is a read-only replica.
   */
  DEMOGRAPHICS_INDEXER: booleanFlag(true),
  /** Pause between runs of the demographics indexer (each run folds the whole queue of newly stored events in). */
  DEMOGRAPHICS_INDEX_INTERVAL_MS: positiveInt(1_000),
  /** Queue rows (written batches) the demographics indexer folds in per transaction. */
  DEMOGRAPHICS_INDEX_BATCHES: positiveInt(10),
  /** PostgreSQL `work_mem` for report queries, in MB: enough for the demographics aggregation to stay in memory. */
  REPORT_WORK_MEM_MB: positiveInt(64),
});

export type ReporterConfig = z.output<typeof reporterConfigSchema>;

export function loadReporterConfig(env: NodeJS.ProcessEnv = process.env): ReporterConfig {
  return loadConfig('reporter', reporterConfigSchema, env);
}

import type { CollectorModuleOptions } from '@evp/collector';
import type { Source } from '@evp/contracts';
import { ServiceProcess, type TestDatabase, type UniqueNames, streamMessageCount, uniqueNames } from '@evp/testing';
import type { Pool } from 'pg';
import {
  eventually,
  type NatsAdmin,
  openNatsAdmin,
  openPool,
  publishAll,
  SHARED_NATS_URL,
  type TestMessage,
} from './collector.harness';
import { plainNormaliser } from './plain-event.normaliser';

/** A database a suite has to itself: where it is, and how to get rid of it. */
export type SuiteDatabase = Pick<TestDatabase, 'url' | 'drop'>;

/** What every collector suite works with: its own database, a pool on it, its own streams and a NATS client. */
export interface CollectorSuite {
  database: SuiteDatabase;
  pool: Pool;
  names: UniqueNames;
  admin: NatsAdmin;
  /** Deletes the suite's streams, closes the pool and drops the database: stop the suite's collectors first. */
  close(): Promise<void>;
}

/** Opens what a suite works with around `database`, which the suite then owns. */
export async function openCollectorSuite(name: string, database: SuiteDatabase): Promise<CollectorSuite> {
  const pool = openPool(database.url);
  const names = uniqueNames(name);
  // The suite's `close` is out of reach when opening fails, so what is already open is released here.
  const admin = await openNatsAdmin().catch(async (error: unknown) => {
    await pool.end();
    await database.drop();
    throw error;
  });
  return {
    database,
    pool,
    names,
    admin,
    close: async () => {
      await admin.cleanUp(names);
      await pool.end();
      await database.drop();
    },
  };
}

/** Publishes `messages` to the suite's stream and waits until the suite's collectors have drained it. */
export async function publishAndDrain(suite: CollectorSuite, messages: TestMessage[]): Promise<void> {
  await publishAll(suite.admin.js, messages);
  await eventually(
    async () => (await streamMessageCount(suite.admin.jsm, suite.names.stream)) === 0,
    60_000,
    'the stream drained',
  );
}

/**
 * Every stored row of the suite's database, read through the view `events_as_received`: `events` holds uuid keys,
 * the view gives `event_id` and `user_id` back as the publisher sent them, with every other column.
 */
export async function storedRows(
  suite: CollectorSuite,
): Promise<Array<Record<string, unknown> & { event_id: string }>> {
  return (await suite.pool.query<Record<string, unknown> & { event_id: string }>('SELECT * FROM events_as_received'))
    .rows;
}

/** Collector options for a suite: its own streams and durable, quick retries, the plain normaliser. */
export function suiteCollectorOptions(
  { names, database }: CollectorSuite,
  source: Source,
  overrides: Partial<CollectorModuleOptions> = {},
): CollectorModuleOptions {
  const binding =
    source === 'facebook'
      ? { source, normaliser: plainNormaliser<'facebook'>() }
      : { source, normaliser: plainNormaliser<'tiktok'>() };
  return {
    ...binding,
    databaseUrl: database.url,
    natsServers: [SHARED_NATS_URL],
    stream: names.stream,
    subjectPrefix: names.subjectPrefix,
    deadLetterStream: names.deadLetterStream,
    deadLetterSubjectPrefix: names.deadLetterPrefix,
    durable: names.durable(source),
    batchSize: 200,
    // Generous: other suites share the two cores, and a batch waiting behind a slow one must not time out.
    ackWaitMs: 15_000,
    retryBackoff: { baseMs: 200, maxMs: 1_000 },
    ...overrides,
  } as CollectorModuleOptions;
}

/**
 * Starts a collector service, built beforehand with `buildCollectorApp`, on a suite's database and streams. It
 * skips migrating (the suite's database is migrated already) and logs at info, which some tests read; `env`
 * adds to these settings or overrides them.
 */
export function startCollectorService(
  app: 'fb-collector' | 'ttk-collector',
  { names, database }: CollectorSuite,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  return ServiceProcess.start(app, {
    env: {
      DATABASE_URL: database.url,
      NATS_URL: SHARED_NATS_URL,
      EVENTS_STREAM: names.stream,
      EVENTS_SUBJECT_PREFIX: names.subjectPrefix,
      DEAD_LETTER_STREAM: names.deadLetterStream,
      DEAD_LETTER_SUBJECT_PREFIX: names.deadLetterPrefix,
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
}

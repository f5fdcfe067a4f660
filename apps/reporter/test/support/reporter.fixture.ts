import { type AddressInfo } from 'node:net';
import { type MarketingEvent } from '@evp/contracts';
import { DemographicsIndexer, EventBatchWriter, createDatabasePool } from '@evp/database';
import { type TestDatabase, createTestDatabase, eventRowOf } from '@evp/testing';
import { Random } from '@evp/synthetic';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Pool } from 'pg';
import { loadReporterConfig, type ReporterConfig } from '../../src/reporter.config';
import { startReporter } from '../../src/reporter.bootstrap';
import { uniqueEvents } from './expected-reports';

export type QueryValues = Record<string, string | number | readonly string[] | undefined>;

export interface ReporterFixture {
  baseUrl: string;
  config: ReporterConfig;
  /** The events as stored: one per event id. */
  events: MarketingEvent[];
  /** Writes events through the production writer (rollups included). */
  write(events: MarketingEvent[]): Promise<void>;
  /** The demographics indexer on the fixture's database, for tests that fold the queue in themselves. */
  indexer: DemographicsIndexer;
  /** A pool on the fixture's database, for tests that change its storage under the reporter (retention). */
  pool: Pool;
  get(
    path: string,
    query?: QueryValues,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

/** Query values as a client would send them: instants (epoch ms) as ISO strings, arrays as repeated names. */
export function queryString(query: QueryValues = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'number') params.append(name, new Date(value).toISOString());
    else if (typeof value === 'string') params.append(name, value);
    else for (const item of value) params.append(name, item);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A reporter on its own fresh database, filled with `events` through `EventBatchWriter` (the collectors' writer,
 * which keeps the rollups), out of order, two batches at a time, with duplicates across and inside batches.
 */
export async function startReporterFixture(
  events: MarketingEvent[],
  env: Record<string, string> = {},
): Promise<ReporterFixture> {
  const database: TestDatabase = await createTestDatabase();
  const pool = createDatabasePool({ url: database.url, poolSize: 2, connectTimeoutMs: 5_000 });
  const writer = new EventBatchWriter(pool);
  // The expected reports count each event (id and timestamp) once: an id re-sent with another time would be
  // refused or kept depending on which copy came first, so the fixture fails rather than let the two disagree.
  const store = async (batch: MarketingEvent[]) => {
    const { conflicting } = await writer.write(batch.map((event) => eventRowOf(event)));
    if (conflicting.length > 0) {
      throw new Error(
        `events refused for a conflicting timestamp: ${conflicting.map((index) => batch[index]!.eventId).join(', ')}`,
      );
    }
  };
  const random = new Random(7);
  const write = async (batch: MarketingEvent[]) => {
    const shuffled = [...batch];
    for (let index = shuffled.length - 1; index > 0; index--) {
      const other = random.int(0, index);
      [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
    }
    const chunks: MarketingEvent[][] = [];
    for (let start = 0; start < shuffled.length; start += 64) chunks.push(shuffled.slice(start, start + 64));
    for (let index = 0; index < chunks.length; index += 2) {
      await Promise.all(chunks.slice(index, index + 2).map((chunk) => store(chunk)));
    }
  };
  let app: NestFastifyApplication | undefined;
  try {
    await write(events);
    const duplicates = events.filter(() => random.chance(0.2));
    await write(duplicates);
    await store([...duplicates.slice(0, 20), ...duplicates.slice(0, 20)]);

    const config = loadReporterConfig({
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      MIGRATE_ON_START: 'false',
      HOST: '127.0.0.1',
      ...env,
    });
    app = await startReporter(config, { port: 0, handleSignals: false });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    const started = app;
    return {
      baseUrl,
      config,
      events: uniqueEvents(events),
      write,
      indexer: new DemographicsIndexer(pool),
      pool,
      async get(path, query, headers) {
        const response = await fetch(`${baseUrl}${path}${queryString(query)}`, { headers });
        const text = await response.text();
        const body: unknown = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
        return { status: response.status, body, headers: response.headers };
      },
      async close() {
        await started.close();
        await pool.end();
        await database.drop();
      },
    };
  } catch (error) {
    await app?.close();
    await pool.end();
    await database.drop();
    throw error;
  }
}

/*
 * npm run db:seed -- --events 10000000 [--days 30] [--database-url postgresql://…] [--seed 42] [--users N|per-event]
 *                    [--campaigns 200] [--batch-size 100000] [--concurrency 2] [--reset]
 *
 * Applies pending migrations, then fills the database with synthetic events generated in PostgreSQL and
 * rebuilds the rollups and the demographics read model (see seedEvents). --reset empties them all first.
 */
import { parseArgs } from 'node:util';
import { terminalProgress } from '@evp/observability';
import { describeDatabase } from '../database.options';
import { DEMOGRAPHIC_TABLES } from '../demographics/demographics.sql';
import { runMigrations } from '../migrations/migration.runner';
import { createDatabasePool } from '../prisma/database.pool';
import { seedEvents } from './event.seeder';

const print = (line: string) => process.stdout.write(`${line}\n`);
const count = (n: number) => Math.round(n).toLocaleString('en-US');

const USAGE = `Usage: npm run db:seed -- [options]
  Applies pending migrations, fills the database with synthetic events generated in PostgreSQL, and rebuilds the
  rollups and the demographics read model.
  --events N           events to add (default 1000000)
  --days N             spread over the last N days (default 30)
  --database-url URL   (default DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/evp)
  --seed N             random seed, for the same data again
  --users N|per-event  pool of returning users (default events ÷ 10), or a user of its own per event
  --campaigns N        campaigns per source (default 200)
  --batch-size N       events per statement (default 100000)
  --concurrency N      statements at once (default 2)
  --reset              empty events, rollups and the read model first`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      events: { type: 'string', default: '1000000' },
      days: { type: 'string', default: '30' },
      'database-url': {
        type: 'string',
        default: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/evp',
      },
      seed: { type: 'string' },
      users: { type: 'string' },
      campaigns: { type: 'string' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      reset: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    print(USAGE);
    return;
  }
  const number = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value.replaceAll('_', ''));
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new RangeError(`--${name} must be a positive number, got "${value}"`);
    return parsed;
  };
  const url = values['database-url'];
  const events = number('events', values.events) ?? 1_000_000;

  print(`migrating ${describeDatabase(url)}…`);
  print(`  ${(await runMigrations({ url })).summary}`);
  const pool = createDatabasePool({ url, poolSize: 3, connectTimeoutMs: 10_000 });
  try {
    if (values.reset) {
      await pool.query(
        `TRUNCATE events, event_counts_minute, event_counts_hour, revenue_minute, revenue_hour, ${DEMOGRAPHIC_TABLES.join(', ')}`,
      );
      print('emptied events, rollups and the demographics read model');
    }
    // On a terminal a bar with rate and ETA; in a pipe or a log, a line every 5 s.
    const bar = terminalProgress('seeding', 'events');
    let lastReport = 0;
    const result = await seedEvents(pool, {
      events,
      days: number('days', values.days),
      seed: number('seed', values.seed),
      users: values.users === 'per-event' ? 'per-event' : number('users', values.users),
      campaigns: number('campaigns', values.campaigns),
      batchSize: number('batch-size', values['batch-size']),
      concurrency: number('concurrency', values.concurrency),
      onProgress: (generated, total) => {
        bar.update(generated, total);
        if (bar.drawn) return;
        if (generated === total || Date.now() - lastReport > 5_000) {
          lastReport = Date.now();
          print(`  ${count(generated)} / ${count(total)} events generated`);
        }
      },
    });
    bar.stop();
    print(
      `seeded ${count(result.inserted)} events (seed ${result.seed}) in ${result.insertSeconds.toFixed(1)} s: ` +
        `${count(result.inserted / result.insertSeconds)} rows/s; rollups and demographics rebuilt, tables vacuumed in ${result.finishSeconds.toFixed(1)} s`,
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`db:seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

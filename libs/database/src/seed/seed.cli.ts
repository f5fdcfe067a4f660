/*
 * npm run db:seed -- --events 10000000 [--days 30] [--database-url postgresql://…] [--seed 42] [--users N|per-event]
 *                    [--campaigns 200] [--batch-size 100000] [--concurrency 2] [--reset]
 *
 * Applies pending migrations, then fills the database with synthetic events generated in PostgreSQL and
 * rebuilds the rollups and the demographics read model (see seedEvents). --reset empties them all first.
 */
import { parseArgs } from 'node:util';
import { describeDatabase } from '../database.options';
import { DEMOGRAPHIC_TABLES } from '../demographics/demographics.sql';
import { runMigrations } from '../migrations/migration.runner';
import { createDatabasePool } from '../prisma/database.pool';
import { seedEvents } from './event.seeder';

const print = (line: string) => process.stdout.write(`${line}\n`);
const count = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
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
        if (generated === total || Date.now() - lastReport > 5_000) {
          lastReport = Date.now();
          print(`  ${count(generated)} / ${count(total)} events generated`);
        }
      },
    });
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

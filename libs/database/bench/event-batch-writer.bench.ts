/*
 * Throughput of EventBatchWriter on this machine: rows/s for batches of 1,000 and 5,000 with one and two
 * concurrent writers, each run into a table that already holds the previous runs' rows, plus the same
 * statement sent through Prisma's `$queryRawUnsafe` as a baseline. Beside the rates, the CPU time per row spent
 * by this process and by the PostgreSQL backends (read from /proc when the server is local), which other work
 * on the machine disturbs far less than wall-clock rates.
 * Run: `npm run bench -w @evp/database` (options: --events <per run, default 200000> --runs <default 3>).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createTestDatabase, eventRowOf } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import type { Pool } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { createDatabasePool, EventBatchWriter, type EventRow } from '../src';
import { PrismaClient } from '../src/generated/prisma/client';
import { serializeEventRows } from '../src/writer/event-batch.payload';
import { WRITE_EVENT_BATCH_SQL } from '../src/writer/event-batch.sql';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '200000' }, runs: { type: 'string', default: '3' } },
});
const eventsPerRun = Number(values.events);
const print = (line: string) => process.stdout.write(`${line}\n`);
const runs = Number(values.runs);

type Write = (rows: EventRow[]) => Promise<unknown>;

interface Measurement {
  rowsPerSecond: number;
  clientMicrosPerRow: number;
  /** Undefined when the server's processes cannot be read (not on this machine). */
  serverMicrosPerRow: number | undefined;
}

/** CPU milliseconds used so far by each backend serving the database, from /proc (empty when not readable). */
async function backendCpu(pool: Pool): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // A remote server, or a backend that just ended.
    }
  }
  return cpu;
}

async function measure(
  pool: Pool,
  write: Write,
  rows: EventRow[],
  batchSize: number,
  writers: number,
): Promise<Measurement> {
  const serverBefore = await backendCpu(pool);
  const clientBefore = process.cpuUsage();
  const batches: EventRow[][] = [];
  for (let i = 0; i < rows.length; i += batchSize) batches.push(rows.slice(i, i + batchSize));
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < batches.length) await write(batches[next++] as EventRow[]);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const client = process.cpuUsage(clientBefore);
  const serverAfter = await backendCpu(pool);
  let serverMs = 0;
  for (const [pid, ms] of serverAfter) serverMs += ms - (serverBefore.get(pid) ?? 0);
  return {
    rowsPerSecond: rows.length / seconds,
    clientMicrosPerRow: (client.user + client.system) / rows.length,
    serverMicrosPerRow: serverAfter.size > 0 ? (serverMs * 1000) / rows.length : undefined,
  };
}

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const fmt = (x: number | undefined) => Math.round(x ?? 0).toLocaleString('en-US');
  return `${fmt(sorted[0])} / ${fmt(sorted[Math.floor(sorted.length / 2)])} / ${fmt(sorted[sorted.length - 1])}`;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const pool = createDatabasePool({ url: database.url, poolSize: 2, connectTimeoutMs: 5_000 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const writer = new EventBatchWriter(pool);
  const viaPrisma: Write = (rows) => prisma.$queryRawUnsafe(WRITE_EVENT_BATCH_SQL, serializeEventRows(rows));
  const generator = new EventGenerator({ seed: 42 });
  const freshRows = (count: number) =>
    Array.from({ length: count }, () => eventRowOf(generator.next(), { correlationId: 'bench' }));

  const configurations: { method: string; write: Write; batch: number; writers: number }[] = [];
  for (const batch of [1_000, 5_000]) {
    for (const writers of [1, 2])
      configurations.push({
        method: 'EventBatchWriter (pg pool)',
        write: (rows) => writer.write(rows),
        batch,
        writers,
      });
  }
  configurations.push({ method: 'same SQL via prisma.$queryRawUnsafe', write: viaPrisma, batch: 1_000, writers: 2 });

  print(`events per run: ${eventsPerRun}, runs: ${runs}, database ${database.name}`);
  const rowsBefore = async () =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n);
  for (const { method, write, batch, writers } of configurations) {
    const results: Measurement[] = [];
    for (let run = 0; run < runs; run++)
      results.push(await measure(pool, write, freshRows(eventsPerRun), batch, writers));
    const server = results.flatMap((result) =>
      result.serverMicrosPerRow === undefined ? [] : [result.serverMicrosPerRow],
    );
    const line =
      `${method.padEnd(38)} batch ${String(batch).padStart(5)}  writers ${writers}  ` +
      `rows/s min/median/max ${stats(results.map((result) => result.rowsPerSecond))}  ` +
      `CPU µs/row: this process ${median(results.map((result) => result.clientMicrosPerRow)).toFixed(1)}, ` +
      `PostgreSQL ${server.length > 0 ? median(server).toFixed(1) : 'n/a'}  (table now ${(await rowsBefore()).toLocaleString('en-US')} rows)`;
    print(line);
  }
  await prisma.$disconnect();
  await pool.end();
  await database.drop();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/**
 * Collector drain rate: how fast fb-collector and ttk-collector together move a pre-filled stream into
 * PostgreSQL, beside a row-at-a-time baseline (one INSERT per event through Prisma) measured in the same run.
 *
 *   npm run bench:collectors
 *   (BENCH_EVENTS=1000000 BENCH_EVENTS_PER_MESSAGE=200 BENCH_BASELINE_EVENTS=20000 BENCH_BATCH_SIZE=1000
 *    BENCH_EVENTS_PER_WRITE=5000 BENCH_TABLE_ROWS=0
 *    NATS_URL=nats://127.0.0.1:4222 DATABASE_URL=postgresql://postgres@127.0.0.1:5432/evp)
 *
 * 1. Builds the two collectors, creates a bench database (migrated; BENCH_TABLE_ROWS pre-existing rows seeded
 *    in the database if set) and a bench stream.
 * 2. Publishes BENCH_EVENTS realistic events (EventGenerator, both sources) through the messaging module's lean
 *    publisher, every PubAck checked, packed as the gateway packs them: BENCH_EVENTS_PER_MESSAGE events of one
 *    source per message (a JSON array; 1 sends each event as its own object, the earlier format), a correlation id
 *    per 5,000 events.
 * 3. Starts both built collectors as child processes and samples the stream until it is empty; the drain rate is
 *    reported for each third of the events (3 windows, the table growing underneath) and overall, and the stored
 *    rows are counted against the events published. The CPU per event of each collector and of nats-server (the
 *    process listening on the NATS port, while the collectors drain) is printed with it.
 * 4. Inserts BENCH_BASELINE_EVENTS more events one row at a time (`prisma.event.create`, two concurrent writers,
 *    like the two collectors) into the same table.
 * Prints a table and writes bench/results/collectors.json. Other work on the machine skews the figures.
 */
import { exitWithUsageOnHelp } from '@evp/config';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  EVENT_COUNT_HEADER,
  eventSubject,
  ingestionStreamName,
  type MarketingEvent,
  SOURCES,
  type Source,
} from '@evp/contracts';
import {
  createDatabasePool,
  eventKeyOf,
  type EventRow,
  PrismaService,
  resolveDatabaseOptions,
  userKeyOf,
} from '@evp/database';
import { JetStreamModule, JetStreamPublisher, type OutgoingMessage } from '@evp/messaging';
import {
  createTestDatabase,
  findListeningProcess,
  REPO_ROOT,
  ServiceProcess,
  readProcessStat,
  uniqueNames,
} from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import { normaliseFacebookEvent } from '../../apps/fb-collector/src/facebook-event.normaliser';
import { normaliseTiktokEvent } from '../../apps/ttk-collector/src/tiktok-event.normaliser';
import { spread } from '../shared/sample.statistics';
import { renderTable } from '../shared/text.table';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BASELINE_EVENTS = Number(process.env.BENCH_BASELINE_EVENTS ?? 20_000);
const EVENTS_PER_MESSAGE = Number(process.env.BENCH_EVENTS_PER_MESSAGE ?? 200);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 1_000);
const EVENTS_PER_WRITE = Number(process.env.BENCH_EVENTS_PER_WRITE ?? 5_000);
const TABLE_ROWS = Number(process.env.BENCH_TABLE_ROWS ?? 0);
const PUBLISH_CHUNK = 10_000;
const EVENTS_PER_CORRELATION = 5_000;
const WINDOWS = 3;
const SAMPLE_MS = 250;
const RESULTS_FILE = join(__dirname, '..', 'results', 'collectors.json');
const COLLECTORS = ['fb-collector', 'ttk-collector'] as const;

interface Sample {
  at: number;
  drained: number;
}

interface Rates {
  min: number;
  median: number;
  max: number;
  runs: number[];
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => (ms / 1_000).toFixed(1);

function rates(values: number[]): Rates {
  return { ...spread(values), runs: values };
}

/** When the drained count crossed `target`, interpolated between the two samples around it. */
function crossing(samples: readonly Sample[], target: number): number {
  const after = samples.findIndex((sample) => sample.drained >= target);
  if (after <= 0) return samples[Math.max(after, 0)]?.at ?? 0;
  const before = samples[after - 1] as Sample;
  const next = samples[after] as Sample;
  return before.at + ((target - before.drained) / (next.drained - before.drained)) * (next.at - before.at);
}

async function publishEvents(
  names: ReturnType<typeof uniqueNames>,
): Promise<{ rate: number; bytes: number; messages: number }> {
  const context = await NestFactory.createApplicationContext(
    JetStreamModule.forRoot({
      servers: [NATS_URL],
      connectionName: 'bench-collectors',
      // The stream exactly as the gateway and the collectors declare it.
      streams: [
        {
          name: names.stream,
          subjects: SOURCES.map((source) => eventSubject(source, names.subjectPrefix)),
          retention: 'workqueue',
        },
      ],
      deadLetter: { stream: names.deadLetterStream, subjectPrefix: names.deadLetterPrefix },
    }),
    { logger: ['error', 'warn'] },
  );
  try {
    const publisher = context.get(JetStreamPublisher);
    const generator = new EventGenerator({ seed: 2026 });
    const subjects = {
      facebook: eventSubject('facebook', names.subjectPrefix),
      tiktok: eventSubject('tiktok', names.subjectPrefix),
    };
    let bytes = 0;
    let publishMs = 0;
    let published = 0;
    for (let start = 0; start < EVENTS; start += PUBLISH_CHUNK) {
      const messages: OutgoingMessage[] = [];
      const correlationId = `bench-${Math.floor(start / EVENTS_PER_CORRELATION)}`;
      const pending: Record<Source, string[]> = { facebook: [], tiktok: [] };
      const pack = (source: Source) => {
        const texts = pending[source];
        if (texts.length === 0) return;
        const data = Buffer.from(EVENTS_PER_MESSAGE === 1 ? (texts[0] as string) : `[${texts.join(',')}]`);
        messages.push({
          subject: subjects[source],
          data,
          msgId: `${names.id}-${published + messages.length}`,
          correlationId,
          headers: EVENTS_PER_MESSAGE === 1 ? undefined : { [EVENT_COUNT_HEADER]: String(texts.length) },
        });
        pending[source] = [];
      };
      for (let index = start; index < Math.min(EVENTS, start + PUBLISH_CHUNK); index++) {
        const event = generator.next();
        const text = JSON.stringify(event);
        bytes += Buffer.byteLength(text);
        pending[event.source].push(text);
        if (pending[event.source].length === EVENTS_PER_MESSAGE) pack(event.source);
      }
      for (const source of SOURCES) pack(source);
      const started = performance.now();
      const report = await publisher.publishMany(messages);
      publishMs += performance.now() - started;
      if (report.stored !== messages.length)
        throw new Error(`expected ${messages.length} stored, got ${JSON.stringify(report)}`);
      published += messages.length;
      if ((start / PUBLISH_CHUNK) % 10 === 9)
        console.log(`  published ${count(Math.min(EVENTS, start + PUBLISH_CHUNK))} / ${count(EVENTS)}`);
    }
    return { rate: Math.round(EVENTS / (publishMs / 1_000)), bytes: Math.round(bytes / EVENTS), messages: published };
  } finally {
    await context.close();
  }
}

async function drain(
  names: ReturnType<typeof uniqueNames>,
  databaseUrl: string,
  jsm: JetStreamManager,
  published: number,
) {
  const env = {
    DATABASE_URL: databaseUrl,
    NATS_URL,
    EVENTS_STREAM: names.stream,
    EVENTS_SUBJECT_PREFIX: names.subjectPrefix,
    DEAD_LETTER_STREAM: names.deadLetterStream,
    DEAD_LETTER_SUBJECT_PREFIX: names.deadLetterPrefix,
    BATCH_SIZE: String(BATCH_SIZE),
    MAX_EVENTS_PER_WRITE: String(EVENTS_PER_WRITE),
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'info',
  };
  const samples: Sample[] = [];
  // Messages carry EVENTS / published events on average: the stream counts messages, the drain is told in events.
  const remaining = async () =>
    Math.round(((await jsm.streams.info(names.stream)).state.messages * EVENTS) / published);
  const natsPid = await findListeningProcess(Number(new URL(NATS_URL).port || 4222));
  const natsCpuBefore = natsPid === undefined ? undefined : (await readProcessStat(natsPid))?.cpuSeconds;
  const started = performance.now();
  // Consumers start pulling as each app bootstraps, so sampling starts before they are reported ready.
  const starting = Promise.all(COLLECTORS.map((name) => ServiceProcess.start(name, { env, readyTimeoutMs: 120_000 })));
  starting.catch(() => undefined);
  for (;;) {
    const left = await remaining();
    samples.push({ at: performance.now() - started, drained: EVENTS - left });
    if (left === 0) break;
    const last = samples[samples.length - 1] as Sample;
    if (samples.length > 240 && (samples[samples.length - 240] as Sample).drained === last.drained)
      throw new Error(`no progress for a minute at ${count(last.drained)} events`);
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  }
  const natsCpuAfter = natsPid === undefined ? undefined : (await readProcessStat(natsPid))?.cpuSeconds;
  const running = await starting;
  // Since each process started, so start-up is included (about a second of a run of a minute or more).
  const cpuTotals = await Promise.all(
    running.map(async (service) =>
      service.pid === undefined ? 0 : ((await readProcessStat(service.pid))?.cpuSeconds ?? 0) * 1_000,
    ),
  );
  await Promise.all(running.map((service) => service.stop('SIGTERM')));
  const cpu = running.map((service, index) => ({ service: service.name, cpuMillis: cpuTotals[index] ?? 0 }));
  const natsCpuMillis =
    natsCpuBefore === undefined || natsCpuAfter === undefined ? undefined : (natsCpuAfter - natsCpuBefore) * 1_000;
  return { samples, cpu, natsCpuMillis };
}

/** One INSERT per event through Prisma, `writers` at a time: the way a naive collector stores events. */
async function rowAtATime(databaseUrl: string, rows: readonly EventRow[], writers: number): Promise<number> {
  const options = resolveDatabaseOptions({ url: databaseUrl, poolSize: writers });
  const prisma = new PrismaService(options, createDatabasePool(options));
  await prisma.$connect();
  try {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (next < rows.length) {
          const row = rows[next++] as EventRow;
          const { extra, occurredAt, actionTime, source, eventId, userId, ...columns } = row;
          const event = eventKeyOf(eventId, source);
          const user = userKeyOf(userId);
          await prisma.event.create({
            data: {
              ...columns,
              source,
              eventId: event.key,
              eventIdText: event.text,
              userId: user.key,
              userIdText: user.text,
              occurredAt: new Date(occurredAt),
              actionTime: actionTime == null ? null : new Date(actionTime),
              extra: extra == null ? undefined : (JSON.parse(extra) as object),
            },
          });
        }
      }),
    );
    return Math.round(rows.length / ((performance.now() - started) / 1_000));
  } finally {
    await prisma.$disconnect();
    await prisma.pool.end();
  }
}

function baselineRows(): EventRow[] {
  const generator = new EventGenerator({ seed: 7_777 });
  return Array.from({ length: BASELINE_EVENTS }, () => {
    const event: MarketingEvent = generator.next();
    const context = { extra: null, correlationId: 'bench-baseline' };
    return event.source === 'facebook' ? normaliseFacebookEvent(event, context) : normaliseTiktokEvent(event, context);
  });
}

const USAGE = `Usage: npm run bench:collectors
  Collector drain rate of a pre-filled stream into PostgreSQL, beside a row-at-a-time baseline.
  Environment: BENCH_EVENTS (1000000), BENCH_EVENTS_PER_MESSAGE (200), BENCH_BASELINE_EVENTS (20000),
  BENCH_BATCH_SIZE (1000), BENCH_EVENTS_PER_WRITE (5000), BENCH_TABLE_ROWS (0), NATS_URL, DATABASE_URL.
  Writes bench/results/collectors.json.`;

async function main(): Promise<void> {
  exitWithUsageOnHelp(USAGE);
  console.log(
    `collectors bench: ${count(EVENTS)} events, ${EVENTS_PER_MESSAGE} per message, pulls of up to ${BATCH_SIZE} messages, ` +
      `writes of up to ${EVENTS_PER_WRITE} events, baseline ${count(BASELINE_EVENTS)} events, NATS ${NATS_URL}`,
  );
  console.log('▶ building fb-collector and ttk-collector');
  for (const app of COLLECTORS)
    execFileSync('npx', ['tsc', '-b', `apps/${app}/tsconfig.build.json`], { cwd: REPO_ROOT, stdio: 'inherit' });

  const database = await createTestDatabase();
  const names = uniqueNames('bench-collectors');
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  const pool = createDatabasePool({ url: database.url, poolSize: 1, connectTimeoutMs: 10_000 });
  try {
    console.log(`▶ bench database ${database.name}`);
    if (TABLE_ROWS > 0) {
      console.log(`▶ seeding ${count(TABLE_ROWS)} rows first`);
      execFileSync(
        'npm',
        ['run', '-s', 'db:seed', '--', '--events', String(TABLE_ROWS), '--database-url', database.url],
        { cwd: REPO_ROOT, stdio: 'inherit' },
      );
    }
    const rowsBefore = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n);

    console.log(`▶ publishing ${count(EVENTS)} events to ${names.stream}`);
    const published = await publishEvents(names);
    console.log(
      `  ${count(published.rate)} events/s through the lean publisher in ${count(published.messages)} messages, ` +
        `${published.bytes} bytes per event`,
    );

    console.log('▶ starting both collectors and draining');
    const { samples, cpu, natsCpuMillis } = await drain(names, database.url, jsm, published.messages);
    const stored =
      Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n) - rowsBefore;
    if (stored !== EVENTS) throw new Error(`expected ${EVENTS} rows stored, found ${stored}`);
    const boundaries = Array.from({ length: WINDOWS + 1 }, (_, index) =>
      crossing(samples, Math.max(1, Math.round((EVENTS * index) / WINDOWS))),
    );
    const windows = Array.from({ length: WINDOWS }, (_, index) =>
      Math.round(EVENTS / WINDOWS / (((boundaries[index + 1] as number) - (boundaries[index] as number)) / 1_000)),
    );
    const firstRow = boundaries[0] as number;
    const lastRow = boundaries[WINDOWS] as number;
    const overall = Math.round(EVENTS / ((lastRow - firstRow) / 1_000));
    const drainRates = rates(windows);

    console.log(`▶ baseline: ${count(BASELINE_EVENTS)} events, one INSERT per event through Prisma, 2 writers`);
    const baseline = await rowAtATime(database.url, baselineRows(), 2);

    const cpuMicrosPerEvent = cpu.map(({ service, cpuMillis }) => ({
      service,
      cpuMicrosPerEvent: Number(((cpuMillis * 1_000) / (EVENTS / 2)).toFixed(1)),
    }));
    const natsMicrosPerEvent =
      natsCpuMillis === undefined ? null : Number(((natsCpuMillis * 1_000) / EVENTS).toFixed(1));
    const methods = [
      ['method', 'events/s min', 'median', 'max'],
      [
        `both collectors, ${EVENTS_PER_MESSAGE} events/message (3 windows)`,
        ...[drainRates.min, drainRates.median, drainRates.max].map(String),
      ],
      ['row-at-a-time baseline (prisma.event.create, 2)', ...[baseline, baseline, baseline].map(String)],
    ];
    console.log(`
${renderTable(methods, { align: ['left', 'right', 'right', 'right'] })}

overall drain ${count(overall)} events/s (${count(EVENTS)} events in ${seconds(lastRow - firstRow)} s from the first stored row; start-up to first row ${seconds(firstRow)} s)
table ${count(rowsBefore)} → ${count(rowsBefore + stored)} rows; speed-up over row-at-a-time: ×${(drainRates.median / baseline).toFixed(1)}
collector CPU per event: ${cpuMicrosPerEvent.map(({ service, cpuMicrosPerEvent: micros }) => `${service} ${micros} µs`).join(', ')}
nats-server CPU per event while draining: ${natsMicrosPerEvent === null ? 'not found' : `${natsMicrosPerEvent} µs`}`);

    await mkdir(join(__dirname, '..', 'results'), { recursive: true });
    await writeFile(
      RESULTS_FILE,
      `${JSON.stringify(
        {
          benchmark: 'collectors',
          date: new Date().toISOString(),
          machine: { cpus: cpus().length, node: process.version },
          settings: {
            events: EVENTS,
            eventsPerMessage: EVENTS_PER_MESSAGE,
            messages: published.messages,
            batchSize: BATCH_SIZE,
            eventsPerWrite: EVENTS_PER_WRITE,
            tableRowsBefore: rowsBefore,
            baselineEvents: BASELINE_EVENTS,
            averageEventBytes: published.bytes,
          },
          publishEventsPerSecond: published.rate,
          drain: {
            eventsPerSecond: drainRates,
            overallEventsPerSecond: overall,
            startupToFirstRowSeconds: Number(seconds(firstRow)),
            windows: WINDOWS,
          },
          baseline: {
            method: 'prisma.event.create, one INSERT per event, 2 concurrent writers',
            eventsPerSecond: baseline,
          },
          speedup: Number((drainRates.median / baseline).toFixed(1)),
          collectorCpu: cpuMicrosPerEvent,
          natsCpuMicrosPerEventWhileDraining: natsMicrosPerEvent,
          samples: samples.filter((_, index) => index % 4 === 0).map(({ at, drained }) => [Math.round(at), drained]),
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nwrote ${RESULTS_FILE}`);
  } finally {
    await pool.end();
    for (const stream of [names.stream, names.deadLetterStream, ingestionStreamName(names.stream)])
      await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
    if (process.env.BENCH_KEEP_DATABASE === '1') console.log(`kept database ${database.name}`);
    else await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

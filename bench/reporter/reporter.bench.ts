/**
 * Report latency on large databases: the reporter (HTTP, rollup tiers, covering indexes) against the same
 * questions answered by naive SQL over a plain copy of the events (primary key only, no rollups), in one run, on two
 * data sets:
 * - `seeded`: 30 days of events from a pool of users (events ÷ 10) who come back, each with stable attributes;
 * - `real-shaped`: the real publisher's shape, every event from a user of its own (its generator draws a fresh
 *   `userId` per event), all in one day, so a window can hold all of them.
 *
 *   npm run bench:reporter
 *     BENCH_SHAPES        data sets to run, comma-separated (seeded,real-shaped)
 *     BENCH_DATABASE_URL  database of the seeded set (postgresql://postgres@127.0.0.1:5432/evp_bench_reporter)
 *     BENCH_REAL_DATABASE_URL  database of the real-shaped set (…/evp_bench_reporter_real)
 *     BENCH_EVENTS        events to seed in each when empty (10000000)
 *     BENCH_RUNS          timed runs per query      (30, after 2 warm-up runs)
 *     BENCH_BASELINE_RUNS timed runs per baseline   (3, after 1 warm-up run: naive queries take seconds)
 *     BENCH_ONLY          run only the queries whose "<report> <name>" matches this regular expression
 *     BENCH_BUDGET_S      time per query and side after which no further run starts (120; at least 3 runs
 *                         of the reporter and 1 of the baseline are always made; the JSON records the count)
 *
 * Seeds the database with `npm run db:seed` when it holds no events, starts the built reporter against it
 * (applying its migrations), and prints p50/p95 per query beside the baseline. Writes bench/results/reporter.json.
 */
import { exitWithUsageOnHelp } from '@evp/config';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, ServiceProcess } from '@evp/testing';
import { Client } from 'pg';
import { ascending, percentile, spread } from '../shared/sample.statistics';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const BASELINE_RUNS = Number(process.env.BENCH_BASELINE_RUNS ?? 3);
const ONLY = process.env.BENCH_ONLY === undefined ? undefined : new RegExp(process.env.BENCH_ONLY);
const BUDGET_MS = Number(process.env.BENCH_BUDGET_S ?? 120) * 1_000;
const TARGET_P95_MS = 100;
const PLAIN_TABLE = 'bench_plain_events';
const resultsFile = (shape: Shape) =>
  join(REPO_ROOT, 'bench', 'results', shape.name === 'seeded' ? 'reporter.json' : `reporter-${shape.name}.json`);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Windows deliberately off bucket boundaries, so every tier (hours, minutes, raw edges) takes part. */
const WINDOW_OFFSET = 17 * 60_000 + 23_456;

type Report = 'events' | 'revenue' | 'demographics';

/** One data set: where it lives, how it is seeded, and which questions are asked of it. */
interface Shape {
  name: string;
  url: string;
  /** Extra `npm run db:seed` options. */
  seedArgs: string[];
  questions: (db: Client, extent: Extent) => Promise<Question[]>;
}

const SHAPES: Shape[] = [
  {
    name: 'seeded',
    url: process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/evp_bench_reporter',
    seedArgs: [],
    questions: buildQuestions,
  },
  {
    name: 'real-shaped',
    url: process.env.BENCH_REAL_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/evp_bench_reporter_real',
    seedArgs: ['--users', 'per-event', '--days', '1'],
    questions: buildRealShapedQuestions,
  },
];
const SELECTED = (process.env.BENCH_SHAPES ?? SHAPES.map((shape) => shape.name).join(',')).split(',');
type Params = Record<string, string>;

interface Question {
  report: Report;
  name: string;
  params: Params;
  /** The same question in naive SQL over the plain table; every statement is timed together. */
  baselineSql: string[];
}

interface ResultRow {
  report: Report;
  name: string;
  params: Params;
  project: Stats;
  baseline: Stats;
}

interface Stats {
  p50: number;
  p95: number;
  min: number;
  max: number;
  runs: number;
}

const print = (line = '') => process.stdout.write(`${line}\n`);
const iso = (ms: number) => new Date(ms).toISOString();
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

const USAGE = `Usage: npm run bench:reporter
  Report latency on large databases, the reporter against naive SQL, on the seeded and real-shaped data sets.
  Environment: BENCH_SHAPES (seeded,real-shaped), BENCH_DATABASE_URL, BENCH_REAL_DATABASE_URL, BENCH_EVENTS (10000000),
  BENCH_RUNS (30), BENCH_BASELINE_RUNS (3), BENCH_ONLY (a regular expression), BENCH_BUDGET_S (120).
  Writes bench/results/reporter.json.`;

async function main(): Promise<void> {
  exitWithUsageOnHelp(USAGE);
  const unknown = SELECTED.filter((name) => !SHAPES.some((shape) => shape.name === name));
  if (unknown.length > 0) throw new Error(`BENCH_SHAPES: unknown data set ${unknown.join(', ')}`);
  print('building the reporter…');
  execFileSync('npx', ['tsc', '-b', 'apps/reporter/tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const missed: string[] = [];
  for (const shape of SHAPES.filter((candidate) => SELECTED.includes(candidate.name))) {
    print();
    print(`data set "${shape.name}"`);
    missed.push(...(await benchShape(shape)).map((name) => `${shape.name}: ${name}`));
  }
  print();
  print(
    missed.length === 0 ? 'every query of every data set meets the target' : `missed the target: ${missed.join('; ')}`,
  );
}

/** Runs every question of one data set; returns the names of those that missed the target. */
async function benchShape(shape: Shape): Promise<string[]> {
  await ensureDatabase(shape.url);
  const db = new Client({ connectionString: shape.url });
  await db.connect();
  try {
    await ensureSeeded(db, shape);
    const extent = await dataExtent(db);
    print(
      `database: ${redact(shape.url)}: ${extent.events.toLocaleString('en-US')} events, ${iso(extent.first)} .. ${iso(extent.last)}`,
    );
    // Starting the service applies its migrations (the reporter's indexes) before it answers.
    const reporter = await ServiceProcess.start('reporter', {
      env: { DATABASE_URL: shape.url, LOG_LEVEL: 'warn', MIGRATE_ON_START: 'true' },
      readyTimeoutMs: 30 * 60_000,
    });
    try {
      await ensurePlainTable(db, extent.events);
      await db.query('VACUUM ANALYZE events, event_counts_minute, event_counts_hour, revenue_minute, revenue_hour');
      const questions = (await shape.questions(db, extent)).filter(
        (question) => ONLY?.test(`${question.report} ${question.name}`) ?? true,
      );
      const rows: ResultRow[] = [];
      print(
        `reporter over HTTP (${RUNS} runs, 2 warm-up) vs baseline SQL on ${PLAIN_TABLE} (${BASELINE_RUNS} runs, 1 warm-up); target p95 < ${TARGET_P95_MS} ms`,
      );
      for (const question of questions) {
        const project = await timeProject(reporter.url, question);
        const baseline = await timeBaseline(db, question);
        rows.push({ report: question.report, name: question.name, params: question.params, project, baseline });
        print(formatRow(question, project, baseline));
      }
      // A subset would overwrite the full results with a partial table.
      if (ONLY === undefined) await writeResults(shape, extent, rows);
      const missed = rows.filter((row) => row.project.p95 >= TARGET_P95_MS);
      print();
      print(`target p95 < ${TARGET_P95_MS} ms: ${rows.length - missed.length}/${rows.length} queries meet it`);
      for (const row of missed) print(`  missed: ${row.report} ${row.name} (p95 ${row.project.p95.toFixed(1)} ms)`);
      print(ONLY === undefined ? `results written to ${resultsFile(shape)}` : 'BENCH_ONLY given: results not written');
      return missed.map((row) => `${row.report} ${row.name}`);
    } finally {
      await reporter.stop();
    }
  } finally {
    await db.end();
  }
}

async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}

async function ensureSeeded(db: Client, shape: Shape): Promise<void> {
  const table = await db.query(`SELECT to_regclass('public.events') IS NOT NULL AS present`);
  const present = (table.rows[0] as { present: boolean }).present;
  const seeded = present && (await db.query('SELECT 1 FROM events LIMIT 1')).rowCount === 1;
  if (seeded) return;
  print(`seeding ${EVENTS.toLocaleString('en-US')} events (npm run db:seed)…`);
  execFileSync(
    'npm',
    ['run', 'db:seed', '--', '--events', String(EVENTS), '--database-url', shape.url, ...shape.seedArgs],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
}

interface Extent {
  events: number;
  first: number;
  last: number;
}

async function dataExtent(db: Client): Promise<Extent> {
  const { rows } = await db.query<{ events: string; first: Date; last: Date }>(
    'SELECT sum(events)::int8 AS events, min(bucket) AS first, max(bucket) AS last FROM event_counts_hour',
  );
  const row = rows[0]!;
  return { events: Number(row.events), first: row.first.getTime(), last: row.last.getTime() + HOUR };
}

/** A copy of the report columns with only a primary key: what the reports would run on without this project's work. */
async function ensurePlainTable(db: Client, events: number): Promise<void> {
  const existing = await db.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [PLAIN_TABLE]);
  if ((existing.rows[0] as { present: boolean }).present) {
    const { rows } = await db.query(`SELECT count(*)::int8 AS n FROM ${PLAIN_TABLE}`);
    if (Number((rows[0] as { n: string }).n) === events) return;
    await db.query(`DROP TABLE ${PLAIN_TABLE}`);
  }
  print(`copying the events into ${PLAIN_TABLE} (baseline, primary key only)…`);
  await db.query(`CREATE TABLE ${PLAIN_TABLE} AS
    SELECT event_id, occurred_at, source, funnel_stage, event_type, user_id, age, gender, country, city, followers, campaign_id, device, purchase_amount
    FROM events`);
  await db.query(`ALTER TABLE ${PLAIN_TABLE} ADD PRIMARY KEY (event_id)`);
  await db.query(`VACUUM ANALYZE ${PLAIN_TABLE}`);
}

const window = (range: { from: number; to: number }) => ({ from: iso(range.from), to: iso(range.to) });

/** The question makers of every data set: each report's question with its naive SQL. */
function questionMakers() {
  const where = (params: Params, extra: string[] = []) => {
    const conditions = [...extra];
    if (params.from) conditions.push(`occurred_at >= ${quote(params.from)}::timestamptz`);
    if (params.to) conditions.push(`occurred_at < ${quote(params.to)}::timestamptz`);
    for (const [name, column] of [
      ['source', 'source'],
      ['funnelStage', 'funnel_stage'],
      ['eventType', 'event_type'],
      ['campaignId', 'campaign_id'],
    ] as const) {
      if (params[name]) conditions.push(`${column} = ${quote(params[name])}`);
    }
    return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  };

  const events = (name: string, params: Params): Question => {
    const statements = [
      `SELECT source, funnel_stage, event_type, count(*) FROM ${PLAIN_TABLE} ${where(params)} GROUP BY 1, 2, 3`,
    ];
    if (params.interval) {
      statements.push(
        `SELECT date_trunc('${params.interval}', occurred_at, 'UTC') AS bucket, count(*) FROM ${PLAIN_TABLE} ${where(params)} GROUP BY 1 ORDER BY 1`,
      );
    }
    return { report: 'events', name, params, baselineSql: statements };
  };

  const transactional = `purchase_amount IS NOT NULL AND ((source = 'facebook' AND event_type = 'checkout.complete') OR (source = 'tiktok' AND event_type = 'purchase'))`;
  const revenue = (name: string, params: Params): Question => {
    const filters = params.campaignId ? { ...params, source: 'facebook' } : params;
    return {
      report: 'revenue',
      name,
      params,
      baselineSql: [
        `SELECT source, sum(purchase_amount), count(*) FROM ${PLAIN_TABLE} ${where(filters, [transactional])} GROUP BY source`,
        `SELECT campaign_id, sum(purchase_amount), count(*) FROM ${PLAIN_TABLE} ${where({ ...filters, source: 'facebook' }, [transactional])}
         GROUP BY campaign_id ORDER BY 2 DESC, 1 LIMIT 10`,
      ],
    };
  };

  const demographics = (name: string, params: Params): Question => {
    const statements: string[] = [
      `SELECT source, count(*) FROM ${PLAIN_TABLE} ${where({ from: params.from ?? '', to: params.to ?? '', source: params.source ?? '' })} GROUP BY source`,
    ];
    const firsts = (source: string, columns: string, extra: string[] = []) =>
      `SELECT DISTINCT ON (user_id) ${columns} FROM ${PLAIN_TABLE} ${where({ from: params.from ?? '', to: params.to ?? '', source }, extra)} ORDER BY user_id, occurred_at, event_id`;
    if (params.source !== 'tiktok') {
      statements.push(`WITH f AS (${firsts('facebook', 'age, gender, country, city')})
        SELECT gender, age, country, city, count(*) FROM f GROUP BY GROUPING SETS ((gender), (age), (country), (country, city))`);
    }
    if (params.source !== 'facebook') {
      statements.push(`WITH f AS (${firsts('tiktok', 'followers')})
        SELECT count(*), avg(followers), percentile_cont(0.5) WITHIN GROUP (ORDER BY followers), min(followers), max(followers) FROM f`);
      statements.push(`WITH f AS (${firsts('tiktok', 'country, device', ["funnel_stage = 'top'"])})
        SELECT country, device, count(*) FROM f GROUP BY GROUPING SETS ((country), (device))`);
    }
    return { report: 'demographics', name, params, baselineSql: statements };
  };
  return { events, revenue, demographics };
}

async function buildQuestions(db: Client, extent: Extent): Promise<Question[]> {
  const middle = Math.floor((extent.first + extent.last) / 2 / DAY) * DAY;
  const day = { from: middle + WINDOW_OFFSET, to: middle + DAY + WINDOW_OFFSET };
  const hour = { from: middle + 5 * HOUR + WINDOW_OFFSET, to: middle + 6 * HOUR + WINDOW_OFFSET };
  const { rows } = await db.query<{ campaign_id: string }>(
    `SELECT campaign_id FROM revenue_hour WHERE source = 'facebook' GROUP BY campaign_id ORDER BY sum(transactions) DESC LIMIT 1`,
  );
  const campaign = rows[0]?.campaign_id ?? 'camp-0001';
  const { events, revenue, demographics } = questionMakers();
  return [
    events('full range', {}),
    events('source=facebook', { source: 'facebook' }),
    events('funnelStage=bottom', { funnelStage: 'bottom' }),
    events('tiktok/top/like', { source: 'tiktok', funnelStage: 'top', eventType: 'like' }),
    events('eventType=comment', { eventType: 'comment' }),
    events('day window', window(day)),
    events('hour window', window(hour)),
    events('day window, facebook ad.click', { ...window(day), source: 'facebook', eventType: 'ad.click' }),
    events('full range, interval=day', { interval: 'day' }),
    events('day window, interval=hour', { ...window(day), interval: 'hour' }),
    events('hour window, interval=minute', { ...window(hour), interval: 'minute' }),
    revenue('full range', {}),
    revenue('source=facebook', { source: 'facebook' }),
    revenue('source=tiktok', { source: 'tiktok' }),
    revenue(`campaignId=${campaign}`, { campaignId: campaign }),
    revenue(`day window, campaignId=${campaign}`, { ...window(day), campaignId: campaign }),
    revenue('day window', window(day)),
    revenue('hour window', window(hour)),
    demographics('full range', {}),
    demographics('source=facebook', { source: 'facebook' }),
    demographics('source=tiktok', { source: 'tiktok' }),
    demographics('day window', window(day)),
    demographics('hour window', window(hour)),
    demographics('day window, source=tiktok', { ...window(day), source: 'tiktok' }),
  ];
}

/**
 * The real-shaped set's questions are about who the users are: a window holding every event (each from a user of its
 * own), the same per source, an hour and ten minutes of it; and, for comparison, the events report over the window.
 */
function buildRealShapedQuestions(_db: Client, extent: Extent): Promise<Question[]> {
  const all = { from: extent.first, to: extent.last };
  const hour = { from: extent.first + 5 * HOUR + WINDOW_OFFSET, to: extent.first + 6 * HOUR + WINDOW_OFFSET };
  const tenMinutes = { from: hour.from, to: hour.from + 10 * 60_000 };
  const { events, demographics } = questionMakers();
  return Promise.resolve([
    events('window of every event', window(all)),
    demographics('window of every event', window(all)),
    demographics('window of every event, source=facebook', { ...window(all), source: 'facebook' }),
    demographics('window of every event, source=tiktok', { ...window(all), source: 'tiktok' }),
    demographics('hour window', window(hour)),
    demographics('10-minute window', window(tenMinutes)),
    demographics('full range', {}),
  ]);
}

async function timeProject(baseUrl: string, question: Question): Promise<Stats> {
  const url = `${baseUrl}/reports/${question.report}?${new URLSearchParams(question.params).toString()}`;
  const once = async () => {
    const started = process.hrtime.bigint();
    const response = await fetch(url);
    const body = await response.text();
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 500)}`);
    return elapsed;
  };
  return measure(once, RUNS, 2, 3);
}

async function timeBaseline(db: Client, question: Question): Promise<Stats> {
  const once = async () => {
    const started = process.hrtime.bigint();
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const statement of question.baselineSql) await db.query(statement);
    await db.query('COMMIT');
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  return measure(once, BASELINE_RUNS, 1, 1);
}

async function measure(
  once: () => Promise<number>,
  runs: number,
  warmups: number,
  minimumRuns: number,
): Promise<Stats> {
  const started = Date.now();
  for (let index = 0; index < warmups && Date.now() - started < BUDGET_MS; index++) await once();
  const samples: number[] = [];
  while (samples.length < runs && (samples.length < minimumRuns || Date.now() - started < BUDGET_MS))
    samples.push(await once());
  const sorted = ascending(samples);
  const { min, max } = spread(sorted);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), min, max, runs: sorted.length };
}

function formatRow(question: Question, project: Stats, baseline: Stats): string {
  const ms = (value: number) => `${value.toFixed(1).padStart(9)} ms`;
  const verdict = project.p95 < TARGET_P95_MS ? 'ok  ' : 'SLOW';
  return (
    `${question.report.padEnd(13)}${question.name.padEnd(44)}p50${ms(project.p50)}  p95${ms(project.p95)} ${verdict} (${project.runs} runs)` +
    ` | baseline p50${ms(baseline.p50)}  p95${ms(baseline.p95)} (${baseline.runs})  ×${(baseline.p50 / project.p50).toFixed(1)}`
  );
}

async function writeResults(shape: Shape, extent: Extent, rows: ResultRow[]): Promise<void> {
  await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  const result = {
    benchmark: 'reporter',
    dataSet: shape.name,
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    database: { url: redact(shape.url), events: extent.events, from: iso(extent.first), to: iso(extent.last) },
    runs: RUNS,
    baselineRuns: BASELINE_RUNS,
    targetP95Ms: TARGET_P95_MS,
    baseline: `naive SQL over ${PLAIN_TABLE} (a copy of the report columns, primary key only, no rollups), timed in PostgreSQL without HTTP`,
    results: rows.map((row) => ({
      report: row.report,
      query: row.name,
      params: row.params,
      projectMs: row.project,
      baselineMs: row.baseline,
      meetsTarget: row.project.p95 < TARGET_P95_MS,
    })),
  };
  await writeFile(resultsFile(shape), `${JSON.stringify(result, null, 2)}\n`);
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:reporter failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

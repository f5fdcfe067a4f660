/**
 * The whole pipeline on this machine, end to end: gateway → JetStream → both collectors → PostgreSQL, driven by the
 * publisher emulator, every acknowledged event checked against the database at the end.
 *
 *   npm run bench                      full run (~9 minutes): 5 minutes of the real publisher's traffic, then 30 s of load
 *   npm run bench -- --quick           ~1 minute: 30 s of real-publisher traffic, 10 s of load
 *   options: --duration <time>         the real-publisher phase, the sustained window (default 5m, quick 30s)
 *            --load <time>             the load phase (default 30s, quick 10s; 0 skips it)
 *            --concurrency <n>         load mode: requests in flight (default 1)
 *            --batch-min <n> --batch-max <n>   load mode body sizes in events (default 1000-50000, the real range)
 *            --rate <events/s>         pace the load phase at this rate (timer mode) instead of load mode
 *            --warmup <time>           start of each phase left out of its sustained figure (default 15s, quick 5s)
 *            --no-build                use what dist/ holds
 *
 * Like `npm start`: infrastructure check, build, then the four services from their build, but on a database of its
 * own (a fresh clone of the migrated template, dropped at the end) and on stream, subject and durable names of its
 * own, so it never touches `npm start`'s data. Prints a table and writes bench/results/system.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SOURCES } from '@evp/contracts';
import {
  type LedgerReconciliation,
  PipelineSystem,
  type PublisherLatency,
  type PublisherRun,
  REPO_ROOT,
  metricSum,
  runPublisher,
  scrapeMetrics,
} from '@evp/testing';

const TARGET_STORED_PER_SECOND = 15_000;
const SAMPLE_EVERY_MS = 5_000;
const RESULTS_FILE = join(REPO_ROOT, 'bench', 'results', 'system.json');

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    load: { type: 'string' },
    warmup: { type: 'string' },
    // One request in flight already offers more than the pipeline stores; a second only lengthens the final drain.
    concurrency: { type: 'string', default: '1' },
    'batch-min': { type: 'string', default: '1000' },
    'batch-max': { type: 'string', default: '50000' },
    rate: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});

const durationS = seconds(flags.duration ?? (flags.quick ? '30s' : '5m'));
const loadS = seconds(flags.load ?? (flags.quick ? '10s' : '30s'));
const warmupS = seconds(flags.warmup ?? (flags.quick ? '5s' : '15s'));

/** One observation of the running system. */
interface Sample {
  atMs: number;
  stored: number;
  gatewayAccepted: number;
  backlog: number;
}

interface PhaseFigures {
  name: string;
  mode: string;
  seconds: number;
  eventsSent: number;
  sentPerSecond: number;
  acceptedPerSecond: number;
  requests: { sent: number; succeeded: number; rejected: number; failed: number; skipped: number };
  latency: PublisherLatency & { bySize: Record<string, PublisherLatency> };
  /** Stored rows per second between the end of the warm-up and the end of sending. */
  storedPerSecondSustained: number;
  /** Slowest and fastest 30-second stretch of the sustained window; null when the window is shorter. */
  storedPerSecondWindows: { min: number; max: number } | null;
  /** Stored rows per second from the first request until the backlog was drained. */
  storedPerSecondUntilDrained: number;
  backlogAtWindowStart: number;
  backlogWhenSendingStopped: number;
  drainSeconds: number;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  step('infrastructure (PostgreSQL, NATS JetStream)', () =>
    execFileSync('bash', ['scripts/infra.sh'], { cwd: REPO_ROOT, stdio: 'inherit' }),
  );
  if (!flags['no-build'])
    step('build', () => execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' }));

  log('starting gateway, fb-collector, ttk-collector and reporter on a bench database and bench stream names');
  const system = await PipelineSystem.start({ name: 'bench' });
  const directory = await mkdtemp(join(tmpdir(), 'evp-bench-'));
  const sampler = new Sampler(system);
  const phases: PhaseFigures[] = [];
  const runs: PublisherRun[] = [];
  let reconciliation: LedgerReconciliation | undefined;
  let exitCodes: Record<string, number | null> = {};
  try {
    log(`database ${new URL(system.databaseUrl).pathname.slice(1)}, stream ${system.names.stream}`);
    sampler.start();
    // The sustained window is the real publisher's own traffic (one batch of 1,000-50,000 events a second, replies
    // not awaited); the load phase then shows how much more the gateway takes, kept short because every event it
    // takes beyond what the collectors store must be drained before the ledger can be checked.
    const real = await runPhase(system, sampler, directory, {
      name: 'real publisher',
      warmupS,
      sendingS: durationS,
      flags: {
        mode: 'default',
        'batch-min': 1_000,
        'batch-max': 50_000,
        'interval-ms': 1_000,
        duration: `${durationS}s`,
      },
    });
    phases.push(real.figures);
    runs.push(real.run);
    if (loadS > 0) {
      const loadFlags =
        flags.rate === undefined
          ? {
              mode: 'load',
              concurrency: flags.concurrency,
              'batch-min': flags['batch-min'],
              'batch-max': flags['batch-max'],
            }
          : paced(Number(flags.rate));
      const load = await runPhase(system, sampler, directory, {
        name: flags.rate === undefined ? 'load' : `paced ${flags.rate}/s`,
        warmupS: Math.min(warmupS, loadS / 3),
        sendingS: loadS,
        flags: { ...loadFlags, duration: `${loadS}s`, 'duplicate-rate': 0.01 },
      });
      phases.push(load.figures);
      runs.push(load.run);
    }
    sampler.stop();
    log('checking every acknowledged event id against the database');
    reconciliation = await system.reconcile(runs);
    log('stopping the services (SIGTERM)');
    exitCodes = await system.stop('SIGTERM');
  } finally {
    sampler.stop();
    await system.dispose();
    await rm(directory, { recursive: true, force: true });
  }

  const real = phases[0] as PhaseFigures;
  const load = phases.length > 1 ? phases[1] : undefined;
  const result = {
    benchmark: 'system',
    quick: flags.quick,
    startedAt: startedAt.toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverage: loadavg(),
    },
    settings: {
      durationS,
      loadS,
      warmupS,
      concurrency: Number(flags.concurrency),
      batchMin: Number(flags['batch-min']),
      batchMax: Number(flags['batch-max']),
      rate: flags.rate === undefined ? null : Number(flags.rate),
    },
    phases,
    ratios: load
      ? {
          loadAcceptedOverRealSent: round(load.acceptedPerSecond / Math.max(1, real.sentPerSecond), 2),
          loadStoredOverRealSent: round(load.storedPerSecondSustained / Math.max(1, real.sentPerSecond), 2),
        }
      : null,
    check: reconciliation
      ? { ...reconciliation, lossFree: reconciliation.lost === 0, duplicateFree: reconciliation.duplicated === 0 }
      : null,
    exitCodes,
    target: {
      storedPerSecond: TARGET_STORED_PER_SECOND,
      met:
        real.storedPerSecondSustained >= TARGET_STORED_PER_SECOND &&
        reconciliation?.lost === 0 &&
        reconciliation.duplicated === 0,
    },
  };
  printTable(result.phases, result.ratios, reconciliation);
  await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
  log(`written ${RESULTS_FILE}`);
  if (!reconciliation || reconciliation.lost > 0 || reconciliation.duplicated > 0 || reconciliation.unexpected > 0)
    process.exitCode = 1;
}

/** Samples stored rows (collector metrics), gateway acceptances and consumer backlog every few seconds. */
class Sampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(private readonly system: PipelineSystem) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sampling = this.sample().then(
        (sample) => {
          this.samples.push(sample);
        },
        (error: unknown) => log(`sample failed: ${String(error)}`),
      );
    }, SAMPLE_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A sample taken now, outside the periodic ones (phase boundaries). */
  async now(): Promise<Sample> {
    await this.sampling;
    const sample = await this.sample();
    this.samples.push(sample);
    return sample;
  }

  private async sample(): Promise<Sample> {
    const [gateway, collectors, backlog] = await Promise.all([
      scrapeMetrics(this.system.gateway.url),
      Promise.all(SOURCES.map((source) => scrapeMetrics(this.system.collector(source).url))),
      this.system.totalBacklog(),
    ]);
    return {
      atMs: Date.now(),
      stored: metricSum(collectors.flat(), 'collector_events_processed_total'),
      gatewayAccepted: metricSum(gateway, 'gateway_events_accepted_total'),
      backlog,
    };
  }
}

async function runPhase(
  system: PipelineSystem,
  sampler: Sampler,
  directory: string,
  phase: { name: string; warmupS: number; sendingS: number; flags: Record<string, string | number> },
): Promise<{ figures: PhaseFigures; run: PublisherRun }> {
  log(
    `phase "${phase.name}": ${Object.entries(phase.flags)
      .map(([flag, value]) => `--${flag} ${value}`)
      .join(' ')}`,
  );
  const phaseDirectory = join(directory, phase.name.replace(/[^a-z0-9]+/gi, '-'));
  await mkdir(phaseDirectory, { recursive: true });
  const begin = await sampler.now();
  let windowStart: Sample | undefined;
  const warmup = setTimeout(() => {
    void sampler.now().then((sample) => {
      windowStart = sample;
    });
  }, phase.warmupS * 1000);
  const run = await runPublisher({
    endpoint: system.webhookUrl,
    directory: phaseDirectory,
    // Replies are waited for, never abandoned at the end: an abandoned request would leave its events unacknowledged.
    flags: {
      'progress-interval-ms': 10_000,
      'log-requests': 'false',
      'request-timeout-ms': 120_000,
      'shutdown-timeout-ms': 120_000,
      ...phase.flags,
    },
    onLine: (line) => log(`  publisher | ${line}`),
  });
  clearTimeout(warmup);
  const end = await sampler.now();
  const start = windowStart ?? begin;
  log(
    `phase "${phase.name}": sending stopped with ${end.backlog} messages pending; waiting for the collectors to drain`,
  );
  const drainStarted = Date.now();
  await system.waitUntilDrained({ timeoutMs: 15 * 60_000, stableForMs: 3_000 });
  const drained = await sampler.now();
  const drainSeconds = (drained.atMs - drainStarted) / 1000 - 3;
  const figures: PhaseFigures = {
    name: phase.name,
    mode: run.summary.mode,
    seconds: run.summary.durationSeconds,
    eventsSent: run.summary.events.sent,
    sentPerSecond: Math.round(run.summary.events.sent / Math.min(run.summary.durationSeconds, phase.sendingS)),
    acceptedPerSecond: run.summary.rates.acknowledgedEventsPerSecond,
    requests: {
      sent: run.summary.requests.sent,
      succeeded: run.summary.requests.succeeded,
      rejected: run.summary.requests.rejected,
      failed: run.summary.requests.failed,
      skipped: run.summary.requests.skipped,
    },
    latency: run.summary.latency,
    storedPerSecondSustained: rate(start, end),
    storedPerSecondWindows: windowRates(
      sampler.samples.filter((sample) => sample.atMs >= start.atMs && sample.atMs <= end.atMs),
      30_000,
    ),
    storedPerSecondUntilDrained: Math.round((drained.stored - begin.stored) / ((drained.atMs - begin.atMs) / 1000 - 3)),
    backlogAtWindowStart: start.backlog,
    backlogWhenSendingStopped: end.backlog,
    drainSeconds: round(Math.max(0, drainSeconds), 1),
  };
  log(
    `phase "${phase.name}": accepted ${figures.acceptedPerSecond}/s, stored ${figures.storedPerSecondSustained}/s sustained, ` +
      `${figures.storedPerSecondUntilDrained}/s until drained (drain ${figures.drainSeconds} s)`,
  );
  return { figures, run };
}

/** Stored rows per second between two samples. */
function rate(from: Sample, to: Sample): number {
  const seconds = (to.atMs - from.atMs) / 1000;
  return seconds <= 0 ? 0 : Math.round((to.stored - from.stored) / seconds);
}

/** Lowest and highest stored rate over stretches of `spanMs` within the samples. */
function windowRates(samples: readonly Sample[], spanMs: number): { min: number; max: number } | null {
  const rates: number[] = [];
  for (const [index, from] of samples.entries()) {
    const to = samples.slice(index + 1).find((candidate) => candidate.atMs - from.atMs >= spanMs);
    if (to) rates.push(rate(from, to));
  }
  return rates.length === 0 ? null : { min: Math.min(...rates), max: Math.max(...rates) };
}

/** Timer-mode flags that offer about `eventsPerSecond`: one batch every 250 ms, sizes spread ±50 % around the mean. */
function paced(eventsPerSecond: number): Record<string, string | number> {
  const mean = Math.max(2, Math.round(eventsPerSecond / 4));
  return {
    mode: 'default',
    'interval-ms': 250,
    'batch-min': Math.round(mean / 2),
    'batch-max': Math.round((mean * 3) / 2),
  };
}

function printTable(
  phases: readonly PhaseFigures[],
  ratios: Record<string, number> | null,
  check: LedgerReconciliation | undefined,
): void {
  const rows: Array<[string, ...string[]]> = [
    ['figure', ...phases.map((phase) => phase.name)],
    ['emulator mode', ...phases.map((phase) => phase.mode)],
    ['sending time (s)', ...phases.map((phase) => String(phase.seconds))],
    ['events sent /s (while sending)', ...phases.map((phase) => fmt(phase.sentPerSecond))],
    ['gateway ingest: events acknowledged /s', ...phases.map((phase) => fmt(phase.acceptedPerSecond))],
    [
      'requests ok / rejected / failed / skipped',
      ...phases.map(({ requests: r }) => `${r.succeeded} / ${r.rejected} / ${r.failed} / ${r.skipped}`),
    ],
    ['reply p50 / p99 (ms), all bodies', ...phases.map((phase) => `${phase.latency.p50Ms} / ${phase.latency.p99Ms}`)],
  ];
  const sizes = [...new Set(phases.flatMap((phase) => Object.keys(phase.latency.bySize)))];
  for (const size of sizes) {
    rows.push([
      `reply p50 / p99 (ms), body ${size}`,
      ...phases.map((phase) => {
        const figures = phase.latency.bySize[size];
        return figures ? `${figures.p50Ms} / ${figures.p99Ms} (n=${figures.requests})` : '-';
      }),
    ]);
  }
  rows.push(
    ['end to end: stored /s, sustained window', ...phases.map((phase) => fmt(phase.storedPerSecondSustained))],
    [
      'stored /s, slowest / fastest 30 s',
      ...phases.map(({ storedPerSecondWindows: windows }) =>
        windows ? `${fmt(windows.min)} / ${fmt(windows.max)}` : '-',
      ),
    ],
    ['stored /s, first request until drained', ...phases.map((phase) => fmt(phase.storedPerSecondUntilDrained))],
    ['consumer lag at window start (messages)', ...phases.map((phase) => fmt(phase.backlogAtWindowStart))],
    ['consumer lag when sending stopped', ...phases.map((phase) => fmt(phase.backlogWhenSendingStopped))],
    ['drain time after sending stopped (s)', ...phases.map((phase) => String(phase.drainSeconds))],
  );
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ');
  console.log(`\n${line(rows[0]!)}\n${widths.map((width) => '-'.repeat(width)).join('-|-')}`);
  for (const row of rows.slice(1)) console.log(line(row));
  if (ratios) {
    console.log(`\nload acknowledged /s ÷ real publisher sent /s: ${ratios.loadAcceptedOverRealSent}×`);
    console.log(`load stored /s (sustained) ÷ real publisher sent /s: ${ratios.loadStoredOverRealSent}×`);
  }
  if (check) {
    console.log(
      `\nledger vs database: ${fmt(check.acknowledgedIds)} acknowledged ids (${fmt(check.acknowledgedLines)} acknowledged copies), ` +
        `${fmt(check.storedRows)} rows; lost ${check.lost}, duplicated ${check.duplicated}, stored but never sent ${check.unexpected}`,
    );
  }
  const real = phases[0];
  if (real) {
    const verdict = real.storedPerSecondSustained >= TARGET_STORED_PER_SECOND ? 'met' : 'NOT met';
    console.log(
      `target end to end ≥ ${fmt(TARGET_STORED_PER_SECOND)} stored/s sustained for ${durationS} s (real-publisher phase): ${verdict}`,
    );
  }
}

function seconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text} (e.g. 90s, 5m)`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * factor;
}

function step(title: string, work: () => void): void {
  log(title);
  work();
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

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
 * Set-up and tear-down are the ones `npm run soak` uses (system.harness.ts). Prints a table, the CPU every process of
 * the system spent per stored event, and writes bench/results/system.json.
 */
import { exitWithUsageOnHelp } from '@evp/config';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type HistogramQuantiles,
  type LedgerReconciliation,
  type PipelineSystem,
  type PublisherLatency,
  type PublisherRun,
  runPublisher,
} from '@evp/testing';
import { benchLog } from '../shared/bench.console';
import { formatFreshness, freshnessWindow } from '../shared/freshness.window';
import { machineInfo, writeResultFile } from '../shared/bench.results';
import { parseDurationSeconds } from '../shared/duration.parser';
import { formatCount as fmt, round } from '../shared/number.format';
import { renderTable } from '../shared/text.table';
import {
  CPU_TARGET_MICROS_PER_EVENT,
  type CpuPerStoredEvent,
  cpuPerStoredEvent,
  cpuTableRows,
  cpuTargetLine,
  meetsCpuTarget,
} from './cpu-per-event.report';
import { type PeriodicSampler } from './periodic.sampler';
import { AWAIT_EVERY_REPLY_FLAGS, REAL_PUBLISHER_FLAGS } from './publisher.flags';
import { runBenchSystem } from './system.harness';
import { type SystemObservation, observeSystem } from './system.observation';

const TARGET_STORED_PER_SECOND = 15_000;
const SAMPLE_EVERY_MS = 5_000;
const RESULTS_NAME = 'system.json';

const log = benchLog('bench');

const USAGE = `Usage: npm run bench -- [options]
  The whole pipeline end to end under the publisher emulator, every acknowledged event checked in the database.
  --quick                         ~1 minute: 30 s of real-publisher traffic, 10 s of load
  --duration <time>               the real-publisher phase (default 5m, quick 30s)
  --load <time>                   the load phase, then as long again with gzip bodies (default 30s, quick 10s; 0 skips both)
  --concurrency <n>               load mode: requests in flight (default 1)
  --batch-min <n> --batch-max <n> load mode body sizes in events (default 1000-50000)
  --rate <events/s>               pace the load phase at this rate instead
  --warmup <time>                 start of each phase left out of its sustained figure (default 15s, quick 5s)
  --no-build                      use what dist/ holds
  Writes bench/results/system.json.`;

exitWithUsageOnHelp(USAGE);
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

const durationS = parseDurationSeconds(flags.duration ?? (flags.quick ? '30s' : '5m'));
const loadS = parseDurationSeconds(flags.load ?? (flags.quick ? '10s' : '30s'));
const warmupS = parseDurationSeconds(flags.warmup ?? (flags.quick ? '5s' : '15s'));

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
  /** Consumer lag in events (`SystemObservation.backlog`). */
  backlogAtWindowStart: number;
  backlogWhenSendingStopped: number;
  drainSeconds: number;
  /** CPU of every process of the system from the first request until drained, per event stored meanwhile. */
  cpu: CpuPerStoredEvent;
  /** Seconds from the gateway receiving a live event to its row being committed, over the phase until drained. */
  freshness: HistogramQuantiles;
}

/** A phase's figures, the emulator run behind them, and the observations that bound it. */
interface PhaseOutcome {
  figures: PhaseFigures;
  run: PublisherRun;
  begin: SystemObservation;
  drained: SystemObservation;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const {
    value: phases,
    reconciliation,
    exitCodes,
  } = await runBenchSystem(
    {
      name: 'bench',
      build: !flags['no-build'],
      log,
      sampleEveryMs: SAMPLE_EVERY_MS,
      observe: observeSystem,
    },
    async ({ system, directory, sampler }) => {
      // The sustained window is the real publisher's own traffic (one batch of 1,000-50,000 events a second, replies
      // not awaited); the load phase then shows how much more the gateway takes, kept short because every event it
      // takes beyond what the collectors store must be drained before the ledger can be checked.
      const outcomes = [
        await runPhase(system, sampler, directory, {
          name: 'real publisher',
          warmupS,
          sendingS: durationS,
          flags: { ...REAL_PUBLISHER_FLAGS, duration: `${durationS}s` },
        }),
      ];
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
        outcomes.push(
          await runPhase(system, sampler, directory, {
            name: flags.rate === undefined ? 'load' : `paced ${flags.rate}/s`,
            warmupS: Math.min(warmupS, loadS / 3),
            sendingS: loadS,
            flags: { ...loadFlags, duration: `${loadS}s`, 'duplicate-rate': 0.01 },
          }),
        );
        // The same load with gzip bodies, beside it: what compression costs or saves the gateway (the emulator
        // compresses each body before its clock starts, and is not counted).
        outcomes.push(
          await runPhase(system, sampler, directory, {
            name: `${flags.rate === undefined ? 'load' : `paced ${flags.rate}/s`}, gzip`,
            warmupS: Math.min(warmupS, loadS / 3),
            sendingS: loadS,
            flags: { ...loadFlags, duration: `${loadS}s`, 'duplicate-rate': 0.01, gzip: true as const },
          }),
        );
      }
      return { value: outcomes, runs: outcomes.map((outcome) => outcome.run) };
    },
  );

  const real = phases[0] as PhaseOutcome;
  const load = phases[1]?.figures;
  const wholeRun = cpuPerStoredEvent(real.begin, (phases.at(-1) as PhaseOutcome).drained);
  const result = {
    benchmark: 'system',
    quick: flags.quick,
    startedAt: startedAt.toISOString(),
    machine: machineInfo(),
    settings: {
      durationS,
      loadS,
      warmupS,
      concurrency: Number(flags.concurrency),
      batchMin: Number(flags['batch-min']),
      batchMax: Number(flags['batch-max']),
      rate: flags.rate === undefined ? null : Number(flags.rate),
    },
    phases: phases.map((phase) => phase.figures),
    ratios: load
      ? {
          loadAcceptedOverRealSent: round(load.acceptedPerSecond / Math.max(1, real.figures.sentPerSecond), 2),
          loadStoredOverRealSent: round(load.storedPerSecondSustained / Math.max(1, real.figures.sentPerSecond), 2),
        }
      : null,
    cpu: {
      targetMicrosPerStoredEvent: CPU_TARGET_MICROS_PER_EVENT,
      realPublisher: real.figures.cpu,
      wholeRun,
      met: meetsCpuTarget(real.figures.cpu),
    },
    check: { ...reconciliation, lossFree: reconciliation.lost === 0, duplicateFree: reconciliation.duplicated === 0 },
    exitCodes,
    target: {
      storedPerSecond: TARGET_STORED_PER_SECOND,
      met:
        real.figures.storedPerSecondSustained >= TARGET_STORED_PER_SECOND &&
        reconciliation.lost === 0 &&
        reconciliation.duplicated === 0,
    },
  };
  printTable(result.phases, result.ratios, reconciliation);
  printCpu(result.phases, wholeRun);
  log(`written ${await writeResultFile(RESULTS_NAME, `${JSON.stringify(result, null, 2)}\n`)}`);
  if (reconciliation.lost > 0 || reconciliation.duplicated > 0 || reconciliation.unexpected > 0) process.exitCode = 1;
}

async function runPhase(
  system: PipelineSystem,
  sampler: PeriodicSampler<SystemObservation>,
  directory: string,
  phase: { name: string; warmupS: number; sendingS: number; flags: Record<string, string | number | true> },
): Promise<PhaseOutcome> {
  log(
    `phase "${phase.name}": ${Object.entries(phase.flags)
      .map(([flag, value]) => `--${flag} ${value}`)
      .join(' ')}`,
  );
  const phaseDirectory = join(directory, phase.name.replace(/[^a-z0-9]+/gi, '-'));
  await mkdir(phaseDirectory, { recursive: true });
  const begin = await sampler.now();
  const freshness = freshnessWindow(system);
  await freshness.start();
  let windowStart: SystemObservation | undefined;
  const warmup = setTimeout(() => {
    void sampler.now().then((sample) => {
      windowStart = sample;
    });
  }, phase.warmupS * 1000);
  const run = await runPublisher({
    endpoint: system.webhookUrl,
    directory: phaseDirectory,
    flags: {
      'progress-interval-ms': 10_000,
      'log-requests': 'false',
      ...AWAIT_EVERY_REPLY_FLAGS,
      ...phase.flags,
    },
    onLine: (line) => log(`  publisher | ${line}`),
  });
  clearTimeout(warmup);
  const end = await sampler.now();
  const start = windowStart ?? begin;
  log(
    `phase "${phase.name}": sending stopped with ~${end.backlog} events (${end.backlogMessages} messages) pending; ` +
      'waiting for the collectors to drain',
  );
  const drainStarted = Date.now();
  await system.waitUntilDrained({ timeoutMs: 15 * 60_000, stableForMs: 3_000 });
  const drained = await sampler.now();
  const freshnessQuantiles = await freshness.finish();
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
    storedPerSecondWindows: windowRates(sampler.between(start, end), 30_000),
    storedPerSecondUntilDrained: Math.round((drained.stored - begin.stored) / ((drained.atMs - begin.atMs) / 1000 - 3)),
    backlogAtWindowStart: start.backlog,
    backlogWhenSendingStopped: end.backlog,
    drainSeconds: round(Math.max(0, drainSeconds), 1),
    cpu: cpuPerStoredEvent(begin, drained),
    freshness: freshnessQuantiles,
  };
  log(
    `phase "${phase.name}": accepted ${figures.acceptedPerSecond}/s, stored ${figures.storedPerSecondSustained}/s sustained, ` +
      `${figures.storedPerSecondUntilDrained}/s until drained (drain ${figures.drainSeconds} s), ` +
      `CPU ${figures.cpu.totalMicros} µs per stored event, freshness p50/p95/p99 ${formatFreshness(figures.freshness)} s`,
  );
  return { figures, run, begin, drained };
}

/** Stored rows per second between two samples. */
function rate(from: SystemObservation, to: SystemObservation): number {
  const seconds = (to.atMs - from.atMs) / 1000;
  return seconds <= 0 ? 0 : Math.round((to.stored - from.stored) / seconds);
}

/** Lowest and highest stored rate over stretches of `spanMs` within the samples. */
function windowRates(samples: readonly SystemObservation[], spanMs: number): { min: number; max: number } | null {
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
  check: LedgerReconciliation,
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
    ['consumer lag at window start (events)', ...phases.map((phase) => fmt(phase.backlogAtWindowStart))],
    ['consumer lag when sending stopped', ...phases.map((phase) => fmt(phase.backlogWhenSendingStopped))],
    ['drain time after sending stopped (s)', ...phases.map((phase) => String(phase.drainSeconds))],
    ['freshness p50 / p95 / p99 (s), received to stored', ...phases.map((phase) => formatFreshness(phase.freshness))],
  );
  console.log(`\n${renderTable(rows)}`);
  if (ratios) {
    console.log(`\nload acknowledged /s ÷ real publisher sent /s: ${ratios.loadAcceptedOverRealSent}×`);
    console.log(`load stored /s (sustained) ÷ real publisher sent /s: ${ratios.loadStoredOverRealSent}×`);
  }
  console.log(
    `\nledger vs database: ${fmt(check.acknowledgedIds)} acknowledged ids (${fmt(check.acknowledgedLines)} acknowledged copies), ` +
      `${fmt(check.storedRows)} rows; lost ${check.lost}, duplicated ${check.duplicated}, stored but never sent ${check.unexpected}`,
  );
  const real = phases[0];
  if (real) {
    const verdict = real.storedPerSecondSustained >= TARGET_STORED_PER_SECOND ? 'met' : 'NOT met';
    console.log(
      `target end to end ≥ ${fmt(TARGET_STORED_PER_SECOND)} stored/s sustained for ${durationS} s (real-publisher phase): ${verdict}`,
    );
  }
}

/** The per-stage CPU table (each phase from its first request until drained, and the whole run) and the target line. */
function printCpu(phases: readonly PhaseFigures[], wholeRun: CpuPerStoredEvent): void {
  const columns = [
    ...phases.map((phase) => ({ title: phase.name, figures: phase.cpu })),
    { title: 'whole run', figures: wholeRun },
  ];
  console.log(`\n${renderTable(cpuTableRows(columns))}`);
  const real = phases[0];
  if (real) {
    console.log(
      `${cpuTargetLine(real.cpu)}, real-publisher phase: ${meetsCpuTarget(real.cpu) ? 'met' : 'NOT met'}; ` +
        `whole run ${wholeRun.totalMicros.toFixed(1)} µs`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * Soak: the whole system at the real publisher's pace for a long time, recorded every 10 s and judged at the end.
 *
 *   npm run soak                        30 minutes at the real publisher's pace
 *   npm run soak -- --duration 2m       a short run, to check the tooling
 *   options: --duration <time>          sending time (default 30m)
 *            --real-rate                the real publisher's pace: a body of 1,000-50,000 events every second (default)
 *            --rate <events/s>          timer mode at about this rate: the same bodies, one every 25,500 ÷ rate seconds
 *            --no-build                 use what dist/ holds
 *
 * The set-up and tear-down are `npm run bench`'s (system.harness.ts): infrastructure check, build, the four services
 * on a database and stream names of their own, the ledger checked against the database at the end. Prints a line per
 * sample, writes bench/results/soak.json, soak.csv and soak-*.svg, then the verdict; exits 1 when a line fails.
 */
import { exitWithUsageOnHelp } from '@evp/config';
import { parseArgs } from 'node:util';
import { SYSTEM_SERVICES, runPublisher } from '@evp/testing';
import { benchLog } from '../shared/bench.console';
import { machineInfo, writeResultFile } from '../shared/bench.results';
import { parseDurationSeconds } from '../shared/duration.parser';
import { formatCount } from '../shared/number.format';
import { renderTable } from '../shared/text.table';
import { cpuPerStoredEvent, cpuTableRows } from '../system/cpu-per-event.report';
import { AWAIT_EVERY_REPLY_FLAGS, REAL_PUBLISHER_FLAGS } from '../system/publisher.flags';
import { formatFreshness, freshnessWindow } from '../shared/freshness.window';
import { runBenchSystem } from '../system/system.harness';
import { PublisherOutputTracker } from './publisher-output.tracker';
import { renderSoakCharts } from './soak.charts';
import { soakCsv } from './soak.csv';
import { type SoakObservation, type SoakPhase, soakObserver } from './soak.observation';
import { soakProgressLine, soakRow, soakRows } from './soak.rows';
import { soakVerdict } from './soak.verdict';

const SAMPLE_EVERY_MS = 10_000;
/** The real publisher's average body, in events: its sizes are uniform between the smallest and the largest. */
const MEAN_BODY_EVENTS = (REAL_PUBLISHER_FLAGS['batch-min'] + REAL_PUBLISHER_FLAGS['batch-max']) / 2;

const log = benchLog('soak');

const USAGE = `Usage: npm run soak -- [options]
  The whole system at the real publisher's pace for a long time, sampled every 10 s and judged at the end.
  --duration <time>   sending time (default 30m)
  --real-rate         the real publisher's pace (default)
  --rate <events/s>   timer mode at about this rate
  --no-build          use what dist/ holds
  Writes bench/results/soak.json, soak.csv and soak-*.svg; exits 1 when a line of the verdict fails.`;

exitWithUsageOnHelp(USAGE);
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '30m' },
    rate: { type: 'string' },
    'real-rate': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

const durationS = parseDurationSeconds(flags.duration);
const rate = flags.rate === undefined ? undefined : Number(flags.rate);
if (rate !== undefined && (flags['real-rate'] || !(rate > 0)))
  throw new Error('--rate takes a number of events per second above 0, and excludes --real-rate');

/**
 * The real publisher's bodies in timer mode, one a second or, with --rate, one every MEAN_BODY_EVENTS ÷ rate seconds:
 * the pace changes, the body sizes do not, so the largest bodies' reply time is judged at any rate. Every request
 * line and a progress line every 500 ms are printed, for the reply times and totals of each interval.
 */
function publisherFlags(): Record<string, string | number> {
  return {
    ...REAL_PUBLISHER_FLAGS,
    ...(rate === undefined ? {} : { 'interval-ms': Math.max(1, Math.round((MEAN_BODY_EVENTS / rate) * 1000)) }),
    duration: `${durationS}s`,
    'log-requests': 'true',
    'progress-interval-ms': 500,
    ...AWAIT_EVERY_REPLY_FLAGS,
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const tracker = new PublisherOutputTracker();
  let phase: SoakPhase = 'sending';
  let origin: SoakObservation | undefined;
  const { value, reconciliation, exitCodes } = await runBenchSystem(
    {
      name: 'soak',
      build: !flags['no-build'],
      log,
      sampleEveryMs: SAMPLE_EVERY_MS,
      observe: soakObserver(tracker, () => phase),
      onSample: (sample, previous) => {
        origin ??= sample;
        if (previous) log(soakProgressLine(soakRow(origin, previous, sample)));
      },
    },
    async ({ system, directory, sampler }) => {
      const flagsUsed = publisherFlags();
      log(
        `emulator: ${Object.entries(flagsUsed)
          .map(([flag, setting]) => `--${flag} ${setting}`)
          .join(' ')}`,
      );
      const freshness = freshnessWindow(system);
      await freshness.start();
      const first = await sampler.now();
      const run = await runPublisher({
        endpoint: system.webhookUrl,
        directory,
        flags: flagsUsed,
        onLine: (line) => {
          if (!tracker.take(line)) log(`  publisher | ${line}`);
        },
      });
      const sendingStopped = await sampler.now();
      phase = 'draining';
      log(
        `sending stopped with ~${formatCount(sendingStopped.backlog)} events (${formatCount(sendingStopped.backlogMessages)} messages) ` +
          'pending; waiting for the collectors to drain',
      );
      await system.waitUntilDrained({ timeoutMs: Math.max(15 * 60, durationS) * 1000, stableForMs: 3_000 });
      const drained = await sampler.now();
      const ingestToStored = await freshness.finish();
      return {
        value: { first, sendingStopped, drained, run, observations: sampler.samples, freshness: ingestToStored },
        runs: [run],
      };
    },
  );

  const rows = soakRows(value.observations);
  const cpu = {
    sending: cpuPerStoredEvent(value.first, value.sendingStopped),
    wholeRun: cpuPerStoredEvent(value.first, value.drained),
  };
  const verdict = soakVerdict({
    sending: rows.filter((row) => row.phase === 'sending'),
    replies: value.observations.flatMap((observation) => observation.replies),
    largestBody: REAL_PUBLISHER_FLAGS['batch-max'],
    nodeServices: SYSTEM_SERVICES,
    reconciliation,
    cpu: cpu.wholeRun,
  });
  const passed = verdict.every((line) => line.pass);

  console.log(
    `\n${renderTable(
      cpuTableRows([
        { title: 'while sending', figures: cpu.sending },
        { title: 'whole run (until drained)', figures: cpu.wholeRun },
      ]),
    )}`,
  );
  const result = {
    benchmark: 'soak',
    startedAt: startedAt.toISOString(),
    machine: machineInfo(),
    settings: {
      durationS,
      rate: rate ?? 'real publisher',
      sampleEverySeconds: SAMPLE_EVERY_MS / 1000,
      publisherFlags: publisherFlags(),
    },
    publisher: value.run.summary,
    drainSeconds: Math.round((value.drained.atMs - value.sendingStopped.atMs) / 1000),
    cpu,
    freshness: value.freshness,
    check: reconciliation,
    exitCodes,
    verdict: { passed, lines: verdict },
    rows,
  };
  const written = [
    await writeResultFile('soak.json', `${JSON.stringify(result, null, 2)}\n`),
    await writeResultFile('soak.csv', soakCsv(rows)),
  ];
  for (const chart of await renderSoakCharts(rows)) written.push(await writeResultFile(chart.file, chart.svg));
  log(`written ${written.join(', ')}`);
  console.log(
    `\n${renderTable([
      ['verdict', 'check', 'figures'],
      ...verdict.map((line) => [line.pass ? 'PASS' : 'FAIL', line.check, line.detail]),
    ])}`,
  );
  console.log(
    `\nfreshness (received to stored, live events, whole run) p50 / p95 / p99: ${formatFreshness(value.freshness)} s ` +
      `over ${formatCount(value.freshness.count)} events; goal p95 < 2 s`,
  );
  console.log(`\nsoak ${passed ? 'PASSED' : 'FAILED'} (services exited ${JSON.stringify(exitCodes)})`);
  if (!passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

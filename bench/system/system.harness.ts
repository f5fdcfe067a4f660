import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LedgerReconciliation,
  PipelineSystem,
  ProcessGroupMeter,
  type PublisherRun,
  REPO_ROOT,
  pipelineProcessGroups,
} from '@evp/testing';
import { type BenchLog } from '../shared/bench.console';
import { PeriodicSampler } from './periodic.sampler';

export interface BenchSystemOptions<S> {
  /** Prefix of the run's stream, subject and durable names, e.g. 'bench'. */
  name: string;
  /** Run `npm run build` first. */
  build: boolean;
  log: BenchLog;
  sampleEveryMs: number;
  /** One observation of the system; `meter` follows every process of it. */
  observe(system: PipelineSystem, meter: ProcessGroupMeter): Promise<S>;
  onSample?: (sample: S, previous: S | undefined) => void;
}

/** What a run's work gets: the running system, a scratch directory for the emulator's files, the sampler (started). */
export interface BenchSystemContext<S extends { atMs: number }> {
  system: PipelineSystem;
  directory: string;
  sampler: PeriodicSampler<S>;
}

export interface BenchSystemOutcome<T> {
  value: T;
  /** The emulator runs' ledgers against the database. */
  reconciliation: LedgerReconciliation;
  /** Each service's exit code after SIGTERM. */
  exitCodes: Record<string, number | null>;
}

/**
 * The part `npm run bench` and `npm run soak` share. Like `npm start`: the infrastructure check, the build, then
 * gateway, fb-collector, ttk-collector and reporter from their build, but on a database of their own (a fresh clone
 * of the migrated template) and on stream, subject and durable names of their own, so `npm start`'s data is never
 * touched. `work` drives the system and returns the emulator runs it made; their ledgers are then checked against the
 * database and every service is stopped with SIGTERM. Whatever happens, the services are killed at the end and the
 * database, the streams and the scratch directory removed.
 */
export async function runBenchSystem<S extends { atMs: number }, T>(
  options: BenchSystemOptions<S>,
  work: (context: BenchSystemContext<S>) => Promise<{ value: T; runs: readonly PublisherRun[] }>,
): Promise<BenchSystemOutcome<T>> {
  const { log } = options;
  log('infrastructure (PostgreSQL, NATS JetStream)');
  execFileSync('bash', ['scripts/infra.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (options.build) {
    log('build');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  log(`starting gateway, fb-collector, ttk-collector and reporter on a ${options.name} database and stream names`);
  const system = await PipelineSystem.start({ name: options.name });
  const directory = await mkdtemp(join(tmpdir(), `evp-${options.name}-`));
  const meter = new ProcessGroupMeter(pipelineProcessGroups(system));
  const sampler = new PeriodicSampler<S>({
    observe: () => options.observe(system, meter),
    everyMs: options.sampleEveryMs,
    log,
    onSample: options.onSample,
  });
  try {
    log(`database ${new URL(system.databaseUrl).pathname.slice(1)}, stream ${system.names.stream}`);
    sampler.start();
    const { value, runs } = await work({ system, directory, sampler });
    sampler.stop();
    log('checking every acknowledged event id against the database');
    const reconciliation = await system.reconcile(runs);
    log('stopping the services (SIGTERM)');
    const exitCodes = await system.stop('SIGTERM');
    return { value, reconciliation, exitCodes };
  } finally {
    sampler.stop();
    await system.dispose();
    await rm(directory, { recursive: true, force: true });
  }
}

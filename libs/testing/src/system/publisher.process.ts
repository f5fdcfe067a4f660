import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './build';

/** Reply-time figures of one body-size class, as the emulator's summary writes them. */
export interface PublisherLatency {
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The part of the emulator's `--summary-json` file the system tests and the benchmark read. */
export interface PublisherSummaryJson {
  mode: string;
  seed: number;
  durationSeconds: number;
  requests: {
    sent: number;
    succeeded: number;
    rejected: number;
    failed: number;
    skipped: number;
    byStatus: Record<string, number>;
    byFailure: Record<string, number>;
  };
  events: {
    sent: number;
    duplicates: number;
    corrupted: number;
    acknowledged: number;
    acknowledgedValid: number;
    dropped: number;
    replyAccepted: number;
    replyRejected: number;
  };
  bytesSent: number;
  rates: { sentEventsPerSecond: number; acknowledgedEventsPerSecond: number };
  latency: PublisherLatency & { bySize: Record<string, PublisherLatency> };
}

/** One corrupted event the emulator sent (a line of `<ledger>.corrupted`). */
export interface CorruptedEntry {
  /** Absent when the corruption removed or broke the id. */
  eventId?: string;
  kind: string;
  /** Whether the corrupted event still conforms to the contract (then it is in the ledger as well). */
  valid: boolean;
  acknowledged: boolean;
}

export interface PublisherRunOptions {
  /** Where the batches go, e.g. `system.webhookUrl`. */
  endpoint: string;
  /**
   * Emulator flags without the leading dashes, e.g. `{ mode: 'load', duration: '30s', seed: 7 }` (see `--help`);
   * `true` gives a switch alone, e.g. `{ gzip: true }`.
   */
  flags?: Record<string, string | number | true>;
  /** Directory for the ledger and summary files. @default a fresh temporary directory */
  directory?: string;
  /** Receives each line the emulator prints (progress, summary). */
  onLine?: (line: string) => void;
  /**
   * Stops a run given neither `duration` nor `total` when aborted: SIGTERM, on which the emulator waits for the
   * replies in flight, writes its summary and exits 0; SIGKILL if it has not exited after `stopTimeoutMs`.
   */
  signal?: AbortSignal;
  /** @default 30_000 */
  stopTimeoutMs?: number;
}

/** A finished emulator run: its exit code, output, summary and ledger files. */
export interface PublisherRun {
  exitCode: number | null;
  output: string[];
  summary: PublisherSummaryJson;
  /** One acknowledged valid event id per line (a duplicate once per acknowledged copy). */
  ledgerPath: string;
  /** Valid event ids of batches that got no 2xx. */
  unacknowledgedPath: string;
  corruptedPath: string;
}

/**
 * Runs the publisher emulator (`apps/publisher/dist/main.js`, so build first) to completion, with a ledger and a
 * JSON summary; give it `duration` or `total` in `flags`, or it runs until killed.
 */
export async function runPublisher(options: PublisherRunOptions): Promise<PublisherRun> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'evp-publisher-')));
  const ledgerPath = join(directory, 'ledger');
  const summaryPath = join(directory, 'summary.json');
  const args = [
    join(REPO_ROOT, 'apps', 'publisher', 'dist', 'main.js'),
    '--endpoint',
    options.endpoint,
    '--ledger',
    ledgerPath,
    '--summary-json',
    summaryPath,
    ...Object.entries(options.flags ?? {}).flatMap(([flag, value]) =>
      value === true ? [`--${flag}`] : [`--${flag}`, String(value)],
    ),
  ];
  const output: string[] = [];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let pending = '';
  const collect = (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      output.push(line);
      options.onLine?.(line);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 30_000);
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  }).finally(() => {
    options.signal?.removeEventListener('abort', stop);
    clearTimeout(killTimer);
  });
  if (pending) output.push(pending);
  if (exitCode !== 0) throw new Error(`the publisher exited with ${exitCode}:\n${output.slice(-20).join('\n')}`);
  const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as PublisherSummaryJson;
  return {
    exitCode,
    output,
    summary,
    ledgerPath,
    unacknowledgedPath: `${ledgerPath}.unacked`,
    corruptedPath: `${ledgerPath}.corrupted`,
  };
}

/** Event ids of a ledger file, one per line, in file order (duplicates kept). */
export async function readLedgerIds(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((line) => line.length > 0);
}

export async function readCorruptedEntries(path: string): Promise<CorruptedEntry[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [eventId = '-', kind = '', verdict, fate] = line.split('\t');
      return {
        ...(eventId === '-' ? {} : { eventId }),
        kind,
        valid: verdict === 'valid',
        acknowledged: fate === 'acked',
      };
    });
}

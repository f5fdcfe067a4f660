import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@evp/testing';
import { OutputTail } from './output.tail';

/** The emulator's pace and mix of faults: one batch of `batchMin`..`batchMax` events every `intervalMs`. */
export interface PublisherLoad {
  batchMin: number;
  batchMax: number;
  intervalMs: number;
  /** Share of batches with one corrupted event appended: feeds the failed and dead-letter series. */
  corruptionRate: number;
  /** Share of events sent again. */
  duplicateRate: number;
}

/** The publisher emulator (`apps/publisher`) as a child process from its build, POSTing to a gateway. */
export class PublisherProcess {
  private readonly output = new OutputTail(20);
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      });
    });
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk));
  }

  static start(endpoint: string, load: PublisherLoad): PublisherProcess {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/publisher/dist/main.js')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        EVENT_ENDPOINT: endpoint,
        PUBLISHER_MODE: 'default',
        BATCH_MIN: String(load.batchMin),
        BATCH_MAX: String(load.batchMax),
        INTERVAL_MS: String(load.intervalMs),
        CORRUPTION_RATE: String(load.corruptionRate),
        PUBLISHER_DUPLICATE_RATE: String(load.duplicateRate),
        PUBLISHER_LOG_REQUESTS: 'false',
        PUBLISHER_PROGRESS_INTERVAL_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new PublisherProcess(child);
  }

  /** Undefined while it runs; its exit code once it has stopped, on its own or by `stop()`. */
  get stoppedWith(): number | null | undefined {
    return this.exitCode;
  }

  /** Its last output lines: progress, and the summary it prints when it stops. */
  tail(): string {
    return this.output.text();
  }

  /** SIGTERM: the emulator waits for replies in flight, prints its summary and exits 0. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

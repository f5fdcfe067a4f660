import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './build';
import { freePort } from './free-port';

/**
 * Node flags the services run with everywhere (npm start, the Docker image): a larger young generation, because
 * every batch allocates megabytes of short-lived strings and objects; it cut the collectors' CPU per event by ~20 %.
 */
const SERVICE_NODE_FLAGS = ['--max-semi-space-size=64'] as const;

export type ServiceName = 'gateway' | 'fb-collector' | 'ttk-collector' | 'reporter';

export interface StartServiceOptions {
  /** Environment of the service on top of the test process's own (PORT is chosen unless given). */
  env?: Record<string, string>;
  /** How long to wait for `/health/readiness` to answer 200. @default 60_000 */
  readyTimeoutMs?: number;
}

/** Every structured log line a service wrote, parsed; lines that are not JSON are kept as `{ message }`. */
export type LogLine = Record<string, unknown>;

/**
 * One service of the system running as a real child process from its built JavaScript: the way `npm start`
 * and the containers run it, so tests can send it signals, kill it and read its logs.
 */
export class ServiceProcess {
  readonly logs: LogLine[] = [];
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> = Promise.resolve(null);

  private constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async start(name: ServiceName, options: StartServiceOptions = {}): Promise<ServiceProcess> {
    const port = Number(options.env?.PORT ?? (await freePort()));
    const service = new ServiceProcess(name, port, { ...options.env, PORT: String(port), HOST: '127.0.0.1' });
    await service.spawn(options.readyTimeoutMs ?? 60_000);
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends a signal and waits for the exit code (null when killed by a signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 60_000): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return this.exit;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A crash: SIGKILL, no chance to finish anything. */
  kill(): Promise<number | null> {
    return this.stop('SIGKILL');
  }

  /** Starts the same service again on the same port, e.g. after a crash. */
  restart(readyTimeoutMs = 60_000): Promise<void> {
    return this.spawn(readyTimeoutMs);
  }

  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${this.name}: no matching log line within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
        throw new Error(`${this.name} exited with ${this.child.exitCode} before it was ready:\n${this.tail()}`);
      }
      try {
        const response = await fetch(`${this.url}/health/readiness`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(200);
    }
  }

  /** The last log lines, for failure messages. */
  tail(lines = 30): string {
    return this.logs
      .slice(-lines)
      .map((line) => JSON.stringify(line))
      .join('\n');
  }

  private async spawn(readyTimeoutMs: number): Promise<void> {
    const child = spawn(
      process.execPath,
      [...SERVICE_NODE_FLAGS, join(REPO_ROOT, 'apps', this.name, 'dist', 'main.js')],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // Output arrives in chunks that may end mid-line: keep the unfinished line for the next chunk.
    const pending = { stdout: '', stderr: '' };
    const collect = (stream: keyof typeof pending) => (chunk: Buffer) => {
      const lines = (pending[stream] + chunk.toString()).split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const text of lines) {
        if (!text.trim()) continue;
        try {
          this.logs.push(JSON.parse(text) as LogLine);
        } catch {
          this.logs.push({ message: text });
        }
      }
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    try {
      await this.waitReady(readyTimeoutMs);
    } catch (error) {
      // A service that never became ready must not outlive the test that gave up on it.
      await this.kill();
      throw error;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@evp/testing';
import { DashboardCheckError } from './check.errors';
import { OutputTail } from './output.tail';
import { PrometheusApi } from './prometheus-api.client';

export interface PrivatePrometheusOptions {
  /** Path of the `prometheus` binary. */
  binary: string;
  /** The configuration file's content. */
  configYaml: string;
  /** How long to wait for `/-/ready`. @default 30_000 */
  readyTimeoutMs?: number;
}

/**
 * A Prometheus of the check's own: configuration and TSDB in a temporary directory, listening on a free port of
 * 127.0.0.1, so it never meets another Prometheus of the machine. `stop()` ends it and removes the directory.
 */
export class PrivatePrometheus {
  private readonly output = new OutputTail();
  private exited: Promise<number | null> = Promise.resolve(null);
  private child: ChildProcess | undefined;
  private running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get api(): PrometheusApi {
    return new PrometheusApi(this.url);
  }

  static async start(options: PrivatePrometheusOptions): Promise<PrivatePrometheus> {
    const dir = await mkdtemp(join(tmpdir(), 'evp-dashcheck-prometheus-'));
    const prometheus = new PrivatePrometheus(dir, await freePort());
    try {
      await writeFile(join(dir, 'prometheus.yml'), options.configYaml);
      prometheus.spawn(options.binary);
      await prometheus.waitReady(options.readyTimeoutMs ?? 30_000);
      return prometheus;
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
  }

  /** Its log lines so far (the last ones), for failure messages. */
  tail(): string {
    return this.output.text();
  }

  /** SIGTERM (Prometheus flushes its head block and exits), SIGKILL after `timeoutMs`; then the directory goes. */
  async stop(timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    if (child && this.running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private spawn(binary: string): void {
    const child = spawn(
      binary,
      [
        `--config.file=${join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.running = true;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.running = false;
        resolve(code);
      });
      // A binary that cannot be executed emits 'error' and never 'exit'.
      child.once('error', (error) => {
        this.running = false;
        this.output.push(`${error.message}\n`);
        resolve(null);
      });
    });
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk));
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const api = this.api;
    while (!(await api.ready())) {
      if (!this.running) {
        throw new DashboardCheckError(
          'DASHCHECK.PROMETHEUS_START',
          `prometheus exited with ${await this.exited}:\n${this.tail()}`,
        );
      }
      if (Date.now() > deadline) {
        throw new DashboardCheckError(
          'DASHCHECK.PROMETHEUS_START',
          `prometheus was not ready within ${timeoutMs} ms:\n${this.tail()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

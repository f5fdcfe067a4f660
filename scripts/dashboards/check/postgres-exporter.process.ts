import { freePort } from '@evp/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DashboardCheckError } from './check.errors';
import { OutputTail } from './output.tail';

/**
 * Debian's postgres_exporter (0.11) reads `pg_stat_user_tables` only from a query file; the image compose runs
 * (0.17) has it built in under the same metric names, which this file reproduces.
 */
const USER_TABLES_QUERIES = resolve(__dirname, 'postgres-exporter.queries.yml');
const READY_TIMEOUT_MS = 30_000;

/** postgres_exporter watching one database, on a free port of 127.0.0.1, started and stopped by the check. */
export class PostgresExporterProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly output: OutputTail,
  ) {}

  static async start(binary: string, databaseUrl: string): Promise<PostgresExporterProcess> {
    const port = await freePort();
    const url = new URL(databaseUrl);
    url.searchParams.set('sslmode', 'disable');
    const child = spawn(
      binary,
      [`--web.listen-address=127.0.0.1:${port}`, `--extend.query-path=${USER_TABLES_QUERIES}`, '--log.level=warn'],
      { env: { ...process.env, DATA_SOURCE_NAME: url.toString() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = new OutputTail();
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exporter = new PostgresExporterProcess(child, port, output);
    try {
      await exporter.waitUntilConnected();
    } catch (error) {
      await exporter.stop();
      throw error;
    }
    return exporter;
  }

  /** Its first scrape that reached the database (`pg_up 1`). */
  private async waitUntilConnected(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (this.child.exitCode !== null) {
        throw new DashboardCheckError(
          'DASHCHECK.POSTGRES_EXPORTER',
          `postgres_exporter exited with ${this.child.exitCode}:\n${this.output.text()}`,
        );
      }
      const page = await fetch(`http://127.0.0.1:${this.port}/metrics`).then(
        (response) => response.text(),
        () => '',
      );
      if (/^pg_up(\{[^}]*\})? 1$/m.test(page)) return;
      if (Date.now() > deadline) {
        throw new DashboardCheckError(
          'DASHCHECK.POSTGRES_EXPORTER',
          `postgres_exporter did not reach the database within ${READY_TIMEOUT_MS} ms:\n${this.output.text()}`,
        );
      }
      await sleep(250);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

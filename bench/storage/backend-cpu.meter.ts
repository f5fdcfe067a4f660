import { ProcessGroupMeter } from '@evp/testing';
import type { Pool } from 'pg';

/**
 * `url` with its sessions named `applicationName`. `createDatabasePool` names every session `evp`, and the bench must
 * tell the writer's backend from the indexer's to charge each its own CPU; `pg` lets the connection string's
 * parameters override the pool's settings.
 */
export function withApplicationName(url: string, applicationName: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', applicationName);
  return parsed.toString();
}

/** CPU seconds used so far by the backends of tagged sessions, read from /proc (so only on this machine). */
export class BackendCpuMeter {
  private readonly meter: ProcessGroupMeter;

  /** `applicationNames`: as given to `withApplicationName`. */
  constructor(observer: Pool, applicationNames: readonly string[]) {
    this.meter = new ProcessGroupMeter(
      applicationNames.map((name) => ({
        name,
        pids: async () => {
          const { rows } = await observer.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
            [name],
          );
          return rows.map((row) => row.pid);
        },
      })),
    );
  }

  /** Per application name; undefined while none of its backends could be read (a server on another machine). */
  async read(): Promise<Record<string, number | undefined>> {
    const readings = await this.meter.read();
    return Object.fromEntries(
      Object.entries(readings).map(([name, { processes, cpuSeconds }]) => [
        name,
        processes > 0 || cpuSeconds > 0 ? cpuSeconds : undefined,
      ]),
    );
  }
}

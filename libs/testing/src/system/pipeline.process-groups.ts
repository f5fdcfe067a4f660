import { findListeningProcess } from './listening-process.finder';
import { type PipelineSystem, SYSTEM_SERVICES } from './pipeline.system';
import { type ProcessGroup } from './process-group.meter';
import { readProcessStat } from './process-stat.reader';
import { localTcpPortsOf, readTcpSockets } from './tcp-socket.table';

/** Port NATS clients use when the URL names none. */
const NATS_DEFAULT_PORT = 4222;

/** The services that connect to PostgreSQL: their backends are accounted apart, to show which one the time serves. */
const DATABASE_CLIENTS = ['fb-collector', 'ttk-collector', 'reporter'] as const;

/** Name of the group of PostgreSQL's work done for `service`; `postgres` alone holds the server's own processes. */
export const postgresGroupOf = (service: (typeof DATABASE_CLIENTS)[number]): string => `postgres:${service}`;

/** Whether a group is one of PostgreSQL's (the whole server is the sum of them). */
export const isPostgresGroup = (name: string): boolean => name === 'postgres' || name.startsWith('postgres:');

/** How long one look at PostgreSQL's backends serves every group asking for it: a reading asks all groups at once. */
const BACKENDS_TTL_MS = 1_000;

/**
 * Every process that does a system's work: its four services, the nats-server it talks to (the process listening
 * on the NATS URL's port, when that is this machine), and PostgreSQL, split by whom it works for: the backends of
 * each service's connections (`postgres:fb-collector`, `postgres:ttk-collector`, `postgres:reporter`, which runs the
 * demographics indexer), matched through the ports the service's sockets come from; and `postgres`: the postmaster,
 * the server-wide background processes (checkpointer, WAL writer, …) and any other backend of the system's
 * database. Backends of other databases are left out, since other suites may share the server; the background
 * processes are shared with them.
 */
export function pipelineProcessGroups(system: PipelineSystem): ProcessGroup[] {
  const single = (pid: number | undefined): number[] => (pid === undefined ? [] : [pid]);
  let natsServer: Promise<number | undefined> | undefined;
  const backends = new PostgresBackends(system);
  return [
    ...SYSTEM_SERVICES.map((name) => ({ name, pids: () => Promise.resolve(single(system.service(name).pid)) })),
    {
      name: 'nats-server',
      pids: async () => {
        natsServer ??= findListeningProcess(Number(new URL(system.natsUrl).port || NATS_DEFAULT_PORT));
        return single(await natsServer);
      },
    },
    ...DATABASE_CLIENTS.map((service) => ({
      name: postgresGroupOf(service),
      pids: async () => (await backends.byGroup()).get(postgresGroupOf(service)) ?? [],
    })),
    { name: 'postgres', pids: async () => (await backends.byGroup()).get('postgres') ?? [] },
  ];
}

/** PostgreSQL's processes serving a system, by group, looked up at most once per reading. */
class PostgresBackends {
  private lookup: { atMs: number; groups: Promise<Map<string, number[]>> } | undefined;

  constructor(private readonly system: PipelineSystem) {}

  byGroup(): Promise<Map<string, number[]>> {
    if (this.lookup === undefined || Date.now() - this.lookup.atMs > BACKENDS_TTL_MS) {
      this.lookup = { atMs: Date.now(), groups: this.look() };
    }
    return this.lookup.groups;
  }

  private async look(): Promise<Map<string, number[]>> {
    // The system's own connection (this query's) is the observer, not part of the work, so it is left out.
    const [row] = await this.system.query<{ self: number; backends: { pid: number; port: number | null }[] }>(
      `SELECT pg_backend_pid() AS self,
              coalesce(json_agg(json_build_object('pid', pid, 'port', client_port)), '[]') AS backends
       FROM pg_stat_activity
       WHERE pid <> pg_backend_pid() AND (datname = current_database() OR datname IS NULL)`,
    );
    const groups = new Map<string, number[]>([['postgres', []]]);
    if (!row) return groups;
    const sockets = await readTcpSockets();
    const owners = new Map<number, string>();
    for (const service of DATABASE_CLIENTS) {
      const pid = this.system.service(service).pid;
      if (pid === undefined) continue;
      for (const port of await localTcpPortsOf(pid, sockets)) owners.set(port, postgresGroupOf(service));
    }
    for (const backend of row.backends) {
      const group = (backend.port === null ? undefined : owners.get(backend.port)) ?? 'postgres';
      groups.set(group, [...(groups.get(group) ?? []), backend.pid]);
    }
    const postmaster = (await readProcessStat(row.self))?.ppid;
    if (postmaster !== undefined) groups.get('postgres')?.push(postmaster);
    return groups;
  }
}

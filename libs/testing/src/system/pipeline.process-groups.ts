import { findListeningProcess } from './listening-process.finder';
import { type PipelineSystem, SYSTEM_SERVICES } from './pipeline.system';
import { type ProcessGroup } from './process-group.meter';
import { readProcessStat } from './process-stat.reader';

/** Port NATS clients use when the URL names none. */
const NATS_DEFAULT_PORT = 4222;

/**
 * Every process that does a system's work: its four services, the nats-server it talks to (the process listening
 * on the NATS URL's port, when that is this machine), and PostgreSQL: the backends connected to the system's
 * database, the server-wide background processes (checkpointer, WAL writer, …) and the postmaster. Backends of other
 * databases are left out, since other suites may share the server; the background processes are shared with them.
 */
export function pipelineProcessGroups(system: PipelineSystem): ProcessGroup[] {
  const single = (pid: number | undefined): number[] => (pid === undefined ? [] : [pid]);
  let natsServer: Promise<number | undefined> | undefined;
  return [
    ...SYSTEM_SERVICES.map((name) => ({ name, pids: () => Promise.resolve(single(system.service(name).pid)) })),
    {
      name: 'nats-server',
      pids: async () => {
        natsServer ??= findListeningProcess(Number(new URL(system.natsUrl).port || NATS_DEFAULT_PORT));
        return single(await natsServer);
      },
    },
    { name: 'postgres', pids: () => postgresProcesses(system) },
  ];
}

async function postgresProcesses(system: PipelineSystem): Promise<number[]> {
  // The system's own connection (this query's) is the observer, not part of the work, so it is left out.
  const [row] = await system.query<{ self: number; pids: number[] }>(
    `SELECT pg_backend_pid() AS self,
            array(SELECT pid FROM pg_stat_activity
                  WHERE pid <> pg_backend_pid() AND (datname = current_database() OR datname IS NULL)) AS pids`,
  );
  if (!row) return [];
  const postmaster = (await readProcessStat(row.self))?.ppid;
  return postmaster === undefined ? row.pids : [...row.pids, postmaster];
}

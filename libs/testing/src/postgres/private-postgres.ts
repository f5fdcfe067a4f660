import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runMigrations } from '@evp/database';
import { Client } from 'pg';
import { freePort } from '../system/free-port';
import { quoteIdentifier } from './postgres.urls';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** URL of the database created in it (`evp` unless told otherwise). */
  url: string;
  port: number;
  dataDir: string;
  /** Starts the server again after `stop()` or `kill()`, on the same port and data. */
  start(): Promise<void>;
  /** Clean shutdown (`pg_ctl stop -m fast`): clients are disconnected. */
  stop(): Promise<void>;
  /** Crash: SIGKILL to the server and its backends, as when a container is killed. */
  kill(): Promise<void>;
  /** Stops it if running and deletes its data. Idempotent. */
  destroy(): Promise<void>;
}

export interface PrivatePostgresOptions {
  /** Database to create in the new cluster. @default 'evp' */
  database?: string;
  /** Apply the project's migrations to it. @default true */
  migrate?: boolean;
}

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, a free port), for tests that must
 * stop, kill or restart the database: the machine's server is shared and must never be touched. Runs as the
 * `postgres` user when the tests run as root, because PostgreSQL refuses to run as root.
 */
export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const database = options.database ?? 'evp';
  const { root, dataDir, pg } = await newServerDirectory();
  await pg('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-locale']);
  const server = await startServer(root, dataDir, pg);
  const url = `postgresql://postgres@127.0.0.1:${server.port}/${encodeURIComponent(database)}`;
  try {
    const admin = new Client({ connectionString: `postgresql://postgres@127.0.0.1:${server.port}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`).finally(() => admin.end());
    if (options.migrate !== false) await runMigrations({ url });
  } catch (error) {
    await server.destroy();
    throw error;
  }
  return { ...server, url };
}

/**
 * A streaming replica of a private server: `pg_basebackup -R` (a base backup that starts as a standby following
 * the primary), on a port of its own, read-only and hot standby. Its `url` names the primary's database. Stopping
 * or destroying it leaves the primary alone.
 */
export async function startPrivateReplica(primary: PrivatePostgres): Promise<PrivatePostgres> {
  const { root, dataDir, pg } = await newServerDirectory();
  const database = new URL(primary.url).pathname;
  try {
    await pg('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
      ...['-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    ]);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const server = await startServer(root, dataDir, pg);
  return { ...server, url: `postgresql://postgres@127.0.0.1:${server.port}${database}` };
}

type PostgresTool = (tool: string, args: string[]) => Promise<unknown>;

/** A fresh temporary directory for one server, and a runner of PostgreSQL's tools that works as root too. */
async function newServerDirectory(): Promise<{ root: string; dataDir: string; pg: PostgresTool }> {
  const bin = postgresBinDir();
  const root = await mkdtemp(join(tmpdir(), 'evp-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chownToPostgres(root);
  const pg: PostgresTool = (tool, args) => {
    const command = join(bin, tool);
    return asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
  };
  return { root, dataDir: join(root, 'data'), pg };
}

/** Starts the server of `dataDir` on a free port and returns its controls. */
async function startServer(root: string, dataDir: string, pg: PostgresTool): Promise<Omit<PrivatePostgres, 'url'>> {
  const port = await freePort();
  // fsync off: these clusters are thrown away, and a killed server still recovers (the OS keeps its writes).
  const serverOptions = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  let running = false;

  const start = async () => {
    await pg('pg_ctl', ['-D', dataDir, '-l', join(root, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = async () => {
    await pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    running = false;
  };
  const kill = async () => {
    const pid = postmasterPid(dataDir);
    const processes = [pid, ...childrenOf(pid)];
    for (const each of processes) signal(each, 'SIGKILL');
    await waitUntil(() => processes.every((each) => !isAlive(each)), 10_000);
    // PostgreSQL refuses to start while the old postmaster's pid exists, and a killed process keeps existing
    // (as a zombie) until its parent collects it, which some container inits do late or never. Once it is
    // surely dead, its lock file may go, as an operator would remove it after a crash.
    const reaped = await waitUntil(() => !existsSync(join('/proc', String(pid))), 3_000).then(
      () => true,
      () => false,
    );
    if (!reaped) await rm(join(dataDir, 'postmaster.pid'), { force: true });
    running = false;
  };
  const destroy = async () => {
    if (running) await stop().catch(() => kill());
    await rm(root, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return { port, dataDir, start, stop, kill, destroy };
}

/** PG_BIN_DIR, else the newest /usr/lib/postgresql/<version>/bin, else whatever is on PATH. */
function postgresBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return '';
  const versions = readdirSync(base)
    .filter((version) => existsSync(join(base, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : '';
}

async function chownToPostgres(path: string): Promise<void> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  await chown(path, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
}

function postmasterPid(dataDir: string): number {
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no server pid in ${dataDir}/postmaster.pid`);
  return pid;
}

/** Direct children of a process (the server's backends and workers), from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in field 2 may contain spaces, so fields are counted after its closing parenthesis.
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Running, and not a zombie waiting for its parent to collect it. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(join('/proc', String(pid), 'stat'), 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../system/free-port';

export interface PrivateNatsOptions {
  /** Start with JetStream enabled, storing under a fresh temporary directory. @default true */
  jetstream?: boolean;
  /** Binary to run. @default process.env.NATS_SERVER_BIN ?? 'nats-server' */
  binary?: string;
  /** Longest wait for the server to accept connections. @default 10_000 */
  startTimeoutMs?: number;
  /**
   * A server configuration file (`-c`), e.g. deploy/nats/nats.conf with its users; the port, address and store given
   * on the command line still apply. @default none
   */
  configFile?: string;
  /** Variables added to the server's environment, e.g. the passwords a configuration file reads. @default none */
  env?: Record<string, string>;
  /** Client port. @default a free port */
  port?: number;
  /** Membership of a cluster (`startPrivateNatsCluster` sets it). @default none: a server on its own */
  cluster?: PrivateNatsClusterMembership;
  /** HTTP monitoring port (`-m`: `/varz`, `/jsz`, `/healthz` on 127.0.0.1). @default none: monitoring off */
  monitorPort?: number;
}

/** How one server of a private cluster finds the others: every port on 127.0.0.1. */
export interface PrivateNatsClusterMembership {
  name: string;
  /** The server's name, unique in the cluster: JetStream reports stream leaders by it. */
  serverName: string;
  /** Port of this server's cluster listener. */
  port: number;
  /** Cluster ports of every server of the cluster (its own may be among them). */
  routes: readonly number[];
}

/** A nats-server owned by one test: its own port and store, so stopping or killing it touches nobody else. */
export interface PrivateNats {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The server's name in its cluster; undefined for a server on its own. */
  readonly serverName: string | undefined;
  /** JetStream store directory; kept across `restart()`. */
  readonly storeDir: string;
  /** `http://127.0.0.1:<monitorPort>`; undefined when the server was started without monitoring. */
  readonly monitorUrl: string | undefined;
  /** Graceful stop (SIGTERM), waiting for the process to exit. The store is kept. */
  stop(): Promise<void>;
  /** Crash (SIGKILL), waiting for the process to exit. The store is kept. */
  kill(): Promise<void>;
  /** Stops the server if it runs, then starts it again on the same port with the same store. */
  restart(): Promise<void>;
  /** Stops the server and deletes its store. */
  dispose(): Promise<void>;
}

/**
 * Starts `nats-server [-c <config>] -a 127.0.0.1 -p <free port> [-js -sd <tmpdir>] [-m <monitor port>]` and waits until it accepts connections.
 * Tests that stop, kill or restart NATS use this, never the machine's shared server.
 */
export async function startPrivateNats(options: PrivateNatsOptions = {}): Promise<PrivateNats> {
  const binary = options.binary ?? process.env.NATS_SERVER_BIN ?? 'nats-server';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const jetstream = options.jetstream ?? true;
  const port = options.port ?? (await freePort());
  const storeDir = await mkdtemp(join(tmpdir(), 'evp-nats-'));
  const args = [
    ...(options.configFile === undefined ? [] : ['-c', options.configFile]),
    ...['-a', '127.0.0.1', '-p', String(port)],
    ...(jetstream ? ['-js', '-sd', storeDir] : []),
    ...(options.cluster ? clusterArgs(options.cluster) : []),
    ...(options.monitorPort === undefined ? [] : ['-m', String(options.monitorPort)]),
  ];
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const server = spawn(binary, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let output = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      // Only the start-up lines matter for a failure message; a long-running server must not grow this forever.
      if (output.length < 16_384) output += chunk.toString();
    });
    child = server;
    liveServers.add(server);
    server.once('exit', () => liveServers.delete(server));
    const deadline = Date.now() + startTimeoutMs;
    while (!(await accepts(port))) {
      if (server.exitCode !== null || server.signalCode !== null) {
        throw new Error(`nats-server exited during start-up (port ${port}):\n${output}`);
      }
      if (Date.now() > deadline) {
        await terminate(server, 'SIGKILL');
        throw new Error(
          `nats-server did not accept connections on port ${port} within ${startTimeoutMs} ms:\n${output}`,
        );
      }
      await sleep(50);
    }
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    if (child) await terminate(child, signal);
    child = undefined;
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    serverName: options.cluster?.serverName,
    storeDir,
    monitorUrl: options.monitorPort === undefined ? undefined : `http://127.0.0.1:${options.monitorPort}`,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      await launch();
    },
    dispose: async () => {
      await halt('SIGTERM');
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

function clusterArgs(cluster: PrivateNatsClusterMembership): string[] {
  return [
    ...['--name', cluster.serverName, '--cluster_name', cluster.name],
    ...['--cluster', `nats://127.0.0.1:${cluster.port}`],
    ...['--routes', cluster.routes.map((route) => `nats://127.0.0.1:${route}`).join(',')],
  ];
}

/** Servers still running when the test process exits would outlive it and hold their ports. */
const liveServers = new Set<ChildProcess>();
process.once('exit', () => {
  for (const server of liveServers) server.kill('SIGKILL');
});

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../system/free-port';
import { type PrivateNats, startPrivateNats } from './private-nats.server';

export interface PrivateNatsClusterOptions {
  /** Servers in the cluster. @default 3 */
  size?: number;
  /** Longest wait for the cluster to elect its JetStream meta leader. @default 30_000 */
  readyTimeoutMs?: number;
}

/** nats-server processes owned by one test, routed into one JetStream cluster on 127.0.0.1. */
export interface PrivateNatsCluster {
  readonly nodes: readonly PrivateNats[];
  /** Every server's client URL, comma-separated (how the services take NATS_URL). */
  readonly url: string;
  /** The server JetStream knows by this name (a stream leader, say). */
  node(serverName: string): PrivateNats;
  /** Waits until JetStream answers through the cluster (a meta leader is elected). */
  waitForJetStream(timeoutMs?: number): Promise<void>;
  /** Stops every server and deletes their stores. */
  dispose(): Promise<void>;
}

/**
 * Starts `size` private servers with JetStream, each with its own client port, cluster port and store, every one
 * routed to the others, and waits until the cluster's JetStream answers. Killing and restarting one node touches
 * neither the others' stores nor the machine's shared server.
 */
export async function startPrivateNatsCluster(options: PrivateNatsClusterOptions = {}): Promise<PrivateNatsCluster> {
  const size = options.size ?? 3;
  const clusterPorts = await distinctFreePorts(size);
  const clientPorts = await distinctFreePorts(size, clusterPorts);
  const started = await Promise.allSettled(
    clusterPorts.map((port, index) =>
      startPrivateNats({
        port: clientPorts[index],
        cluster: { name: 'evp-test', serverName: `n${index + 1}`, port, routes: clusterPorts },
      }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const cluster: PrivateNatsCluster = {
    nodes,
    url: nodes.map((node) => node.url).join(','),
    node(serverName) {
      const found = nodes.find((node) => node.serverName === serverName);
      if (!found) throw new Error(`no server ${serverName} in this cluster`);
      return found;
    },
    waitForJetStream: (timeoutMs = options.readyTimeoutMs ?? 30_000) => waitForJetStream(nodes, timeoutMs),
    dispose: async () => {
      await Promise.all(nodes.map((node) => node.dispose()));
    },
  };
  try {
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    await cluster.waitForJetStream();
  } catch (error) {
    await cluster.dispose();
    throw error;
  }
  return cluster;
}

/** Ports free a moment ago, none repeated and none in `taken` (the OS may hand one out twice in a row). */
async function distinctFreePorts(count: number, taken: readonly number[] = []): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (!taken.includes(port)) ports.add(port);
  }
  return [...ports];
}

async function waitForJetStream(nodes: readonly PrivateNats[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect({ servers: nodes.map((node) => node.url) });
      try {
        // Answers only once the cluster has a meta leader and every server is known to it.
        const jsm = await jetstreamManager(nc);
        await jsm.getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      lastError = error;
      await sleep(250);
    }
  }
  throw new Error(`the NATS cluster's JetStream did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

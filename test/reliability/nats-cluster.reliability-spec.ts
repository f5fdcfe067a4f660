import { type PrivateNatsCluster, type PublisherRun, startPrivateNatsCluster } from '@evp/testing';
import { jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pacedLoadFlags, type Reconciled, reconcile, runLoad, whenStored } from './support/emulator.load';
import { ReliabilityStack } from './support/reliability.stack';
import { recordScenario } from './support/scenario.summary';
import { ensureServicesBuilt } from './support/services.build';

/** Long enough for two kills, two elections and a restart that catches up, whatever the machine's speed. */
const LOAD_DURATION = process.env.RELIABILITY_CLUSTER_LOAD ?? '45s';
const ELECTION_TIMEOUT_MS = 60_000;

/** Paced like the real publisher (a batch every 100 ms, not waiting for replies) for a fixed time. */
function clusterLoadFlags(total: number, seed: number): Record<string, string | number> {
  const { total: _total, ...flags } = pacedLoadFlags(total, seed);
  return { ...flags, 'batch-max': 300, duration: LOAD_DURATION };
}

/** The stream's state as the cluster reports it now; undefined while it cannot answer (no leader). */
async function streamInfo(cluster: PrivateNatsCluster, stream: string): Promise<StreamInfo | undefined> {
  const nc = await connect({ servers: cluster.url.split(','), timeout: 2_000 }).catch(() => undefined);
  if (!nc) return undefined;
  try {
    return await (await jetstreamManager(nc, { timeout: 2_000 })).streams.info(stream);
  } catch {
    return undefined;
  } finally {
    await nc.close();
  }
}

async function until<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + ELECTION_TIMEOUT_MS;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not within ${ELECTION_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits for a leader other than `previous` (the one just killed), and returns its server name. */
function newLeader(cluster: PrivateNatsCluster, stream: string, previous: string): Promise<string> {
  return until(async () => {
    const leader = (await streamInfo(cluster, stream))?.cluster?.leader;
    return leader !== undefined && leader !== previous ? leader : undefined;
  }, `a new leader of ${stream}`);
}

/** Waits until both followers of the stream are online and current (a restarted node has caught up). */
function fullyReplicated(cluster: PrivateNatsCluster, stream: string): Promise<true> {
  return until(async () => {
    const replicas = (await streamInfo(cluster, stream))?.cluster?.replicas ?? [];
    return replicas.length === 2 && replicas.every((peer) => peer.current && !peer.offline) ? true : undefined;
  }, `${stream} on three current servers`);
}

describe('a three-node NATS cluster with streams on all three (NATS_STREAM_REPLICAS=3)', () => {
  let cluster: PrivateNatsCluster;
  let stack: ReliabilityStack;
  let run: PublisherRun;
  let outcome: Reconciled;
  let replicas: number[];
  const killed: string[] = [];
  const leaders: string[] = [];

  beforeAll(async () => {
    ensureServicesBuilt();
    cluster = await startPrivateNatsCluster();
    stack = await ReliabilityStack.start({
      name: 'rel-nats-cluster',
      natsUrl: cluster.url,
      // A short ack wait, so messages a collector had in hand on a killed leader come back soon.
      env: { NATS_STREAM_REPLICAS: '3', ACK_WAIT_MS: '5000' },
    });
    const { stream, deadLetterStream } = stack.names;
    replicas = await Promise.all(
      [stream, deadLetterStream].map(
        async (name) => (await until(() => streamInfo(cluster, name), name)).config.num_replicas,
      ),
    );

    const load = runLoad(stack, 0, 606, clusterLoadFlags);
    await whenStored(stack, 2_000);
    // kill -9 of the stream's leader mid-load; once another leads and the killed node is back and current, kill -9
    // of the new leader. With three replicas a majority stays up each time: no acknowledged message is lost.
    for (let round = 0; round < 2; round++) {
      // The second kill takes the server that took over from the first, whether it still leads or not.
      const leader =
        leaders[0] ?? (await until(async () => (await streamInfo(cluster, stream))?.cluster?.leader, 'a leader'));
      await cluster.node(leader).kill();
      killed.push(leader);
      leaders.push(await newLeader(cluster, stream, leader));
      await cluster.node(leader).restart();
      await fullyReplicated(cluster, stream);
    }
    run = await load;
    outcome = await reconcile(stack, 'nats cluster leader kill -9 ×2', [run]);
    recordScenario({
      ...outcome.result,
      note: `killed ${killed.join(', ')}; leaders after: ${leaders.join(', ')}; replies ${JSON.stringify(run.summary.requests.byStatus)}`,
    });
  });

  afterAll(async () => {
    await stack?.dispose();
    await cluster?.dispose();
  });

  it('should keep the events stream and the dead-letter stream on three servers', () => {
    expect(replicas).toEqual([3, 3]);
  });

  it('should have killed two different servers, each replaced as leader by another', () => {
    expect(new Set(killed).size).toBe(2);
    killed.forEach((leader, round) => expect(leaders[round]).not.toBe(leader));
  });

  it('should answer every request, with 2xx or 503 and nothing else', () => {
    expect(run.summary.requests.failed).toBe(0);
    const statuses = Object.keys(run.summary.requests.byStatus);
    expect(statuses.filter((status) => !/^2\d\d$/.test(status) && status !== '503')).toEqual([]);
    expect(run.summary.events.acknowledged).toBeGreaterThan(0);
  });

  it('should store every event of a 2xx reply exactly once and nothing that was never sent', () => {
    expect(outcome.reconciliation).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
  });
});

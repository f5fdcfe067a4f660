import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

/** The fields of nats-server's `/varz` the rendering reads: every top-level number, plus the names. */
export interface VarzJson {
  server_id: string;
  server_name?: string;
  [field: string]: unknown;
}

interface ConsumerJson {
  name: string;
  cluster?: { leader?: string };
  delivered: { consumer_seq: number; stream_seq: number };
  ack_floor: { consumer_seq: number; stream_seq: number };
  num_ack_pending: number;
  num_redelivered: number;
  num_waiting: number;
  num_pending: number;
}

interface StreamJson {
  name: string;
  cluster?: { leader?: string };
  state: { messages: number; bytes: number; first_seq: number; last_seq: number; consumer_count: number };
  consumer_detail?: ConsumerJson[];
}

/** nats-server's `/jsz?streams=true&consumers=true&config=true`, the fields the rendering reads. */
export interface JszJson {
  disabled?: boolean;
  config: { max_memory: number; max_storage: number; domain?: string };
  meta_cluster?: { name?: string; leader?: string };
  streams: number;
  consumers: number;
  messages: number;
  bytes: number;
  account_details?: { name: string; id: string; stream_detail?: StreamJson[] }[];
}

type Labels = Record<string, string>;

const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const sample = (name: string, labels: Labels, value: number): string =>
  `${name}{${Object.entries(labels)
    .map(([label, text]) => `${label}="${escapeLabel(text)}"`)
    .join(',')}} ${value}`;

/** One gauge family: its TYPE line, then its samples. */
function gauge(name: string, samples: readonly { labels: Labels; value: number }[]): string[] {
  return [`# TYPE ${name} gauge`, ...samples.map(({ labels, value }) => sample(name, labels, value))];
}

/** Gauge families named `<prefix>_<name>`, each with one sample per labelled item. */
const familiesOf =
  <T>(prefix: string, items: readonly { labels: Labels; item: T }[]) =>
  (name: string, value: (item: T) => number): string[] =>
    gauge(
      `${prefix}_${name}`,
      items.map(({ labels, item }) => ({ labels, value: value(item) })),
    );

const VARZ_NAME_LABELS = new Set(['server_id', 'server_name', 'version']);

/**
 * The metrics prometheus-nats-exporter (`-varz -jsz=all`) derives from one server's `/varz` and `/jsz`, with its
 * names and labels: every top-level number of `/varz` as `gnatsd_varz_<field>{server_id}` (collector/collector.go),
 * and the JetStream server, stream and consumer gauges of collector/jsz.go. Only for `npm run check:dashboards`,
 * which has no Docker to run the real exporter image that compose runs; the dashboards and rules read these names.
 */
export function renderNatsMetrics(varz: VarzJson, jsz: JszJson): string {
  const serverId = varz.server_id;
  const serverName = varz.server_name ?? serverId;
  const lines: string[] = [];

  for (const [field, value] of Object.entries(varz)) {
    if (typeof value === 'number')
      lines.push(...gauge(`gnatsd_varz_${field}`, [{ labels: { server_id: serverId }, value }]));
    else if (typeof value === 'string' && VARZ_NAME_LABELS.has(field))
      lines.push(...gauge(`gnatsd_varz_${field}`, [{ labels: { server_id: serverId, value }, value: 1 }]));
  }

  const metaLeader = jsz.meta_cluster?.leader ?? '';
  const server: Labels = {
    server_id: serverId,
    server_name: serverName,
    cluster: jsz.meta_cluster?.name ?? '',
    domain: jsz.config.domain ?? '',
    meta_leader: metaLeader,
    is_meta_leader: String(jsz.meta_cluster === undefined || metaLeader === serverName),
  };
  const serverGauge = familiesOf('jetstream_server', [{ labels: server, item: jsz }]);
  lines.push(
    ...serverGauge('jetstream_disabled', (info) => (info.disabled === true ? 1 : 0)),
    ...serverGauge('max_memory', (info) => info.config.max_memory),
    ...serverGauge('max_storage', (info) => info.config.max_storage),
    ...serverGauge('total_streams', (info) => info.streams),
    ...serverGauge('total_consumers', (info) => info.consumers),
    ...serverGauge('total_messages', (info) => info.messages),
    ...serverGauge('total_message_bytes', (info) => info.bytes),
  );

  const leaderLabels = (leader: string | undefined): { leader: string; isLeader: string } => ({
    leader: leader ?? '',
    isLeader: String(leader === undefined || leader === serverName),
  });
  const streams = (jsz.account_details ?? []).flatMap((account) =>
    (account.stream_detail ?? []).map((stream) => {
      const { leader, isLeader } = leaderLabels(stream.cluster?.leader);
      const labels: Labels = {
        ...server,
        account: account.name,
        account_id: account.id,
        stream_name: stream.name,
        stream_leader: leader,
        is_stream_leader: isLeader,
      };
      return { labels, item: stream };
    }),
  );
  const streamGauge = familiesOf('jetstream_stream', streams);
  lines.push(
    ...streamGauge('total_messages', (stream) => stream.state.messages),
    ...streamGauge('total_bytes', (stream) => stream.state.bytes),
    ...streamGauge('first_seq', (stream) => stream.state.first_seq),
    ...streamGauge('last_seq', (stream) => stream.state.last_seq),
    ...streamGauge('consumer_count', (stream) => stream.state.consumer_count),
  );

  const consumers = streams.flatMap(({ labels, item: stream }) =>
    (stream.consumer_detail ?? []).map((consumer) => {
      const { leader, isLeader } = leaderLabels(consumer.cluster?.leader);
      return {
        labels: { ...labels, consumer_name: consumer.name, consumer_leader: leader, is_consumer_leader: isLeader },
        item: consumer,
      };
    }),
  );
  const consumerGauge = familiesOf('jetstream_consumer', consumers);
  lines.push(
    ...consumerGauge('delivered_consumer_seq', (consumer) => consumer.delivered.consumer_seq),
    ...consumerGauge('delivered_stream_seq', (consumer) => consumer.delivered.stream_seq),
    ...consumerGauge('num_ack_pending', (consumer) => consumer.num_ack_pending),
    ...consumerGauge('num_redelivered', (consumer) => consumer.num_redelivered),
    ...consumerGauge('num_waiting', (consumer) => consumer.num_waiting),
    ...consumerGauge('num_pending', (consumer) => consumer.num_pending),
    ...consumerGauge('ack_floor_stream_seq', (consumer) => consumer.ack_floor.stream_seq),
    ...consumerGauge('ack_floor_consumer_seq', (consumer) => consumer.ack_floor.consumer_seq),
  );
  return `${lines.join('\n')}\n`;
}

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Serves `renderNatsMetrics` of one nats-server on `http://127.0.0.1:<port>/metrics`, reading its monitoring
 * endpoint on every scrape as the real exporter does.
 */
export class NatsMonitorExporter {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(monitorUrl: string): Promise<NatsMonitorExporter> {
    const server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      Promise.all([
        fetchJson<VarzJson>(`${monitorUrl}/varz`),
        fetchJson<JszJson>(`${monitorUrl}/jsz?streams=true&consumers=true&config=true`),
      ]).then(
        ([varz, jsz]) => {
          response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderNatsMetrics(varz, jsz));
        },
        (error: unknown) => {
          response.writeHead(503, { 'content-type': 'text/plain' }).end(String(error));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new NatsMonitorExporter(server, (server.address() as AddressInfo).port);
  }

  stop(): Promise<void> {
    return new Promise((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }
}

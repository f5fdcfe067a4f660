/**
 * Gateway ingest: the built gateway as a child process, driven by real-publisher-shaped bodies, with the
 * machine's limits for the same work measured in the same run as a baseline.
 *
 *   npm run bench:gateway [-- --gzip]
 *     --gzip                 after the saturation phase, the same again with gzip bodies (Content-Encoding: gzip),
 *                            compressed before the phase starts; events/s and CPU per event printed side by side
 *     --two-instances        after the saturation phase, the same with a second gateway on the same streams, each
 *                            gateway taking BENCH_SENDERS senders; events/s and CPU per event beside one instance
 *     BENCH_DURATION_S=60    seconds of load (per saturation phase)
 *     BENCH_SENDERS=2        concurrent senders, each sending its next body when the previous one is answered
 *     BENCH_FULL_SHARE=0.1   share of bodies of exactly 50,000 events; the others hold 1,000–50,000, uniformly
 *     BENCH_PACED_S=90       then seconds at the real publisher's pace: one body a second, replies not awaited
 *     BENCH_NATS_URL         NATS to use; by default a private nats-server with JetStream on a temporary store
 *     BENCH_PROFILE_DIR      write a CPU profile of the gateway there (node --cpu-prof)
 *     INGEST_WORKERS         passed to the gateway (worker threads reading bodies; 0 = on the main thread)
 *
 * Two phases: saturation (closed-loop senders: the most the gateway takes) and publisher pace (the load it
 * must carry in production). Collectors do not run: the gateway's stream only fills. Prints acknowledged
 * events/s, p50/p99 reply time per body-size bucket and for the 50,000-event body, the gateway's and the
 * nats-server's CPU, the liveness answer time while saturated, and checks that the stream's messages carry exactly
 * the events acknowledged. Writes bench/results/gateway.json.
 */
import { exitWithUsageOnHelp } from '@evp/config';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ingestionStreamName, validateEvent } from '@evp/contracts';
import { JetStreamModule, JetStreamPublisher, type OutgoingMessage } from '@evp/messaging';
import {
  type PrivateNats,
  REPO_ROOT,
  findListeningProcess,
  freePort,
  readProcessStat,
  startPrivateNats,
  streamEventCount,
  uniqueNames,
} from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Agent, request } from 'undici';
import { ascending, percentile } from '../shared/sample.statistics';
import { type ColumnAlignment, renderTable } from '../shared/text.table';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 60);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 2);
const FULL_SHARE = Number(process.env.BENCH_FULL_SHARE ?? 0.1);
const PACED_S = Number(process.env.BENCH_PACED_S ?? 90);
const GZIP = process.argv.includes('--gzip');
const TWO_INSTANCES = process.argv.includes('--two-instances');
const MIN_EVENTS = 1_000;
const MAX_EVENTS = 50_000;
const TARGET_EVENTS_PER_SECOND = 30_000;
const TARGET_FULL_BODY_P99_MS = 1_000;
const RESULTS_FILE = join(REPO_ROOT, 'bench', 'results', 'gateway.json');
/** A label column, then figures. */
const FIGURE_COLUMNS: readonly ColumnAlignment[] = ['left', 'right', 'right', 'right', 'right'];
const BUCKETS = [
  { name: '1k–10k', from: 1_000, to: 10_000 },
  { name: '10k–25k', from: 10_000, to: 25_000 },
  { name: '25k–50k', from: 25_000, to: 50_001 },
  { name: '50k body', from: 50_000, to: 50_001 },
] as const;

/** One 50,000-event body; a body of n events is its first n elements, with fresh event ids per send. */
class BodyTemplate {
  readonly bytes: Buffer;
  /** Offset just after element i (where `,` or `]` follows). */
  private readonly elementEnds: number[] = [];
  /** Offset of the first hex digit of each event id's UUID. */
  private readonly idOffsets: number[] = [];
  private sends = 0;

  constructor(generator: EventGenerator) {
    const parts: string[] = [];
    let offset = 1;
    for (let i = 0; i < MAX_EVENTS; i++) {
      const event = generator.next();
      const json = JSON.stringify(event);
      this.idOffsets.push(offset + json.indexOf(event.eventId) + event.eventId.indexOf('-') + 1);
      offset += Buffer.byteLength(json);
      this.elementEnds.push(offset);
      offset += 1;
      parts.push(json);
    }
    this.bytes = Buffer.from(`[${parts.join(',')}]`);
  }

  /** Average bytes of an event on the wire. */
  get bytesPerEvent(): number {
    return Math.round(this.bytes.length / MAX_EVENTS);
  }

  /** The first `count` events as a new array body; the first 8 hex digits of every id become the send number. */
  body(count: number): Buffer {
    const end = this.elementEnds[count - 1] as number;
    const body = Buffer.allocUnsafe(end + 1);
    this.bytes.copy(body, 0, 0, end);
    body[end] = 0x5d;
    const stamp = (this.sends++ % 0xffffffff).toString(16).padStart(8, '0');
    for (let i = 0; i < count; i++) body.write(stamp, this.idOffsets[i] as number, 'latin1');
    return body;
  }

  /** The events as separate payloads, for the baselines. */
  elements(): Buffer[] {
    return this.elementEnds.map((end, i) =>
      this.bytes.subarray(i === 0 ? 1 : (this.elementEnds[i - 1] as number) + 1, end),
    );
  }
}

const gzipAsync = promisify(gzip);

/** A body ready to send: its event count, its bytes, and their Content-Encoding when compressed. */
interface PreparedBody {
  events: number;
  bytes: Buffer;
  encoding?: 'gzip';
}

interface RequestSample {
  events: number;
  bytes: number;
  status: number;
  accepted: number;
  ms: number;
}

/** Baseline 1: what one core does with the parse and validation work of these events, nothing else. */
function parseValidateBaseline(elements: readonly Buffer[]): number {
  const started = process.hrtime.bigint();
  let valid = 0;
  for (const element of elements) if (validateEvent(JSON.parse(element.toString('utf8'))).ok) valid++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (valid !== elements.length) throw new Error('the template holds invalid events');
  return Math.round(elements.length / seconds);
}

/** Baseline 2: the messaging module publishing the same payloads, one message per event, from this process. */
async function publishBaseline(
  natsUrl: string,
  stream: string,
  subject: string,
  elements: readonly Buffer[],
): Promise<number> {
  @Module({
    imports: [
      JetStreamModule.forRoot({
        servers: [natsUrl],
        connectionName: 'bench-gateway-baseline',
        streams: [{ name: stream, subjects: [subject] }],
        deadLetter: { provision: false },
      }),
    ],
  })
  class BaselineModule {}
  const context = await NestFactory.createApplicationContext(BaselineModule, { logger: ['error', 'warn'] });
  await context.init();
  try {
    const publisher = context.get(JetStreamPublisher);
    const messages = elements.map((data, i): OutgoingMessage => ({
      subject,
      data,
      msgId: `baseline-${i}`,
      correlationId: 'bench-baseline',
    }));
    const started = process.hrtime.bigint();
    // Chunks of a request's size, one after another, as a gateway request would hand them over.
    for (let first = 0; first < messages.length; first += 10_000)
      await publisher.publishMany(messages.slice(first, first + 10_000));
    return Math.round(messages.length / (Number(process.hrtime.bigint() - started) / 1e9));
  } finally {
    await context.close();
  }
}

interface BucketFigures {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface PhaseResult {
  seconds: number;
  requests: number;
  statuses: Record<string, number>;
  acknowledgedEvents: number;
  eventsPerSecond: number;
  /** Body bytes sent per event, as they travelled (compressed or not). */
  wireBytesPerEvent: number;
  gatewayCpuMicrosPerEvent: number;
  gatewayCpuCores: number;
  /** Busy cores of the private nats-server (NaN when an external NATS is used). */
  natsCpuCores: number;
  latency: Record<string, BucketFigures>;
}

const round2 = (value: number) => Number(value.toFixed(2));

/** Runs one load phase and sums it up: acknowledged events/s, reply times per body size, the gateway's CPU. */
async function measurePhase(
  gatewayPids: readonly number[],
  natsPid: number | undefined,
  load: () => Promise<RequestSample[]>,
): Promise<PhaseResult> {
  const gatewaysCpu = async () => (await Promise.all(gatewayPids.map(cpuSeconds))).reduce((sum, cpu) => sum + cpu, 0);
  const cpuBefore = await gatewaysCpu();
  const natsCpuBefore = await cpuSeconds(natsPid);
  const started = performance.now();
  const samples = await load();
  const seconds = (performance.now() - started) / 1000;
  const gatewayCpu = (await gatewaysCpu()) - cpuBefore;
  const natsCpu = (await cpuSeconds(natsPid)) - natsCpuBefore;
  const acknowledgedEvents = samples.reduce((sum, sample) => sum + sample.accepted, 0);
  const sentEvents = samples.reduce((sum, sample) => sum + sample.events, 0);
  const sentBytes = samples.reduce((sum, sample) => sum + sample.bytes, 0);
  const statuses: Record<string, number> = {};
  for (const sample of samples) statuses[sample.status] = (statuses[sample.status] ?? 0) + 1;
  const latency = Object.fromEntries(
    BUCKETS.map((bucket): [string, BucketFigures] => {
      const times = samples
        .filter((sample) => sample.status === 202 && sample.events >= bucket.from && sample.events < bucket.to)
        .map((sample) => sample.ms);
      const sorted = ascending(times);
      return [
        bucket.name,
        {
          requests: sorted.length,
          p50Ms: Math.round(percentile(sorted, 50)),
          p99Ms: Math.round(percentile(sorted, 99)),
          maxMs: Math.round(sorted.at(-1) ?? Number.NaN),
        },
      ];
    }),
  );
  return {
    seconds: round2(seconds),
    requests: samples.length,
    statuses,
    acknowledgedEvents,
    eventsPerSecond: Math.round(acknowledgedEvents / seconds),
    wireBytesPerEvent: Math.round(sentBytes / Math.max(1, sentEvents)),
    gatewayCpuMicrosPerEvent: Number(((gatewayCpu * 1e6) / Math.max(1, acknowledgedEvents)).toFixed(1)),
    gatewayCpuCores: round2(gatewayCpu / seconds),
    natsCpuCores: round2(natsCpu / seconds),
    latency,
  };
}

/** CPU seconds a process has used; NaN when there is none to watch (an external NATS). */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  return pid === undefined ? Number.NaN : ((await readProcessStat(pid))?.cpuSeconds ?? Number.NaN);
}

/** Polls `GET /health/liveness` every 50 ms while `running()`, recording each answer's time. */
async function pollLiveness(url: string, running: () => boolean, latencies: number[]): Promise<void> {
  while (running()) {
    const started = performance.now();
    const response = await fetch(`${url}/health/liveness`);
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function printPhase(name: string, phase: PhaseResult): void {
  console.log(`${name}: ${phase.requests} requests in ${phase.seconds} s, statuses ${JSON.stringify(phase.statuses)}`);
  console.log(`  acknowledged ${phase.acknowledgedEvents} events: ${phase.eventsPerSecond} events/s`);
  console.log(
    `  gateway CPU ${phase.gatewayCpuMicrosPerEvent} µs/event, ${phase.gatewayCpuCores} cores on average; nats-server ${phase.natsCpuCores} cores`,
  );
  const latencyRows = Object.entries(phase.latency).map(([bucket, figures]) => [
    bucket,
    ...[figures.requests, figures.p50Ms, figures.p99Ms, figures.maxMs].map(String),
  ]);
  const header = ['body size', 'requests', 'p50 ms', 'p99 ms', 'max ms'];
  console.log(renderTable([header, ...latencyRows], { align: FIGURE_COLUMNS, indent: '  ' }));
}

/** Saturation figures of two phases in two columns (plain and gzip, one gateway and two). */
function printSideBySide(title: string, columns: ReadonlyArray<readonly [string, PhaseResult]>): void {
  const rows: Array<[string, (phase: PhaseResult) => number]> = [
    ['ingest events/s', (phase) => phase.eventsPerSecond],
    ['gateway CPU µs/event', (phase) => phase.gatewayCpuMicrosPerEvent],
    ['gateway CPU cores', (phase) => phase.gatewayCpuCores],
    ['wire bytes/event', (phase) => phase.wireBytesPerEvent],
  ];
  const table = [
    ['figure', ...columns.map(([label]) => label)],
    ...rows.map(([name, value]) => [name, ...columns.map(([, phase]) => String(value(phase)))]),
  ];
  console.log(`\n${title}:\n${renderTable(table, { align: FIGURE_COLUMNS, indent: '  ' })}`);
}

interface RunningGateway {
  url: string;
  pid: number;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** The built gateway as a child process (optionally under `--cpu-prof`), once it reports ready. */
async function startGateway(env: Record<string, string>): Promise<RunningGateway> {
  const port = await freePort();
  const flags = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...flags, join(REPO_ROOT, 'apps', 'gateway', 'dist', 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode} before it was ready`);
    const ready = await fetch(`${url}/health/readiness`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error('the gateway was not ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    pid: child.pid as number,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const USAGE = `Usage: npm run bench:gateway -- [--gzip] [--two-instances]
  Gateway ingest: the built gateway driven by real-publisher-shaped bodies, saturation then the publisher's pace.
  --gzip            after the saturation phase, the same again with gzip bodies
  --two-instances   after the saturation phase, the same with a second gateway on the same streams
  Environment: BENCH_DURATION_S (60), BENCH_SENDERS (2), BENCH_FULL_SHARE (0.1), BENCH_PACED_S (90), BENCH_NATS_URL,
  BENCH_PROFILE_DIR, INGEST_WORKERS. Writes bench/results/gateway.json.`;

async function main(): Promise<void> {
  exitWithUsageOnHelp(USAGE);
  console.log('building the gateway…');
  execFileSync('npx', ['tsc', '-b', 'apps/gateway/tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });

  const loadBefore = loadavg();
  let privateNats: PrivateNats | undefined;
  const natsUrl = process.env.BENCH_NATS_URL ?? (privateNats = await startPrivateNats()).url;
  const natsPid = privateNats ? await findListeningProcess(privateNats.port) : undefined;
  const names = uniqueNames('bench-gateway');
  console.log(`NATS ${natsUrl}${privateNats ? ' (private)' : ''}; generating a ${MAX_EVENTS}-event template…`);
  const template = new BodyTemplate(new EventGenerator({ seed: 2024 }));
  const elements = template.elements();

  const parseValidate = parseValidateBaseline(elements);
  const leanPublish = await publishBaseline(
    natsUrl,
    `${names.stream}_BASELINE`,
    `${names.subjectPrefix}-baseline.facebook`,
    elements,
  );
  console.log(
    `baselines: parse+validate ${parseValidate} events/s on one core; messaging publish ${leanPublish} msgs/s`,
  );

  const gatewayEnv = {
    NATS_URL: natsUrl,
    EVENTS_STREAM: names.stream,
    EVENTS_SUBJECT_PREFIX: names.subjectPrefix,
    DEAD_LETTER_STREAM: names.deadLetterStream,
    DEAD_LETTER_SUBJECT_PREFIX: names.deadLetterPrefix,
    LOG_LEVEL: 'warn',
    // The bench measures what one gateway takes at most, beyond any sender's quota.
    QUOTA_EVENTS_PER_SECOND: '0',
  };
  const gateway = await startGateway(gatewayEnv);
  const nats = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nats);
  const agent = new Agent({ connections: SENDERS, keepAliveTimeout: 60_000 });
  const random = new EventGenerator({ seed: 7 }).random;
  const post = async ({ events, bytes, encoding }: PreparedBody, url = gateway.url): Promise<RequestSample> => {
    const started = performance.now();
    const response = await request(`${url}/webhook`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/json', ...(encoding ? { 'content-encoding': encoding } : {}) },
      dispatcher: agent,
    });
    const reply = (await response.body.json()) as { accepted?: number };
    return {
      events,
      bytes: bytes.length,
      status: response.statusCode,
      accepted: response.statusCode === 202 ? (reply.accepted ?? 0) : 0,
      ms: performance.now() - started,
    };
  };

  const send = (count: number, url?: string) => post({ events: count, bytes: template.body(count) }, url);
  const nextSize = () => (random.chance(FULL_SHARE) ? MAX_EVENTS : random.int(MIN_EVENTS, MAX_EVENTS));

  /**
   * Closed-loop senders for DURATION_S (or until `next` has no body left), SENDERS per gateway, liveness of the first
   * polled meanwhile.
   */
  const saturate = async (
    next: (url: string) => Promise<RequestSample> | undefined,
    gateways: readonly RunningGateway[] = [gateway],
  ) => {
    const liveness: number[] = [];
    const pids = gateways.map((instance) => instance.pid);
    const phase = await measurePhase(pids, natsPid, async () => {
      const samples: RequestSample[] = [];
      const deadline = performance.now() + DURATION_S * 1000;
      let sending = true;
      const polling = pollLiveness(gateway.url, () => sending, liveness);
      await Promise.all(
        Array.from({ length: SENDERS * gateways.length }, async (_, sender) => {
          const url = (gateways[sender % gateways.length] as RunningGateway).url;
          while (performance.now() < deadline) {
            const sending = next(url);
            if (!sending) break;
            samples.push(await sending);
          }
        }),
      );
      sending = false;
      await polling;
      return samples;
    });
    const livenessSorted = ascending(liveness);
    const livenessFigures = {
      polls: livenessSorted.length,
      p99Ms: Math.round(percentile(livenessSorted, 99)),
      maxMs: Math.round(livenessSorted.at(-1) ?? Number.NaN),
    };
    // Events travel many to a message: the count header of each message says how many.
    const stored = await streamEventCount(jsm, names.stream);
    return { phase, livenessFigures, stored };
  };
  const printSaturation = (name: string, { phase, livenessFigures, stored }: Awaited<ReturnType<typeof saturate>>) => {
    printPhase(name, phase);
    console.log(
      `  liveness while saturated: ${livenessFigures.polls} polls, p99 ${livenessFigures.p99Ms} ms, max ${livenessFigures.maxMs} ms`,
    );
    console.log(
      `stream holds ${stored} (${stored === phase.acknowledgedEvents ? 'exactly the acknowledged events' : `DIFFERENCE ${stored - phase.acknowledgedEvents}`})`,
    );
  };

  try {
    for (const count of [MIN_EVENTS, 10_000, MAX_EVENTS]) await send(count);
    await jsm.streams.purge(names.stream);

    console.log(`saturation: ${SENDERS} senders for ${DURATION_S} s, each sending its next body when answered`);
    const plain = await saturate(() => send(nextSize()));
    const { phase: saturation, livenessFigures, stored } = plain;
    printSaturation('saturation', plain);

    let gzipped: Awaited<ReturnType<typeof saturate>> | undefined;
    if (GZIP) {
      // As many bodies as the plain phase sent, compressed beforehand so that the bench's own compressing does not
      // compete with the gateway for the cores; the phase ends when they run out, if it has not ended before.
      const bodies: PreparedBody[] = [];
      for (let i = 0; i < saturation.requests; i++) {
        const count = nextSize();
        bodies.push({ events: count, bytes: await gzipAsync(template.body(count)), encoding: 'gzip' });
      }
      await jsm.streams.purge(names.stream);
      console.log(`\nsaturation with gzip bodies: ${bodies.length} bodies compressed (level 6), the same senders`);
      gzipped = await saturate(() => {
        const body = bodies.shift();
        return body && post(body);
      });
      printSaturation('saturation, gzip', gzipped);
      printSideBySide('plain vs gzip, saturated', [
        ['plain', saturation],
        ['gzip', gzipped.phase],
      ]);
    }

    let twoInstances: Awaited<ReturnType<typeof saturate>> | undefined;
    if (TWO_INSTANCES) {
      const second = await startGateway(gatewayEnv);
      try {
        await jsm.streams.purge(names.stream);
        console.log(`\nsaturation with two gateways on the same streams: ${SENDERS} senders each`);
        twoInstances = await saturate((url) => send(nextSize(), url), [gateway, second]);
        printSaturation('saturation, two gateways', twoInstances);
        printSideBySide('one gateway vs two, saturated', [
          ['one', saturation],
          ['two', twoInstances.phase],
        ]);
      } finally {
        await second.stop();
      }
    }

    let paced: PhaseResult | undefined;
    if (PACED_S > 0) {
      await jsm.streams.purge(names.stream);
      console.log(
        `\npublisher pace: one body a second for ${PACED_S} s, not waiting for replies (like the real publisher)`,
      );
      paced = await measurePhase([gateway.pid], natsPid, async () => {
        const sends: Array<Promise<RequestSample>> = [];
        for (let second = 0; second < PACED_S; second++) {
          sends.push(send(nextSize()));
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        return Promise.all(sends);
      });
      printPhase('publisher pace', paced);
    }

    const fullBodyP99 = saturation.latency['50k body']?.p99Ms ?? Number.NaN;
    const results = {
      benchmark: 'gateway',
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        node: process.version,
        loadAverageBefore: loadBefore.map(round2),
        loadAverageAfter: loadavg().map(round2),
      },
      settings: {
        saturationSeconds: DURATION_S,
        senders: SENDERS,
        pacedSeconds: PACED_S,
        fullBodyShare: FULL_SHARE,
        bytesPerEvent: template.bytesPerEvent,
        nats: privateNats ? 'private nats-server' : natsUrl,
        ingestWorkers: process.env.INGEST_WORKERS ?? 'gateway default',
      },
      baselines: { parseValidateEventsPerSecondOneCore: parseValidate, messagingPublishMsgsPerSecond: leanPublish },
      saturation: {
        ...saturation,
        liveness: livenessFigures,
        streamEvents: stored,
        lossOrExcess: stored - saturation.acknowledgedEvents,
      },
      gzipSaturation: gzipped && {
        ...gzipped.phase,
        liveness: gzipped.livenessFigures,
        streamEvents: gzipped.stored,
        lossOrExcess: gzipped.stored - gzipped.phase.acknowledgedEvents,
      },
      twoInstancesSaturation: twoInstances && {
        ...twoInstances.phase,
        liveness: twoInstances.livenessFigures,
        streamEvents: twoInstances.stored,
        lossOrExcess: twoInstances.stored - twoInstances.phase.acknowledgedEvents,
      },
      publisherPace: paced,
      targets: { eventsPerSecond: TARGET_EVENTS_PER_SECOND, fullBodyP99Ms: TARGET_FULL_BODY_P99_MS },
      met: {
        eventsPerSecond: saturation.eventsPerSecond >= TARGET_EVENTS_PER_SECOND,
        fullBodyP99UnderSaturation: fullBodyP99 < TARGET_FULL_BODY_P99_MS,
        fullBodyP99AtPublisherPace: paced
          ? (paced.latency['50k body']?.p99Ms ?? Number.NaN) < TARGET_FULL_BODY_P99_MS
          : undefined,
      },
    };
    console.log(
      `\ntargets: ≥ ${TARGET_EVENTS_PER_SECOND} events/s: ${results.met.eventsPerSecond ? 'met' : 'NOT met'}; 50k body p99 < ${TARGET_FULL_BODY_P99_MS} ms under saturation: ${results.met.fullBodyP99UnderSaturation ? 'met' : 'NOT met'}${paced ? `, at publisher pace (${paced.latency['50k body']?.requests ?? 0} bodies of 50k): ${results.met.fullBodyP99AtPublisherPace ? 'met' : 'NOT met'}` : ''}`,
    );
    console.log(
      `load average before ${results.machine.loadAverageBefore.join(' ')}, after ${results.machine.loadAverageAfter.join(' ')} (${cpus().length} cores)`,
    );
    await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`results written to ${RESULTS_FILE}`);
  } finally {
    await agent.close();
    await gateway.stop();
    for (const stream of [
      names.stream,
      names.deadLetterStream,
      ingestionStreamName(names.stream),
      `${names.stream}_BASELINE`,
    ])
      await jsm.streams.delete(stream).catch(() => undefined);
    await nats.close();
    await privateNats?.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

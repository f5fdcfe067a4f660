/**
 * JetStream throughput: the messaging module against the stock nats.js calls, in the same run.
 *
 *   npm run bench:messaging          (BENCH_MESSAGES=200000 BENCH_RUNS=3 NATS_URL=nats://127.0.0.1:4222)
 *
 * Each run uses fresh streams (deleted afterwards): publish N ~420-byte events with unique message ids and a
 * correlation id header, every PubAck checked; then consume all N from a durable pull consumer, acking each.
 * Prints min/median/max msgs/s and writes bench/results/messaging.json.
 */
import { exitWithUsageOnHelp } from '@evp/config';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import {
  type ConsumedMessage,
  JetStreamConsumerRunner,
  JetStreamModule,
  type JetStreamModuleOptions,
  JetStreamPublisher,
  type MessageOutcome,
  type OutgoingMessage,
} from '@evp/messaging';
import { uniqueNames, type UniqueNames } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { headers, nanos } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { spread } from '../shared/sample.statistics';
import { renderTable } from '../shared/text.table';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Messages per publishMany call, like a gateway request of that many events. */
const CHUNK = Number(process.env.BENCH_CHUNK ?? 10_000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 2_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1_000);
/** The stock baseline awaits `js.publish()` promises in windows of this many. */
const STOCK_WINDOW = 1_000;
const RESULTS_FILE = join(__dirname, '..', 'results', 'messaging.json');

interface Sample {
  msgsPerSecond: number;
  /** CPU time of this process (user + system) per message. */
  cpuMicrosPerMessage: number;
}

interface Workload {
  subject: string;
  messages: OutgoingMessage[];
  averageBytes: number;
}

function workload(names: UniqueNames): Workload {
  const generator = new EventGenerator({ seed: 42 });
  const subject = `${names.subjectPrefix}.facebook`;
  let bytes = 0;
  const messages = Array.from({ length: MESSAGES }, (_, index): OutgoingMessage => {
    const data = Buffer.from(JSON.stringify(generator.next()));
    bytes += data.length;
    return {
      subject,
      data,
      msgId: `${names.id}-${index}`,
      correlationId: `request-${Math.floor(index / 1_000)}-${names.id}`,
    };
  });
  return { subject, messages, averageBytes: Math.round(bytes / MESSAGES) };
}

async function measure(messages: number, work: () => Promise<void>): Promise<Sample> {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    msgsPerSecond: Math.round(messages / seconds),
    cpuMicrosPerMessage: Number(((cpu.user + cpu.system) / messages).toFixed(2)),
  };
}

async function waitUntilConsumed(jsm: JetStreamManager, stream: string, durable: string): Promise<void> {
  for (;;) {
    const info = await jsm.consumers.info(stream, durable);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The module as an application uses it: JetStreamModule in a Nest context, JetStreamPublisher, a batch handler that acks. */
async function moduleRun(run: number): Promise<{ publish: Sample; consume: Sample; averageBytes: number }> {
  const names = uniqueNames(`bench-module-${run}`);
  const durable = names.durable('bench');
  const options: JetStreamModuleOptions = {
    servers: [NATS_URL],
    connectionName: 'bench-messaging',
    streams: [{ name: names.stream, subjects: [`${names.subjectPrefix}.>`] }],
    consumers: [{ stream: names.stream, durable, filterSubject: `${names.subjectPrefix}.>`, batchSize: BATCH }],
    deadLetter: { stream: names.deadLetterStream, subjectPrefix: names.deadLetterPrefix },
    inFlightWindow: WINDOW,
  };

  @Module({ imports: [JetStreamModule.forRoot(options)] })
  class BenchModule {}

  const context = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  const admin = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(admin);
  try {
    const { messages, averageBytes } = workload(names);
    const publisher = context.get(JetStreamPublisher);
    const publish = await measure(MESSAGES, async () => {
      for (let start = 0; start < messages.length; start += CHUNK) {
        const report = await publisher.publishMany(messages.slice(start, start + CHUNK));
        if (report.stored !== Math.min(CHUNK, messages.length - start))
          throw new Error(`expected every message stored: ${JSON.stringify(report)}`);
      }
    });

    const runner = context.get(JetStreamConsumerRunner);
    let consumed = 0;
    let allConsumed!: () => void;
    const done = new Promise<void>((resolve) => (allConsumed = resolve));
    const consume = await measure(MESSAGES, async () => {
      runner.register(durable, (batch: readonly ConsumedMessage[]): Promise<MessageOutcome[]> => {
        consumed += batch.length;
        if (consumed >= MESSAGES) allConsumed();
        return Promise.resolve(batch.map(() => ({ kind: 'ack' })));
      });
      await done;
      await waitUntilConsumed(jsm, names.stream, durable);
    });
    return { publish, consume, averageBytes };
  } finally {
    await context.close();
    for (const stream of [names.stream, names.deadLetterStream])
      await jsm.streams.delete(stream).catch(() => undefined);
    await admin.close();
  }
}

/** The stock client: `js.publish()` in awaited windows of 1,000, and `consumer.consume()` acking each message. */
async function stockRun(run: number): Promise<{ publish: Sample; consume: Sample }> {
  const names = uniqueNames(`bench-stock-${run}`);
  const durable = names.durable('bench');
  const nc = await connect({ servers: NATS_URL, name: 'bench-messaging-stock' });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  try {
    await jsm.streams.add({
      name: names.stream,
      subjects: [`${names.subjectPrefix}.>`],
      retention: 'workqueue',
      storage: 'file',
      discard: 'new',
      duplicate_window: nanos(120_000),
    });
    await jsm.consumers.add(names.stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${names.subjectPrefix}.>`,
      max_ack_pending: BATCH * 10,
    });
    const { messages } = workload(names);

    const publish = await measure(MESSAGES, async () => {
      for (let start = 0; start < messages.length; start += STOCK_WINDOW) {
        await Promise.all(
          messages.slice(start, start + STOCK_WINDOW).map((message) => {
            const messageHeaders = headers();
            messageHeaders.set(CORRELATION_ID_HEADER, message.correlationId!);
            return js.publish(message.subject, message.data, { msgID: message.msgId, headers: messageHeaders });
          }),
        );
      }
    });

    const consumer = await js.consumers.get(names.stream, durable);
    const consume = await measure(MESSAGES, async () => {
      const iterator = await consumer.consume({ max_messages: BATCH });
      let consumed = 0;
      for await (const message of iterator) {
        // Read what a handler needs, as the module does for every message.
        if (!message.headers?.get('Nats-Msg-Id')) throw new Error('message without id');
        message.ack();
        if (++consumed >= MESSAGES) break;
      }
      await nc.flush();
      await waitUntilConsumed(jsm, names.stream, durable);
    });
    return { publish, consume };
  } finally {
    await jsm.streams.delete(names.stream).catch(() => undefined);
    await nc.close();
  }
}

function summary(samples: Sample[]) {
  return {
    ...spread(samples.map((sample) => sample.msgsPerSecond)),
    cpuMicrosPerMessage: samples.map((sample) => sample.cpuMicrosPerMessage),
    runs: samples.map((sample) => sample.msgsPerSecond),
  };
}

const USAGE = `Usage: npm run bench:messaging
  JetStream throughput: the messaging module against the stock nats.js calls, on fresh streams deleted afterwards.
  Environment: BENCH_MESSAGES (200000), BENCH_RUNS (3), BENCH_CHUNK (10000), BENCH_WINDOW (2000), BENCH_BATCH (1000),
  NATS_URL (nats://127.0.0.1:4222). Writes bench/results/messaging.json.`;

async function main(): Promise<void> {
  exitWithUsageOnHelp(USAGE);
  const module = { publish: [] as Sample[], consume: [] as Sample[] };
  const stock = { publish: [] as Sample[], consume: [] as Sample[] };
  let averageBytes = 0;
  console.log(
    `messaging bench: ${MESSAGES} messages × ${RUNS} runs against ${NATS_URL} (window ${WINDOW}, chunk ${CHUNK}, batch ${BATCH})`,
  );
  // Alternating the two keeps a noisy neighbour from favouring one side.
  for (let run = 1; run <= RUNS; run++) {
    const ours = await moduleRun(run);
    module.publish.push(ours.publish);
    module.consume.push(ours.consume);
    averageBytes = ours.averageBytes;
    console.log(
      `run ${run} module: publish ${ours.publish.msgsPerSecond} msgs/s, consume ${ours.consume.msgsPerSecond} msgs/s`,
    );
    const theirs = await stockRun(run);
    stock.publish.push(theirs.publish);
    stock.consume.push(theirs.consume);
    console.log(
      `run ${run} stock:  publish ${theirs.publish.msgsPerSecond} msgs/s, consume ${theirs.consume.msgsPerSecond} msgs/s`,
    );
  }

  const results = {
    benchmark: 'messaging',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    natsUrl: NATS_URL,
    messages: MESSAGES,
    runs: RUNS,
    averagePayloadBytes: averageBytes,
    settings: { publishChunk: CHUNK, inFlightWindow: WINDOW, consumerBatch: BATCH, stockPublishWindow: STOCK_WINDOW },
    publish: { module: summary(module.publish), stock: summary(stock.publish) },
    consume: { module: summary(module.consume), stock: summary(stock.consume) },
  };
  const rows = [
    ['publish (PubAck checked)', 'module', results.publish.module],
    ['publish (PubAck checked)', 'stock js.publish()', results.publish.stock],
    ['consume (ack each)', 'module', results.consume.module],
    ['consume (ack each)', 'stock consume()', results.consume.stock],
  ] as const;
  console.log(`\n${MESSAGES} messages of ~${averageBytes} bytes, msgs/s over ${RUNS} runs`);
  const table = rows.map(([stage, client, figures]) => [
    stage,
    client,
    ...[figures.min, figures.median, figures.max].map(String),
    spread(figures.cpuMicrosPerMessage).median.toFixed(2),
  ]);
  const header = ['stage', 'client', 'min', 'median', 'max', 'cpu µs/msg'];
  console.log(renderTable([header, ...table], { align: ['left', 'left', 'right', 'right', 'right', 'right'] }));
  await mkdir(join(__dirname, '..', 'results'), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${RESULTS_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

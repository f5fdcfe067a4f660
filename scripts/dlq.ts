/**
 * The dead-letter stream, for people: what was dead-lettered and why, and re-publishing chosen letters once
 * the cause is fixed.
 *
 *   npm run dlq -- list   [--origin gateway|fb-collector|ttk-collector] [--limit N]
 *   npm run dlq -- replay (--seq 12,13,20-25 | --all [--origin …]) [--dry-run]
 *
 * `list` prints the latest N letters (default 100): stream sequence, time, origin, event id, correlation id and
 * reason. `replay` publishes each chosen letter's original payload to its original subject, with its original
 * message id and correlation id, through the messaging module's publisher (every PubAck checked), and reports
 * what was replayed. The letters stay in the stream. A letter replayed while the original message id is still
 * inside the events stream's duplicate window is dropped by the broker as a duplicate, and reported as such;
 * letters without an original subject to go back to (a gateway reject whose source was unknown) are skipped.
 *
 * Environment: NATS_URL (nats://127.0.0.1:4222), DEAD_LETTER_STREAM (EVENTS_DLQ), DEAD_LETTER_SUBJECT_PREFIX (dlq).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import {
  CORRELATION_ID_HEADER,
  DEAD_LETTER_STREAM,
  DEAD_LETTER_SUBJECT_PREFIX,
  deadLetterSubject,
} from '@evp/contracts';
import {
  DEAD_LETTER_ORIGIN_HEADER,
  DEAD_LETTER_REASON_HEADER,
  JetStreamConnection,
  JetStreamModule,
  JetStreamPublisher,
  ORIGINAL_MSG_ID_HEADER,
  ORIGINAL_SUBJECT_HEADER,
  type OutgoingMessage,
} from '@evp/messaging';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const USAGE = `Usage:
  npm run dlq -- list   [--origin gateway|fb-collector|ttk-collector] [--limit N]
  npm run dlq -- replay (--seq 12,13,20-25 | --all [--origin ORIGIN]) [--dry-run]
Environment: NATS_URL, DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT_PREFIX (see .env.example).`;

/** A usage mistake: printed with the usage text, exit code 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'DLQ.USAGE';
}

/** One letter of the dead-letter stream. */
interface DeadLetterRecord {
  seq: number;
  time: Date;
  origin: string;
  reason: string;
  eventId: string | undefined;
  correlationId: string | undefined;
  originalSubject: string | undefined;
  data: Uint8Array;
}

interface Settings {
  natsUrl: string[];
  stream: string;
  prefix: string;
}

function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  return {
    natsUrl: (env.NATS_URL ?? 'nats://127.0.0.1:4222').split(',').map((url) => url.trim()),
    stream: env.DEAD_LETTER_STREAM ?? DEAD_LETTER_STREAM,
    prefix: env.DEAD_LETTER_SUBJECT_PREFIX ?? DEAD_LETTER_SUBJECT_PREFIX,
  };
}

function recordOf(
  seq: number,
  time: Date,
  subject: string,
  header: MsgHdrs | undefined,
  data: Uint8Array,
  prefix: string,
): DeadLetterRecord {
  const get = (name: string) => (header?.has(name) ? header.get(name) : undefined);
  return {
    seq,
    time,
    origin: get(DEAD_LETTER_ORIGIN_HEADER) ?? subject.slice(prefix.length + 1),
    reason: get(DEAD_LETTER_REASON_HEADER) ?? '(no reason recorded)',
    eventId: get(ORIGINAL_MSG_ID_HEADER),
    correlationId: get(CORRELATION_ID_HEADER),
    originalSubject: get(ORIGINAL_SUBJECT_HEADER),
    data,
  };
}

/** Reads the dead-letter stream with the NATS client: the messaging module publishes letters but has no reader. */
class DeadLetterReader {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly settings: Settings,
  ) {}

  /** Letters of one origin, or all, oldest first, through an ordered consumer (one pass, no per-message request). */
  async *all(origin: string | undefined): AsyncGenerator<DeadLetterRecord> {
    const subject =
      origin === undefined ? `${this.settings.prefix}.>` : deadLetterSubject(origin, this.settings.prefix);
    if ((await this.count(subject)) === 0) return;
    const consumer = await this.js.consumers.get(this.settings.stream, { filter_subjects: subject });
    const messages = await consumer.consume();
    try {
      for await (const message of messages) {
        const { streamSequence, timestampNanos, pending } = message.info;
        yield recordOf(
          streamSequence,
          new Date(timestampNanos / 1e6),
          message.subject,
          message.headers,
          message.data,
          this.settings.prefix,
        );
        if (pending === 0) break;
      }
    } finally {
      messages.stop();
    }
  }

  /** Letters by stream sequence; a sequence with no letter (deleted, aged out) is reported missing. */
  async bySequence(sequences: readonly number[]): Promise<{ found: DeadLetterRecord[]; missing: number[] }> {
    const found: DeadLetterRecord[] = [];
    const missing: number[] = [];
    for (const seq of sequences) {
      const stored = await this.jsm.streams.getMessage(this.settings.stream, { seq }).catch(() => null);
      if (stored === null) missing.push(seq);
      else
        found.push(recordOf(stored.seq, stored.time, stored.subject, stored.header, stored.data, this.settings.prefix));
    }
    return { found, missing };
  }

  async count(subject: string): Promise<number> {
    const info = await this.jsm.streams.info(this.settings.stream, { subjects_filter: subject });
    return Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
  }
}

/** `12,13,20-25` → [12, 13, 20, 21, 22, 23, 24, 25] */
function parseSequences(text: string): number[] {
  const sequences: number[] = [];
  for (const part of text.split(',').map((item) => item.trim())) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (range === null) throw new UsageError(`--seq: "${part}" is not a sequence number or a range like 20-25`);
    const first = Number(range[1]);
    const last = Number(range[2] ?? range[1]);
    if (first < 1 || last < first) throw new UsageError(`--seq: "${part}" is not a valid range`);
    for (let seq = first; seq <= last; seq++) sequences.push(seq);
  }
  return sequences;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '),
    )
    .join('\n');
}

async function list(
  reader: DeadLetterReader,
  settings: Settings,
  origin: string | undefined,
  limit: number,
): Promise<void> {
  const latest: DeadLetterRecord[] = [];
  let total = 0;
  for await (const letter of reader.all(origin)) {
    total++;
    latest.push(letter);
    if (latest.length > limit) latest.shift();
  }
  const scope = origin === undefined ? '' : ` from ${origin}`;
  if (total === 0) {
    console.log(`no dead letters${scope} in ${settings.stream}`);
    return;
  }
  console.log(
    `${total} dead letters${scope} in ${settings.stream}${total > latest.length ? `, the latest ${latest.length}` : ''}:\n`,
  );
  const header = ['SEQ', 'TIME', 'ORIGIN', 'EVENT ID', 'CORRELATION ID', 'REASON'];
  const rows = latest.map((letter) => [
    String(letter.seq),
    letter.time.toISOString(),
    letter.origin,
    letter.eventId ?? '-',
    letter.correlationId ?? '-',
    letter.reason,
  ]);
  console.log(table([header, ...rows]));
}

async function replay(
  context: INestApplicationContext,
  reader: DeadLetterReader,
  settings: Settings,
  selection: { sequences?: number[]; origin?: string },
  dryRun: boolean,
): Promise<void> {
  let letters: DeadLetterRecord[];
  if (selection.sequences !== undefined) {
    const { found, missing } = await reader.bySequence(selection.sequences);
    for (const seq of missing) console.log(`seq ${seq}: no such letter in ${settings.stream}`);
    letters = selection.origin === undefined ? found : found.filter((letter) => letter.origin === selection.origin);
  } else {
    letters = [];
    for await (const letter of reader.all(selection.origin)) letters.push(letter);
  }

  const messages: OutgoingMessage[] = [];
  const replayed: DeadLetterRecord[] = [];
  for (const letter of letters) {
    const target = letter.originalSubject;
    if (target === undefined || target.startsWith(`${settings.prefix}.`)) {
      console.log(`seq ${letter.seq}: skipped, no original subject to replay to (${letter.reason})`);
      continue;
    }
    replayed.push(letter);
    messages.push({ subject: target, data: letter.data, msgId: letter.eventId, correlationId: letter.correlationId });
  }
  for (const letter of replayed) {
    console.log(
      `seq ${letter.seq}: ${dryRun ? 'would replay' : 'replaying'} event ${letter.eventId ?? '(no id)'} to ${letter.originalSubject ?? ''} (correlation id ${letter.correlationId ?? '-'})`,
    );
  }
  if (dryRun || messages.length === 0) {
    console.log(
      `${dryRun ? 'dry run: ' : ''}${messages.length} of ${letters.length} letters ${dryRun ? 'would be' : 'were'} replayed`,
    );
    return;
  }
  const report = await context.get(JetStreamPublisher).publishMany(messages);
  console.log(
    `replayed ${messages.length} of ${letters.length} letters: ${report.stored} stored in the events stream, ` +
      `${report.duplicates} dropped by it as duplicates (same message id within its duplicate window; replay again once it has passed)`,
  );
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'list' && command !== 'replay')
    throw new UsageError(command === undefined ? 'a command is required' : `unknown command "${command}"`);
  const { values } = parseArgs({
    args: rest,
    options: {
      origin: { type: 'string' },
      limit: { type: 'string' },
      seq: { type: 'string' },
      all: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const settings = settingsFromEnv(process.env);
  const limit = Number(values.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a positive integer, got "${values.limit}"`);
  if (command === 'replay' && (values.seq === undefined) === !values.all)
    throw new UsageError('replay needs either --seq or --all');
  const sequences = values.seq === undefined ? undefined : parseSequences(values.seq);

  const context = await NestFactory.createApplicationContext(
    JetStreamModule.forRoot({
      servers: settings.natsUrl,
      connectionName: 'evp-dlq',
      deadLetter: { stream: settings.stream, subjectPrefix: settings.prefix, provision: false },
    }),
    { logger: ['error', 'warn'] },
  );
  try {
    const { js, jsm } = context.get(JetStreamConnection);
    const reader = new DeadLetterReader(js, jsm, settings);
    if (command === 'list') await list(reader, settings, values.origin, limit);
    else await replay(context, reader, settings, { sequences, origin: values.origin }, values['dry-run']);
  } finally {
    await context.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

/**
 * The dead-letter stream, for people: what was dead-lettered and why, one letter whole, re-publishing chosen
 * letters once the cause is fixed, and deleting those that were stored again. `dlq --help` lists the commands.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { JetStreamConnection, JetStreamModule, JetStreamPublisher } from '@evp/messaging';
import { terminalProgress } from '@evp/observability';
import { NestFactory } from '@nestjs/core';
import { DeadLetterReader } from './dead-letter.reader';
import { type DlqConfig, loadDlqConfig } from './dlq.config';
import { DLQ_COMMANDS, DLQ_USAGE, type DlqCommand, parseSequences, UsageError } from './dlq.usage';
import { listCommand } from './list.command';
import { purgeReplayedCommand } from './purge.command';
import { replayCommand } from './replay.command';
import { ReplayedLedger } from './replayed.ledger';
import { showCommand } from './show.command';

const OPTIONS = {
  origin: { type: 'string' },
  limit: { type: 'string' },
  seq: { type: 'string' },
  all: { type: 'boolean', default: false },
  replayed: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Which options each command takes; any other is a usage mistake. */
const ACCEPTED: Record<DlqCommand, ReadonlyArray<keyof typeof OPTIONS>> = {
  list: ['origin', 'limit', 'json'],
  show: ['json'],
  replay: ['seq', 'all', 'origin', 'dry-run', 'json'],
  purge: ['replayed', 'dry-run', 'json'],
};

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[], command: DlqCommand | undefined) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}

function commandOf(word: string | undefined): DlqCommand | undefined {
  return DLQ_COMMANDS.find((command) => command === word);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const command = commandOf(args[0]);
  const { values, positionals, tokens } = parse(command === undefined ? args : args.slice(1), command);
  if (values.help || args[0] === 'help') {
    console.log(DLQ_USAGE[commandOf(args[1]) ?? command ?? 'dlq']);
    return 0;
  }
  if (command === undefined)
    throw new UsageError(args[0] === undefined ? 'a command is required' : `unknown command "${args[0]}"`, undefined);
  const accepted: readonly string[] = ACCEPTED[command];
  for (const token of tokens) {
    if (token.kind === 'option' && !accepted.includes(token.name))
      throw new UsageError(`${command} takes no --${token.name}`, command);
  }
  if (command !== 'show' && positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"`, command);
  await run(command, values, positionals, loadDlqConfig());
  return 0;
}

async function run(command: DlqCommand, values: Values, positionals: string[], config: DlqConfig): Promise<void> {
  const limit = Number(values.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a positive integer, got "${values.limit}"`, command);
  if (command === 'show' && (positionals.length !== 1 || !/^[1-9]\d*$/.test(positionals[0] ?? '')))
    throw new UsageError('show needs one stream sequence number, e.g. dlq show 12', command);
  if (command === 'replay' && (values.seq === undefined) === !values.all)
    throw new UsageError('replay needs either --seq or --all', command);
  if (command === 'purge' && !values.replayed)
    throw new UsageError('purge needs --replayed: only letters a replay stored again may be deleted', command);
  const sequences = values.seq === undefined ? undefined : parseSequences(values.seq);

  const context = await NestFactory.createApplicationContext(
    JetStreamModule.forRoot({
      servers: config.natsUrl,
      auth: config.auth,
      connectionName: 'evp-dlq',
      deadLetter: { stream: config.stream, subjectPrefix: config.prefix, provision: false },
    }),
    { logger: ['error', 'warn'] },
  );
  const out = (text: string) => console.log(text);
  try {
    const { js, jsm } = context.get(JetStreamConnection);
    const reader = new DeadLetterReader(jsm, config);
    const ledger = new ReplayedLedger(js, jsm, config.replayedStream);
    const json = values.json;
    if (command === 'list') await listCommand(reader, config.stream, { origin: values.origin, limit, json }, out);
    else if (command === 'show') await showCommand(reader, config.stream, { seq: Number(positionals[0]), json }, out);
    else if (command === 'purge')
      await purgeReplayedCommand({ jsm, ledger, stream: config.stream }, { dryRun: values['dry-run'], json }, out);
    else {
      const progress = terminalProgress('replaying', 'letters', { quiet: json });
      try {
        await replayCommand(
          {
            reader,
            publisher: context.get(JetStreamPublisher),
            ledger,
            stream: config.stream,
            prefix: config.prefix,
            onPublished: progress.update,
          },
          { sequences, origin: values.origin, dryRun: values['dry-run'], json },
          out,
        );
      } finally {
        progress.stop();
      }
    }
  } finally {
    await context.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${DLQ_USAGE[error.command ?? 'dlq']}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

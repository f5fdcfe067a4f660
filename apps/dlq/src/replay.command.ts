import type { JetStreamPublisher } from '@evp/messaging';
import type { DeadLetterReader } from './dead-letter.reader';
import type { DeadLetterRecord } from './dead-letter.record';
import type { ReplayedLedger } from './replayed.ledger';

export interface ReplayOptions {
  /** Chosen sequences; undefined for every letter (of `origin`). */
  sequences: number[] | undefined;
  origin: string | undefined;
  dryRun: boolean;
  json: boolean;
}

/** What a replay did, by letter sequence. */
export interface ReplayOutcome {
  replayed: number[];
  duplicates: number[];
  skipped: Array<{ seq: number; reason: string }>;
  missing: number[];
}

export interface ReplayDependencies {
  reader: DeadLetterReader;
  publisher: JetStreamPublisher;
  ledger: ReplayedLedger;
  stream: string;
  prefix: string;
  /** Called after each letter published, for a progress bar. */
  onPublished?: (done: number, total: number) => void;
}

export async function replayCommand(
  dependencies: ReplayDependencies,
  options: ReplayOptions,
  out: (text: string) => void,
): Promise<void> {
  const { reader, stream, prefix } = dependencies;
  const outcome: ReplayOutcome = { replayed: [], duplicates: [], skipped: [], missing: [] };
  let letters: DeadLetterRecord[];
  if (options.sequences === undefined) {
    letters = [];
    for await (const letter of reader.all(options.origin)) letters.push(letter);
  } else {
    const { found, missing } = await reader.bySequence(options.sequences);
    outcome.missing = missing;
    letters = options.origin === undefined ? found : found.filter((letter) => letter.origin === options.origin);
  }

  const chosen: DeadLetterRecord[] = [];
  for (const letter of letters) {
    const target = letter.originalSubject;
    if (target === undefined || target.startsWith(`${prefix}.`)) {
      outcome.skipped.push({ seq: letter.seq, reason: `no original subject to replay to (${letter.reason})` });
    } else chosen.push(letter);
  }

  const say = (line: string) => {
    if (!options.json) out(line);
  };
  for (const seq of outcome.missing) say(`seq ${seq}: no such letter in ${stream}`);
  for (const { seq, reason } of outcome.skipped) say(`seq ${seq}: skipped, ${reason}`);
  if (options.dryRun) {
    for (const letter of chosen) say(`seq ${letter.seq}: would replay ${describe(letter)}`);
    if (options.json)
      out(JSON.stringify({ ...outcome, replayed: chosen.map((letter) => letter.seq), dryRun: true }, null, 2));
    else out(`dry run: ${chosen.length} of ${letters.length} letters would be replayed`);
    return;
  }

  await publishEach(dependencies, chosen, outcome);
  await dependencies.ledger.record(
    chosen
      .filter((letter) => outcome.replayed.includes(letter.seq))
      .map((letter) => ({ seq: letter.seq, eventId: letter.eventId, replayedAt: new Date().toISOString() })),
  );
  if (options.json) {
    out(JSON.stringify(outcome, null, 2));
    return;
  }
  for (const letter of chosen) {
    const fate = outcome.duplicates.includes(letter.seq) ? 'dropped as a duplicate' : 'replayed';
    say(`seq ${letter.seq}: ${fate}: ${describe(letter)}`);
  }
  out(
    `replayed ${chosen.length} of ${letters.length} letters: ${outcome.replayed.length} stored in the events stream, ` +
      `${outcome.duplicates.length} dropped by it as duplicates (same message id within its duplicate window; replay again once it has passed)`,
  );
}

/** One at a time, so each letter's own PubAck says whether it was stored or was a duplicate. */
async function publishEach(
  { publisher, onPublished }: ReplayDependencies,
  letters: readonly DeadLetterRecord[],
  outcome: ReplayOutcome,
): Promise<void> {
  for (const [index, letter] of letters.entries()) {
    const report = await publisher.publish({
      subject: letter.originalSubject ?? '',
      data: letter.data,
      msgId: letter.eventId,
      correlationId: letter.correlationId,
    });
    (report.duplicates > 0 ? outcome.duplicates : outcome.replayed).push(letter.seq);
    onPublished?.(index + 1, letters.length);
  }
}

function describe(letter: DeadLetterRecord): string {
  return `event ${letter.eventId ?? '(no id)'} to ${letter.originalSubject ?? ''} (correlation id ${letter.correlationId ?? '-'})`;
}

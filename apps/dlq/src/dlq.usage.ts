/** A usage mistake: printed with the command's usage text, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'DLQ.USAGE';

  constructor(
    message: string,
    readonly command: DlqCommand | undefined,
  ) {
    super(message);
  }
}

export const DLQ_COMMANDS = ['list', 'show', 'replay', 'purge'] as const;
export type DlqCommand = (typeof DLQ_COMMANDS)[number];

const ENVIRONMENT = `Environment: NATS_URL, DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT_PREFIX, DLQ_REPLAYED_STREAM (see .env.example).`;

export const DLQ_USAGE: Record<DlqCommand | 'dlq', string> = {
  dlq: `Usage: dlq <command> [options]    (npm run dlq -- …, or docker compose run --rm dlq …)
Commands:
  list     the newest letters: sequence, time, origin, event id, correlation id, reason
  show     one letter whole: headers and payload
  replay   publish chosen letters' payloads to their original subjects again
  purge    delete the letters a replay stored again
Every command takes --json (machine-readable output) and --help.
${ENVIRONMENT}`,
  list: `Usage: dlq list [--origin ORIGIN] [--limit N] [--json]
  The newest N letters (default 100), oldest of them first; reads only those, backwards from the stream's last sequence.
  --origin ORIGIN   only letters from gateway, fb-collector, ttk-collector (or a durable's name)
  --limit N         how many (default 100)
  --json            {"stream", "total", "letters": [...]} instead of a table`,
  show: `Usage: dlq show <seq> [--json]
  One letter: its stream sequence, time, subject, origin, reason, every header and the payload.
  --json            the letter as one JSON object (payload as text)`,
  replay: `Usage: dlq replay (--seq 12,13,20-25 | --all [--origin ORIGIN]) [--dry-run] [--json]
  Publishes each chosen letter's original payload to its original subject with its original message id and
  correlation id; every PubAck is checked. Letters stay in the stream (purge --replayed removes those stored again).
  A letter whose message id is still inside the events stream's duplicate window is dropped by the broker as a
  duplicate and reported so; a letter with no original subject (a gateway reject of an unknown source) is skipped.
  --seq LIST        sequences and ranges
  --all             every letter (of --origin, if given)
  --dry-run         only say what would be replayed
  --json            {"replayed", "duplicates", "skipped", "missing"} (sequences)`,
  purge: `Usage: dlq purge --replayed [--dry-run] [--json]
  Deletes from the dead-letter stream the letters replay stored again in the events stream (recorded in
  DLQ_REPLAYED_STREAM), and forgets them. Letters never replayed, or dropped as duplicates, stay.
  --replayed        required: the only letters purge may delete
  --dry-run         only say what would be deleted
  --json            {"purged", "alreadyGone"} (sequences)`,
};

/** `12,13,20-25` → [12, 13, 20, 21, 22, 23, 24, 25] */
export function parseSequences(text: string): number[] {
  const sequences: number[] = [];
  for (const part of text.split(',').map((item) => item.trim())) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (range === null)
      throw new UsageError(`--seq: "${part}" is not a sequence number or a range like 20-25`, 'replay');
    const first = Number(range[1]);
    const last = Number(range[2] ?? range[1]);
    if (first < 1 || last < first) throw new UsageError(`--seq: "${part}" is not a valid range`, 'replay');
    for (let seq = first; seq <= last; seq++) sequences.push(seq);
  }
  return sequences;
}

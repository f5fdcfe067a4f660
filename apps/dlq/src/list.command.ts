import type { DeadLetterReader } from './dead-letter.reader';
import { jsonOf } from './dead-letter.record';
import { textTable } from './text.table';

export interface ListOptions {
  origin: string | undefined;
  limit: number;
  json: boolean;
}

export async function listCommand(
  reader: DeadLetterReader,
  stream: string,
  options: ListOptions,
  out: (text: string) => void,
): Promise<void> {
  const { letters, total } = await reader.newest(options.limit, options.origin);
  if (options.json) {
    out(JSON.stringify({ stream, total, letters: letters.map((letter) => jsonOf(letter, false)) }, null, 2));
    return;
  }
  const scope = options.origin === undefined ? '' : ` from ${options.origin}`;
  if (total === 0) {
    out(`no dead letters${scope} in ${stream}`);
    return;
  }
  const latest = total > letters.length ? `, the latest ${letters.length}` : '';
  out(`${total} dead letters${scope} in ${stream}${latest}:\n`);
  const header = ['SEQ', 'TIME', 'ORIGIN', 'EVENT ID', 'CORRELATION ID', 'REASON'];
  const rows = letters.map((letter) => [
    String(letter.seq),
    letter.time.toISOString(),
    letter.origin,
    letter.eventId ?? '-',
    letter.correlationId ?? '-',
    letter.reason,
  ]);
  out(textTable([header, ...rows]));
}

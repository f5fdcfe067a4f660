import type { DeadLetterReader } from './dead-letter.reader';
import { jsonOf } from './dead-letter.record';
import { textTable } from './text.table';

/** Thrown when the sequence holds no letter: exit code 1 with the message. */
export class LetterNotFoundError extends Error {
  override readonly name = 'LetterNotFoundError';
  readonly code = 'DLQ.NOT_FOUND';
}

export async function showCommand(
  reader: DeadLetterReader,
  stream: string,
  options: { seq: number; json: boolean },
  out: (text: string) => void,
): Promise<void> {
  const letter = await reader.one(options.seq);
  if (letter === undefined) throw new LetterNotFoundError(`seq ${options.seq}: no such letter in ${stream}`);
  if (options.json) {
    out(JSON.stringify(jsonOf(letter, true), null, 2));
    return;
  }
  out(
    textTable([
      ['seq', String(letter.seq)],
      ['time', letter.time.toISOString()],
      ['subject', letter.subject],
      ['origin', letter.origin],
      ['reason', letter.reason],
      ['event id', letter.eventId ?? '-'],
      ['correlation id', letter.correlationId ?? '-'],
      ['original subject', letter.originalSubject ?? '-'],
    ]),
  );
  out(`\nheaders:\n${textTable(Object.entries(letter.headers).map(([name, value]) => [`  ${name}`, value]))}`);
  out(`\npayload (${letter.data.byteLength} bytes):\n${readablePayload(letter.data)}`);
}

/** Indented JSON when the payload is JSON, else the text as it is. */
function readablePayload(data: Uint8Array): string {
  const text = Buffer.from(data).toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

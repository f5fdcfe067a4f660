/** A progress line of the emulator: its totals so far. */
export interface PublisherProgress {
  /** Seconds since the emulator started, by its own clock. */
  elapsedSeconds: number;
  /** Every element sent so far: new events, duplicates, corrupted ones. */
  sent: number;
  /** Elements of batches answered 2xx so far. */
  acknowledged: number;
}

/** A request line of the emulator (`--log-requests true`): one body and its answer. */
export interface PublisherReply {
  events: number;
  /** HTTP status; undefined when no reply came (timeout, connection error). */
  status: number | undefined;
  /** From sending the body until the reply (or until giving up). */
  elapsedMs: number;
}

const PROGRESS = /^progress (\d+(?:\.\d+)?)s: sent ([\d,]+) events .*, accepted ([\d,]+) \(2xx\)/;
const REPLY = /^batch #\d+: sent ([\d,]+) events \([^)]*\) -> (?:(\d{3}) in (\d+) ms|no reply after (\d+) ms)/;

const count = (text: string) => Number(text.replaceAll(',', ''));

/**
 * Reads a progress line (`--progress-interval-ms`). The emulator's summary holds the same totals for the whole run
 * only; its progress lines are the way to follow a run while it lasts.
 */
export function parsePublisherProgress(line: string): PublisherProgress | undefined {
  const match = PROGRESS.exec(line);
  if (!match) return undefined;
  return { elapsedSeconds: Number(match[1]), sent: count(match[2] as string), acknowledged: count(match[3] as string) };
}

/** Reads a request line: the reply times of a run interval by interval, which the summary only gives for the whole run. */
export function parsePublisherReply(line: string): PublisherReply | undefined {
  const match = REPLY.exec(line);
  if (!match) return undefined;
  return {
    events: count(match[1] as string),
    status: match[2] === undefined ? undefined : Number(match[2]),
    elapsedMs: Number(match[3] ?? match[4]),
  };
}

import { Presets, SingleBar } from 'cli-progress';

/** A progress bar for long work of a command-line tool: `update(done, total)` as it goes, `stop()` at the end. */
export interface TerminalProgress {
  update: (done: number, total: number) => void;
  stop: () => void;
  /** Whether a bar is drawn at all (on a terminal, not quiet): callers print their own lines otherwise. */
  drawn: boolean;
}

const SILENT: TerminalProgress = { update: () => undefined, stop: () => undefined, drawn: false };

/**
 * A bar with the count, rate and ETA on stderr, drawn only when stderr is a terminal (a pipe or a log file gets
 * nothing, so output stays parseable). `quiet` turns it off, e.g. for `--json`.
 * @param unit what is counted, e.g. `letters`, `events`
 */
export function terminalProgress(
  label: string,
  unit: string,
  { quiet = false, stream = process.stderr }: { quiet?: boolean; stream?: NodeJS.WriteStream } = {},
): TerminalProgress {
  if (quiet || !stream.isTTY) return SILENT;
  const bar = new SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
      etaBuffer: 50,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    drawn: true,
    update: (done, total) => {
      const rate = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
      if (!running) {
        bar.start(total, done, { rate });
        running = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { rate });
      }
    },
    stop: () => {
      if (running) bar.stop();
    },
  };
}

import { readFile } from 'node:fs/promises';

/** /proc reports CPU times in clock ticks of USER_HZ, which the kernel's ABI fixes at 100 per second. */
const TICKS_PER_SECOND = 100;

/** What `/proc/<pid>/stat` says about a process. */
export interface ProcessStat {
  ppid: number;
  /** Clock ticks after boot when the process started: with the pid, it tells a process from a later one given the same pid. */
  startTicks: number;
  /** User plus system CPU seconds the process (every thread of it) has used so far. */
  cpuSeconds: number;
}

/** Resident memory of a process, from `/proc/<pid>/smaps_rollup`. */
export interface ProcessMemory {
  rssBytes: number;
  /**
   * Proportional set size: each shared page divided among the processes that map it. Summed over PostgreSQL's
   * processes it counts the shared buffers once, where a sum of RSS counts them again for every backend.
   */
  pssBytes: number;
}

/** The process's CPU figures, or undefined when it has ended (or never existed). */
export async function readProcessStat(pid: number): Promise<ProcessStat | undefined> {
  const text = await readProcFile(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses, so the fields are counted from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(fields[1]),
    startTicks: Number(fields[19]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
  };
}

/** The process's resident memory, or undefined when it has ended. */
export async function readProcessMemory(pid: number): Promise<ProcessMemory | undefined> {
  const text = await readProcFile(`/proc/${pid}/smaps_rollup`);
  if (text === undefined) return undefined;
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssBytes: kilobytes('Rss') * 1024, pssBytes: kilobytes('Pss') * 1024 };
}

async function readProcFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    // The process ended between being listed and being read.
    return undefined;
  }
}

import { readProcessMemory, readProcessStat } from './process-stat.reader';

/** Processes accounted together under one name, e.g. every PostgreSQL process serving a run. */
export interface ProcessGroup {
  name: string;
  /** The group's processes now; asked before every reading, so backends that come and go are followed. */
  pids(): Promise<readonly number[]>;
}

/** One reading of a group. */
export interface ProcessGroupReading {
  /** Processes alive at this reading. */
  processes: number;
  /**
   * User plus system CPU seconds of every process the meter has seen in the group, each from its start: a
   * difference between two readings is the CPU the group used between them, processes started meanwhile included.
   */
  cpuSeconds: number;
  /** Summed over the processes alive now. */
  rssBytes: number;
  /** Summed over the processes alive now (see `ProcessMemory.pssBytes`). */
  pssBytes: number;
}

/** CPU and memory of groups of processes, read from /proc. */
export class ProcessGroupMeter {
  /** Last CPU seconds seen per process (`pid@start`), per group. */
  private readonly cpuSeen = new Map<string, Map<string, number>>();

  constructor(readonly groups: readonly ProcessGroup[]) {}

  async read(): Promise<Record<string, ProcessGroupReading>> {
    const readings = await Promise.all(this.groups.map((group) => this.readGroup(group)));
    return Object.fromEntries(this.groups.map((group, index) => [group.name, readings[index] as ProcessGroupReading]));
  }

  private async readGroup(group: ProcessGroup): Promise<ProcessGroupReading> {
    const seen = this.cpuSeen.get(group.name) ?? new Map<string, number>();
    this.cpuSeen.set(group.name, seen);
    const reading: ProcessGroupReading = { processes: 0, cpuSeconds: 0, rssBytes: 0, pssBytes: 0 };
    const pids = await group.pids();
    const processes = await Promise.all(
      pids.map(async (pid) => ({ pid, stat: await readProcessStat(pid), memory: await readProcessMemory(pid) })),
    );
    for (const { pid, stat, memory } of processes) {
      if (!stat) continue;
      const key = `${pid}@${stat.startTicks}`;
      seen.set(key, Math.max(seen.get(key) ?? 0, stat.cpuSeconds));
      reading.processes += 1;
      reading.rssBytes += memory?.rssBytes ?? 0;
      reading.pssBytes += memory?.pssBytes ?? 0;
    }
    // A process that has ended keeps its last reading, so the group's CPU never drops when a backend exits; what it
    // used after that reading goes uncounted.
    for (const cpuSeconds of seen.values()) reading.cpuSeconds += cpuSeconds;
    return reading;
  }
}

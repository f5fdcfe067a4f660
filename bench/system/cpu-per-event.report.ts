import { round } from '../shared/number.format';
import { type SystemObservation } from './system.observation';

/** Issue 16: the whole pipeline, every process counted, may spend this much CPU per stored event. */
export const CPU_TARGET_MICROS_PER_EVENT = 60;

/** CPU the system's processes spent between two observations, per event stored between them. */
export interface CpuPerStoredEvent {
  storedEvents: number;
  seconds: number;
  /** µs of CPU per stored event, by process group. */
  microsByProcess: Record<string, number>;
  /** Cores each process group kept busy on average. */
  coresByProcess: Record<string, number>;
  /** µs of CPU per stored event, every process group together. */
  totalMicros: number;
}

export function cpuPerStoredEvent(from: SystemObservation, to: SystemObservation): CpuPerStoredEvent {
  const storedEvents = to.stored - from.stored;
  const seconds = (to.atMs - from.atMs) / 1000;
  const cpuSeconds = Object.fromEntries(
    Object.entries(to.processes).map(([name, reading]) => [
      name,
      reading.cpuSeconds - (from.processes[name]?.cpuSeconds ?? 0),
    ]),
  );
  const micros = (cpu: number) => (storedEvents > 0 ? round((cpu * 1e6) / storedEvents, 1) : Number.NaN);
  const total = Object.values(cpuSeconds).reduce((sum, cpu) => sum + cpu, 0);
  return {
    storedEvents,
    seconds: round(seconds, 1),
    microsByProcess: mapValues(cpuSeconds, micros),
    coresByProcess: mapValues(cpuSeconds, (cpu) => (seconds > 0 ? round(cpu / seconds, 2) : 0)),
    totalMicros: micros(total),
  };
}

/** Rows of the per-stage table (header first): µs per stored event by process group, one column per stretch. */
export function cpuTableRows(
  columns: ReadonlyArray<{ title: string; figures: CpuPerStoredEvent }>,
): Array<[string, ...string[]]> {
  const groups = [...new Set(columns.flatMap(({ figures }) => Object.keys(figures.microsByProcess)))];
  return [
    ['CPU per stored event (µs), cores busy', ...columns.map(({ title }) => title)],
    ...groups.map((group): [string, ...string[]] => [
      group,
      ...columns.map(
        ({ figures }) =>
          `${figures.microsByProcess[group]?.toFixed(1) ?? '-'} (${figures.coresByProcess[group]?.toFixed(2) ?? '-'})`,
      ),
    ]),
    ['total', ...columns.map(({ figures }) => figures.totalMicros.toFixed(1))],
    ['stored events', ...columns.map(({ figures }) => figures.storedEvents.toLocaleString('en-US'))],
  ];
}

/** The line issue 16 asks for: the figure against its target. */
export function cpuTargetLine(figures: CpuPerStoredEvent): string {
  return `CPU per stored event: ${figures.totalMicros.toFixed(1)} µs (target ≤ ${CPU_TARGET_MICROS_PER_EVENT} µs)`;
}

export function meetsCpuTarget(figures: CpuPerStoredEvent): boolean {
  return figures.totalMicros <= CPU_TARGET_MICROS_PER_EVENT;
}

function mapValues(record: Record<string, number>, map: (value: number) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

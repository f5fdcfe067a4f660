import { SOURCES, type Source } from '@evp/contracts';
import { isPostgresGroup } from '@evp/testing';
import { formatCount } from '../shared/number.format';
import { ascending, percentile } from '../shared/sample.statistics';
import { type SoakObservation, type SoakPhase } from './soak.observation';

/** One line of the soak's record: the interval since the previous observation, and the state at its end. */
export interface SoakRow {
  /** Seconds since the first observation, taken just before the emulator started. */
  atSeconds: number;
  phase: SoakPhase;
  /** Totals since the first observation. */
  offered: number;
  acknowledged: number;
  stored: number;
  /** Rates over the interval: events sent by the emulator, in 2xx answers, inserted by the collectors. */
  offeredPerSecond: number;
  acknowledgedPerSecond: number;
  storedPerSecond: number;
  /** Consumer lag in events, converted from messages by each collector's events per message (`lagInEvents`). */
  lagBySource: Record<Source, number>;
  lag: number;
  /** Reply times of the bodies answered in the interval; null when none was. */
  reply: { requests: number; p50Ms: number; p99Ms: number } | null;
  /** RSS, or PSS for PostgreSQL's processes together, in MB. */
  memoryMb: Record<string, number>;
  /** Share of one core each process group used over the interval. */
  cpuPercent: Record<string, number>;
  databaseBytes: number;
  streamBytes: number;
}

/** The row of `current`, against the soak's first observation and the one before it. */
export function soakRow(origin: SoakObservation, previous: SoakObservation, current: SoakObservation): SoakRow {
  const seconds = Math.max(0.001, (current.atMs - previous.atMs) / 1000);
  const before = previous.publisher ?? { elapsedSeconds: 0, sent: 0, acknowledged: 0 };
  const after = current.publisher ?? before;
  // The emulator's own clock times its totals, which its progress lines report a moment after counting them.
  const publisherSeconds = after.elapsedSeconds - before.elapsedSeconds;
  const perPublisherSecond = (events: number) => (publisherSeconds > 0 ? events / publisherSeconds : 0);
  const replyTimes = ascending(current.replies.map((reply) => reply.elapsedMs));
  return {
    atSeconds: Math.round((current.atMs - origin.atMs) / 100) / 10,
    phase: current.phase,
    offered: after.sent,
    acknowledged: after.acknowledged,
    stored: current.stored - origin.stored,
    offeredPerSecond: Math.round(perPublisherSecond(after.sent - before.sent)),
    acknowledgedPerSecond: Math.round(perPublisherSecond(after.acknowledged - before.acknowledged)),
    storedPerSecond: Math.round((current.stored - previous.stored) / seconds),
    lagBySource: current.backlogs,
    lag: current.backlog,
    reply:
      replyTimes.length === 0
        ? null
        : {
            requests: replyTimes.length,
            p50Ms: Math.round(percentile(replyTimes, 50)),
            p99Ms: Math.round(percentile(replyTimes, 99)),
          },
    memoryMb: Object.fromEntries(
      Object.entries(current.processes).map(([group, reading]) => [
        group,
        Math.round((isPostgresGroup(group) ? reading.pssBytes : reading.rssBytes) / 100_000) / 10,
      ]),
    ),
    cpuPercent: Object.fromEntries(
      Object.entries(current.processes).map(([group, reading]) => [
        group,
        Math.round(((reading.cpuSeconds - (previous.processes[group]?.cpuSeconds ?? 0)) / seconds) * 100),
      ]),
    ),
    databaseBytes: current.databaseBytes,
    streamBytes: current.streamBytes,
  };
}

/** The rows of a soak's observations in time order; the first observation is the origin and has no row. */
export function soakRows(observations: readonly SoakObservation[]): SoakRow[] {
  const ordered = [...observations].sort((a, b) => a.atMs - b.atMs);
  const origin = ordered[0];
  if (!origin) return [];
  return ordered.slice(1).map((current, index) => soakRow(origin, ordered[index] as SoakObservation, current));
}

/** The one-line account of a row printed as the soak goes. */
export function soakProgressLine(row: SoakRow): string {
  const minutes = Math.floor(row.atSeconds / 60);
  const clock = `${minutes}m${String(Math.round(row.atSeconds - minutes * 60)).padStart(2, '0')}s`;
  const groups = (values: Record<string, number>) =>
    Object.entries(values)
      .map(([group, value]) => `${group} ${formatCount(value)}`)
      .join(', ');
  return [
    `${clock} ${row.phase}`,
    `offered ${formatCount(row.offeredPerSecond)}/s, acked ${formatCount(row.acknowledgedPerSecond)}/s, stored ${formatCount(row.storedPerSecond)}/s`,
    `lag ${SOURCES.map((source) => `${source} ${formatCount(row.lagBySource[source])}`).join(', ')}`,
    row.reply ? `reply p50 ${row.reply.p50Ms} / p99 ${row.reply.p99Ms} ms (${row.reply.requests})` : 'no reply',
    `CPU % ${groups(row.cpuPercent)}`,
    `MB ${groups(row.memoryMb)}`,
    `db ${formatCount(row.databaseBytes / 1e6)} MB, stream ${formatCount(row.streamBytes / 1e6)} MB`,
  ].join(' | ');
}

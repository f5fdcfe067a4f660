import { type LedgerReconciliation, type PublisherReply } from '@evp/testing';
import { type CpuPerStoredEvent, cpuTargetLine, meetsCpuTarget } from '../system/cpu-per-event.report';
import { formatCount } from '../shared/number.format';
import { leastSquaresSlope, percentile } from '../shared/sample.statistics';
import { type SoakRow } from './soak.rows';

/** Stored/s is compared with offered/s over windows this long… */
const THROUGHPUT_WINDOW_S = 300;
/** …when the sending time is at least this long; a shorter run is judged as one window. */
const WINDOWED_FROM_S = 600;
/** Lag growth over the second half, as a share of the offered rate, still taken as flat (a 1 % share adds 18 s of traffic in 30 min). */
const LAG_SLOPE_SHARE = 0.01;
/** Consumer lag when sending stops, in seconds of offered traffic. */
const LAG_END_LIMIT_S = 30;
/** "50k-event bodies": sizes are uniform in 1,000–50,000, so exactly 50,000 is rare; the top tenth of the range stands for them. */
export const LARGE_BODY_EVENTS = 45_000;
const LARGE_BODY_P99_LIMIT_MS = 1_500;
/** Memory growth of a Node service over the second half still taken as flat. */
const MEMORY_SLOPE_LIMIT_MB_PER_MIN = 1;

export interface VerdictLine {
  check: string;
  pass: boolean;
  detail: string;
}

export interface SoakVerdictInput {
  /** Rows while the emulator was sending, the last one taken when it stopped. */
  sending: readonly SoakRow[];
  /** Every body answered. */
  replies: readonly PublisherReply[];
  /** The largest body the emulator sends, in events: what one body in flight at a window's edge can move a window by. */
  largestBody: number;
  nodeServices: readonly string[];
  reconciliation: LedgerReconciliation;
  cpu: CpuPerStoredEvent;
}

export function soakVerdict(input: SoakVerdictInput): VerdictLine[] {
  return [
    throughput(input.sending, input.largestBody),
    lag(input.sending),
    largeBodies(input.replies),
    memory(input.sending, input.nodeServices),
    {
      check: 'zero lost, zero duplicated',
      pass:
        input.reconciliation.lost === 0 &&
        input.reconciliation.duplicated === 0 &&
        input.reconciliation.unexpected === 0,
      detail:
        `${formatCount(input.reconciliation.acknowledgedIds)} acknowledged ids: lost ${input.reconciliation.lost}, ` +
        `duplicated ${input.reconciliation.duplicated}, stored but never sent ${input.reconciliation.unexpected}`,
    },
    {
      check: 'CPU per stored event',
      pass: meetsCpuTarget(input.cpu),
      detail: `${cpuTargetLine(input.cpu)}, every process from the first request until drained`,
    },
  ];
}

/** Stored ≥ offered in every window, short by at most one largest body (in flight at the window's edge). */
function throughput(rows: readonly SoakRow[], largestBody: number): VerdictLine {
  const check = 'stored/s keeps up with offered/s';
  const first = rows[0];
  const last = rows.at(-1);
  if (!first || !last || last === first) return { check, pass: false, detail: 'too few samples' };
  const windowed = last.atSeconds - first.atSeconds >= WINDOWED_FROM_S;
  const windows: Array<[SoakRow, SoakRow]> = windowed
    ? rows.flatMap((from, index) => {
        const to = rows.slice(index + 1).find((row) => row.atSeconds - from.atSeconds >= THROUGHPUT_WINDOW_S);
        return to ? [[from, to] as [SoakRow, SoakRow]] : [];
      })
    : [[first, last]];
  const shortfall = ([from, to]: [SoakRow, SoakRow]) => to.offered - from.offered - (to.stored - from.stored);
  const worst = windows.reduce((a, b) => (shortfall(b) > shortfall(a) ? b : a));
  const [from, to] = worst;
  const seconds = to.atSeconds - from.atSeconds;
  const scope = windowed ? `worst ${THROUGHPUT_WINDOW_S / 60}-minute window (from ${from.atSeconds} s)` : 'whole run';
  return {
    check,
    pass: shortfall(worst) <= largestBody,
    detail:
      `${scope}: stored ${formatCount((to.stored - from.stored) / seconds)}/s, ` +
      `offered ${formatCount((to.offered - from.offered) / seconds)}/s ` +
      `(allowed short by one largest body, ${formatCount(largestBody)} events)`,
  };
}

function lag(rows: readonly SoakRow[]): VerdictLine {
  const check = 'consumer lag bounded';
  const last = rows.at(-1);
  const offeredPerSecond = last && last.atSeconds > 0 ? last.offered / last.atSeconds : 0;
  const secondHalf = secondHalfOf(rows);
  const slope = leastSquaresSlope(secondHalf.map((row) => ({ x: row.atSeconds, y: row.lag })));
  if (!last || offeredPerSecond === 0 || Number.isNaN(slope))
    return { check, pass: false, detail: 'too few samples, or nothing offered' };
  const slopeLimit = LAG_SLOPE_SHARE * offeredPerSecond;
  const endSeconds = last.lag / offeredPerSecond;
  return {
    check,
    pass: slope <= slopeLimit && endSeconds < LAG_END_LIMIT_S,
    detail:
      `second-half trend ${slope >= 0 ? '+' : ''}${formatCount(slope)} events/s (limit +${formatCount(slopeLimit)}, ` +
      `${LAG_SLOPE_SHARE * 100} % of offered); when sending stopped ${formatCount(last.lag)} events = ` +
      `${endSeconds.toFixed(1)} s of traffic (limit ${LAG_END_LIMIT_S} s)`,
  };
}

function largeBodies(replies: readonly PublisherReply[]): VerdictLine {
  const check = `bodies of ≥ ${formatCount(LARGE_BODY_EVENTS)} events answered p99 < ${formatCount(LARGE_BODY_P99_LIMIT_MS)} ms`;
  const times = replies
    .filter((reply) => reply.events >= LARGE_BODY_EVENTS)
    .map((reply) => reply.elapsedMs)
    .sort((a, b) => a - b);
  if (times.length === 0) return { check, pass: false, detail: 'no such body was sent' };
  const p99 = percentile(times, 99);
  return {
    check,
    pass: p99 < LARGE_BODY_P99_LIMIT_MS,
    detail: `p99 ${formatCount(p99)} ms, p50 ${formatCount(percentile(times, 50))} ms, max ${formatCount(times.at(-1) ?? 0)} ms (${times.length} bodies)`,
  };
}

function memory(rows: readonly SoakRow[], services: readonly string[]): VerdictLine {
  const secondHalf = secondHalfOf(rows);
  const slopes = services.map((service) => ({
    service,
    mbPerMinute: leastSquaresSlope(
      secondHalf.map((row) => ({ x: row.atSeconds / 60, y: row.memoryMb[service] ?? Number.NaN })),
    ),
  }));
  return {
    check: 'memory flat',
    pass: slopes.every(({ mbPerMinute }) => mbPerMinute < MEMORY_SLOPE_LIMIT_MB_PER_MIN),
    detail: `RSS trend over the second half, MB/min (limit ${MEMORY_SLOPE_LIMIT_MB_PER_MIN}): ${slopes
      .map(({ service, mbPerMinute }) => `${service} ${mbPerMinute.toFixed(2)}`)
      .join(', ')}`,
  };
}

function secondHalfOf(rows: readonly SoakRow[]): SoakRow[] {
  const end = rows.at(-1)?.atSeconds ?? 0;
  return rows.filter((row) => row.atSeconds >= end / 2);
}

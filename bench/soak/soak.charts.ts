import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import { type SoakRow } from './soak.rows';

/** One point of a chart's series, in the long form Vega-Lite draws one line per `series` from. */
interface Point {
  minutes: number;
  series: string;
  value: number;
}

/** A chart of the soak: its file name under bench/results/ and its SVG. */
export interface SoakChart {
  file: string;
  svg: string;
}

/** The six pictures of a soak, drawn by Vega-Lite, rendered to SVG headless (no canvas needed). */
export async function renderSoakCharts(rows: readonly SoakRow[]): Promise<SoakChart[]> {
  const span = {
    sendingStoppedS: rows.filter((row) => row.phase === 'sending').at(-1)?.atSeconds ?? 0,
    endS: rows.at(-1)?.atSeconds ?? 0,
  };
  const points = (pick: (row: SoakRow) => Record<string, number | undefined>): Point[] =>
    rows.flatMap((row) =>
      Object.entries(pick(row)).flatMap(([series, value]) =>
        value === undefined ? [] : [{ minutes: row.atSeconds / 60, series, value }],
      ),
    );
  const charts: Array<{ file: string; spec: TopLevelSpec }> = [
    {
      file: 'soak-throughput.svg',
      spec: lineChart(
        'Events per second: offered by the emulator, acknowledged (2xx), stored',
        'events/s',
        span,
        points((row) => ({
          offered: row.offeredPerSecond,
          acknowledged: row.acknowledgedPerSecond,
          stored: row.storedPerSecond,
        })),
      ),
    },
    {
      file: 'soak-lag.svg',
      spec: lineChart(
        'Consumer lag: events pending or unacked',
        'events',
        span,
        points((row) => ({ ...row.lagBySource, total: row.lag })),
      ),
    },
    {
      file: 'soak-reply.svg',
      spec: lineChart(
        'Reply time of the bodies answered in each interval',
        'ms',
        span,
        points((row) => ({ p50: row.reply?.p50Ms, p99: row.reply?.p99Ms })),
      ),
    },
    {
      file: 'soak-memory.svg',
      spec: lineChart(
        'Memory per process group: RSS (PostgreSQL groups: PSS of their processes)',
        'MB',
        span,
        points((row) => row.memoryMb),
      ),
    },
    {
      file: 'soak-cpu.svg',
      spec: lineChart(
        'CPU per process (100 % = one core; the machine has 2)',
        '% of a core',
        span,
        points((row) => row.cpuPercent),
      ),
    },
    {
      file: 'soak-storage.svg',
      spec: lineChart(
        'Database size and bytes held by the events stream',
        'bytes',
        span,
        points((row) => ({ database: row.databaseBytes, stream: row.streamBytes })),
        true,
      ),
    },
  ];
  // Vega ships as ES modules only, which this CommonJS build reaches through import().
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  return Promise.all(
    charts.map(async ({ file, spec }) => {
      const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
      try {
        return { file, svg: await view.toSVG() };
      } finally {
        view.finalize();
      }
    }),
  );
}

/**
 * Lines over minutes, one per series, with a dashed rule where sending stopped (what follows is the drain).
 * `apart` draws each series in a panel of its own, for series of different magnitudes (gigabytes beside megabytes).
 */
function lineChart(
  title: string,
  unit: string,
  span: { sendingStoppedS: number; endS: number },
  values: Point[],
  apart = false,
): TopLevelSpec {
  const layer = [
    {
      mark: { type: 'line' as const },
      encoding: {
        // Every chart spans the whole run, so they line up whatever minutes a series has points for.
        x: {
          field: 'minutes',
          type: 'quantitative' as const,
          title: 'minutes since sending started',
          scale: { domain: [0, span.endS / 60] },
        },
        y: { field: 'value', type: 'quantitative' as const, title: unit, axis: { format: '~s' } },
        color: { field: 'series', type: 'nominal' as const, title: null },
      },
    },
    {
      mark: { type: 'rule' as const, strokeDash: [4, 4], color: 'gray' },
      encoding: { x: { datum: span.sendingStoppedS / 60 } },
    },
  ];
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, data: { values } };
  return apart
    ? {
        ...base,
        facet: { row: { field: 'series', type: 'nominal', title: null } },
        spec: { width: 720, height: 160, layer },
        resolve: { scale: { y: 'independent' } },
      }
    : { ...base, width: 720, height: 300, layer };
}

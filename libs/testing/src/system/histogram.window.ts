import { type MetricSample, scrapeMetrics } from './prometheus.scrape';

/** A Prometheus histogram read from `/metrics`: cumulative counts per upper bound (`le`), ascending, `+Inf` last. */
export interface HistogramSnapshot {
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

/** The quantiles a benchmark prints of a latency histogram, in the histogram's unit; undefined with no observation. */
export interface HistogramQuantiles {
  count: number;
  p50: number | undefined;
  p95: number | undefined;
  p99: number | undefined;
}

/**
 * The histogram `name` summed over every series whose labels include `labels` (e.g. both lanes and sources), from
 * samples of one or more scrapes.
 */
export function histogramOf(
  samples: readonly MetricSample[],
  name: string,
  labels: Record<string, string> = {},
): HistogramSnapshot {
  const matches = (sample: MetricSample) =>
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value);
  const byBound = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const sample of samples) {
    if (!matches(sample)) continue;
    if (sample.name === `${name}_bucket`) {
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      byBound.set(le, (byBound.get(le) ?? 0) + sample.value);
    } else if (sample.name === `${name}_count`) count += sample.value;
    else if (sample.name === `${name}_sum`) sum += sample.value;
  }
  const buckets = [...byBound].map(([le, total]) => ({ le, count: total })).sort((a, b) => a.le - b.le);
  return { buckets, count, sum };
}

/** What was observed between two snapshots of the same histogram (a counter reset reads as nothing observed). */
export function histogramDifference(end: HistogramSnapshot, start: HistogramSnapshot): HistogramSnapshot {
  const before = new Map(start.buckets.map((bucket) => [bucket.le, bucket.count]));
  return {
    buckets: end.buckets.map(({ le, count }) => ({ le, count: Math.max(0, count - (before.get(le) ?? 0)) })),
    count: Math.max(0, end.count - start.count),
    sum: Math.max(0, end.sum - start.sum),
  };
}

/**
 * The q-quantile (0 < q < 1) as Prometheus' `histogram_quantile` estimates it: linear within the bucket that holds
 * it, the highest finite bound when it falls in `+Inf`. Undefined when nothing was observed.
 */
export function histogramQuantile(histogram: HistogramSnapshot, q: number): number | undefined {
  const total = histogram.buckets.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of histogram.buckets) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound;
      if (count === lowerCount) return le;
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

export function histogramQuantiles(histogram: HistogramSnapshot): HistogramQuantiles {
  return {
    count: histogram.count,
    p50: histogramQuantile(histogram, 0.5),
    p95: histogramQuantile(histogram, 0.95),
    p99: histogramQuantile(histogram, 0.99),
  };
}

/**
 * A histogram over a run: `start()` scrapes the services once, `finish()` scrapes them again and gives the quantiles
 * of what was observed in between, summed over the services (e.g. both collectors' ingest-to-stored seconds).
 */
export class HistogramWindow {
  private started: HistogramSnapshot | undefined;

  constructor(
    private readonly baseUrls: readonly string[],
    private readonly name: string,
    private readonly labels: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    this.started = await this.read();
  }

  async finish(): Promise<HistogramQuantiles> {
    const start = this.started;
    if (start === undefined) throw new Error('HistogramWindow.start() must be awaited before finish()');
    return histogramQuantiles(histogramDifference(await this.read(), start));
  }

  private async read(): Promise<HistogramSnapshot> {
    const scrapes = await Promise.all(this.baseUrls.map((url) => scrapeMetrics(url)));
    return histogramOf(scrapes.flat(), this.name, this.labels);
  }
}

/** The collectors' histogram of seconds from the gateway receiving an event to its row being committed. */
export const INGEST_TO_STORED_SECONDS = 'pipeline_ingest_to_stored_seconds';

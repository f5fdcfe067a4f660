import { SOURCES } from '@evp/contracts';
import { HistogramWindow, type HistogramQuantiles, INGEST_TO_STORED_SECONDS, type PipelineSystem } from '@evp/testing';

/**
 * Freshness over a run: the live lane's `pipeline_ingest_to_stored_seconds` of both collectors, scraped when the run
 * starts and when it ends, so the quantiles are of the events stored in between only. Call `start()` first.
 */
export function freshnessWindow(system: PipelineSystem): HistogramWindow {
  const collectors = SOURCES.map((source) => system.collector(source).url);
  return new HistogramWindow(collectors, INGEST_TO_STORED_SECONDS, { lane: 'live' });
}

/** `p50 / p95 / p99` in seconds with two decimals, `-` for a quantile with nothing observed. */
export function formatFreshness(quantiles: HistogramQuantiles): string {
  const seconds = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(2));
  return `${seconds(quantiles.p50)} / ${seconds(quantiles.p95)} / ${seconds(quantiles.p99)}`;
}

import { DashboardCheckError } from './check.errors';
import { type PrometheusApi } from './prometheus-api.client';

export interface ScrapeReadinessOptions {
  /** Scrape jobs that must each have one healthy target. */
  jobs: readonly string[];
  /** Successful scrapes every target must have had, so `rate()` windows hold enough samples. */
  minScrapes: number;
  /** @default 180_000 */
  timeoutMs?: number;
  /** Called on every poll; throws to give up early (e.g. when the load generator died). */
  assertStillRunning?: () => void;
  onProgress?: (line: string) => void;
}

const NEVER_EVALUATED = '0001-01-01';
const PROGRESS_EVERY_MS = 5_000;

/**
 * Waits until every job's target is up, has been scraped successfully `minScrapes` times, and Prometheus has
 * evaluated every rule group at least once.
 */
export async function waitForScrapes(api: PrometheusApi, options: ScrapeReadinessOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const selector = `up{job=~"${options.jobs.join('|')}"}`;
  let lastReport = '';
  let lastReportAt = 0;
  for (;;) {
    options.assertStillRunning?.();
    const targets = await api.targets();
    const scrapes = await api.query(`sum by (job) (sum_over_time(${selector}[1h]))`);
    const scrapesByJob = new Map(
      scrapes.ok ? scrapes.series.map((series) => [series.labels.job ?? '', Number(series.value)]) : [],
    );
    const rules = await api.rules();
    const waitingFor = options.jobs.flatMap((job) => {
      const target = targets.find((candidate) => candidate.job === job);
      if (!target) return [`${job}: no target`];
      if (target.health !== 'up')
        return [`${job}: ${target.health}${target.lastError ? ` (${target.lastError})` : ''}`];
      const count = scrapesByJob.get(job) ?? 0;
      return count < options.minScrapes ? [`${job}: ${count}/${options.minScrapes} scrapes`] : [];
    });
    const unevaluated = rules.filter((rule) => rule.lastEvaluation.startsWith(NEVER_EVALUATED)).length;
    if (unevaluated > 0) waitingFor.push(`${unevaluated} rules not evaluated yet`);
    if (waitingFor.length === 0) return;

    const report = waitingFor.join('; ');
    // Scrape counts change on every poll: a line every few seconds shows progress without flooding the output.
    if (report !== lastReport && Date.now() - lastReportAt >= PROGRESS_EVERY_MS) {
      options.onProgress?.(`waiting: ${report}`);
      lastReport = report;
      lastReportAt = Date.now();
    }
    if (Date.now() > deadline) {
      throw new DashboardCheckError(
        'DASHCHECK.TARGETS_NOT_UP',
        `Prometheus did not get enough scrapes in time: ${report}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

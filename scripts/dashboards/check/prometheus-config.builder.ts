import { isAbsolute, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { DashboardCheckError } from './check.errors';

/** The parts of a Prometheus configuration file that the check rewrites; everything else is kept as it is. */
interface PrometheusConfigYaml {
  global?: Record<string, unknown>;
  rule_files?: string[];
  scrape_configs?: { job_name: string; static_configs?: unknown }[];
}

export interface CheckConfigOptions {
  /** Port on 127.0.0.1 of each scrape job's one target, keyed by job name; every job must have one. */
  targetPorts: Readonly<Record<string, number>>;
  /** Scrape and rule evaluation interval, in seconds. */
  scrapeIntervalSeconds: number;
  /** Directory of the base configuration: its relative `rule_files` are resolved against it. */
  baseDir: string;
}

/**
 * The configuration of the check's private Prometheus, derived from the committed no-Docker one
 * (`deploy/prometheus/prometheus.local.yml`) so the check scrapes with the same jobs and evaluates the same rule
 * files: only the target ports, the intervals and the rule file paths (made absolute) change.
 */
export function buildCheckConfig(baseYaml: string, options: CheckConfigOptions): string {
  const config = parse(baseYaml) as PrometheusConfigYaml;
  const interval = `${options.scrapeIntervalSeconds}s`;
  config.global = {
    ...config.global,
    scrape_interval: interval,
    // A timeout equal to the interval: on a busy machine a short one would report healthy services as down.
    scrape_timeout: interval,
    evaluation_interval: interval,
  };
  config.rule_files = (config.rule_files ?? []).map((file) =>
    isAbsolute(file) ? file : resolve(options.baseDir, file),
  );

  const jobs = config.scrape_configs ?? [];
  const unknown = Object.keys(options.targetPorts).filter((job) => !jobs.some((scrape) => scrape.job_name === job));
  const unmapped = jobs
    .filter((scrape) => options.targetPorts[scrape.job_name] === undefined)
    .map((scrape) => scrape.job_name);
  if (unknown.length > 0 || unmapped.length > 0 || jobs.length === 0) {
    throw new DashboardCheckError(
      'DASHCHECK.SCRAPE_CONFIG',
      `the scrape jobs of the base configuration (${jobs.map((scrape) => scrape.job_name).join(', ') || 'none'}) ` +
        `do not match the services started (${Object.keys(options.targetPorts).join(', ')})`,
    );
  }
  for (const scrape of jobs) {
    scrape.static_configs = [{ targets: [`127.0.0.1:${options.targetPorts[scrape.job_name]}`] }];
  }
  return stringify(config);
}

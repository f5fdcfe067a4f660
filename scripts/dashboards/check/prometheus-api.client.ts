import { DashboardCheckError } from './check.errors';

/** One series of an instant query's answer, reduced to what the report prints. */
export interface SeriesSample {
  labels: Record<string, string>;
  value: string;
}

/** The answer to an instant query: the series it returned, or Prometheus's error. */
export type QueryOutcome =
  { ok: true; resultType: string; series: SeriesSample[] } | { ok: false; errorType: string; error: string };

export interface ScrapeTarget {
  job: string;
  instance: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export interface LoadedRule {
  group: string;
  name: string;
  query: string;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  lastEvaluation: string;
}

interface ApiEnvelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

type VectorItem = { metric: Record<string, string>; value: [number, string] };
type MatrixItem = { metric: Record<string, string>; values: [number, string][] };
type QueryData =
  | { resultType: 'vector'; result: VectorItem[] }
  | { resultType: 'matrix'; result: MatrixItem[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

/** Prometheus's HTTP API (`/api/v1/*`), the calls the check makes. */
export class PrometheusApi {
  constructor(readonly baseUrl: string) {}

  /** True once Prometheus has loaded its configuration and serves queries. */
  async ready(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/-/ready`);
      return response.ok;
    } catch {
      return false;
    }
  }

  /** `POST /api/v1/query` at the current time. A PromQL error is an outcome, not an exception. */
  async query(expr: string): Promise<QueryOutcome> {
    const response = await fetch(`${this.baseUrl}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }),
    });
    const envelope = (await response.json()) as ApiEnvelope<QueryData>;
    if (envelope.status !== 'success' || !envelope.data) {
      return {
        ok: false,
        errorType: envelope.errorType ?? `HTTP ${response.status}`,
        error: envelope.error ?? 'no data in the answer',
      };
    }
    return { ok: true, resultType: envelope.data.resultType, series: samplesOf(envelope.data) };
  }

  async targets(): Promise<ScrapeTarget[]> {
    const data = await this.get<{
      activeTargets: { labels: Record<string, string>; health: ScrapeTarget['health']; lastError: string }[];
    }>('/api/v1/targets?state=active');
    return data.activeTargets.map((target) => ({
      job: target.labels.job ?? '',
      instance: target.labels.instance ?? '',
      health: target.health,
      lastError: target.lastError,
    }));
  }

  async rules(): Promise<LoadedRule[]> {
    const data = await this.get<{
      groups: {
        name: string;
        rules: {
          name: string;
          query: string;
          health: LoadedRule['health'];
          lastError?: string;
          lastEvaluation: string;
        }[];
      }[];
    }>('/api/v1/rules');
    return data.groups.flatMap((group) =>
      group.rules.map((rule) => ({
        group: group.name,
        name: rule.name,
        query: rule.query,
        health: rule.health,
        lastError: rule.lastError,
        lastEvaluation: rule.lastEvaluation,
      })),
    );
  }

  /** Every series name Prometheus holds: the scraped ones, its own (`up`, `scrape_*`) and recorded ones. */
  metricNames(): Promise<string[]> {
    return this.get<string[]>('/api/v1/label/__name__/values');
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`);
    const envelope = (await response.json()) as ApiEnvelope<T>;
    if (envelope.status !== 'success' || envelope.data === undefined) {
      throw new DashboardCheckError(
        'DASHCHECK.PROMETHEUS_API',
        `GET ${path} failed: ${envelope.error ?? `HTTP ${response.status}`}`,
      );
    }
    return envelope.data;
  }
}

function samplesOf(data: QueryData): SeriesSample[] {
  switch (data.resultType) {
    case 'vector':
      return data.result.map((item) => ({ labels: item.metric, value: item.value[1] }));
    case 'matrix':
      return data.result.map((item) => ({ labels: item.metric, value: item.values.at(-1)?.[1] ?? '' }));
    default:
      return [{ labels: {}, value: data.result[1] }];
  }
}

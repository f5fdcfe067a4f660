import { unresolvedVariables } from './grafana.variables';
import { referencedMetricNames } from './metric-names';
import { type LoadedRule, type PrometheusApi, type QueryOutcome } from './prometheus-api.client';
import { type PanelQuery, type RuleExpression } from './promql.catalog';

/** One expression sent to Prometheus and what came back. */
export interface CheckedExpression {
  /** `<dashboard> / <panel> (<refId>)` or `<group> / <rule>`. */
  title: string;
  /** The expression as sent. */
  query: string;
  /** Series returned; undefined when the expression could not be evaluated. */
  series: number | undefined;
  /** A few returned values with their distinguishing labels, for the report. */
  sample: string[];
  /** Why the expression fails the check; undefined when it passes. */
  problem: string | undefined;
  /** Something worth a look that does not fail the check, e.g. a metric no service exposes in one `or` branch. */
  warning?: string;
}

const SAMPLE_SIZE = 3;
/** Labels every series of these services carries: they say nothing about which series is which. */
const COMMON_LABELS = new Set(['__name__', 'instance', 'deployment']);

/**
 * Dashboard panels must evaluate and return at least one series: an empty answer is "No data" in Grafana.
 * `knownMetrics` (what the services declare, plus Prometheus's own series) tells a misspelt or missing metric
 * apart from one that merely has no samples yet.
 */
export async function checkPanelQueries(
  api: PrometheusApi,
  queries: readonly PanelQuery[],
  knownMetrics: ReadonlySet<string>,
): Promise<CheckedExpression[]> {
  const checked: CheckedExpression[] = [];
  for (const query of queries) {
    const title = `${query.dashboard} / ${query.panel} (${query.refId})`;
    const leftover = unresolvedVariables(query.query);
    if (leftover.length > 0) {
      checked.push({
        title,
        query: query.query,
        series: undefined,
        sample: [],
        problem: `unresolved Grafana variables ${leftover.join(', ')}`,
      });
      continue;
    }
    const result = toChecked(title, query.query, await api.query(query.query), true);
    const unknown = unknownMetrics(query.query, knownMetrics);
    if (unknown) {
      if (result.series === 0) result.problem = `no data: no service exposes ${unknown}`;
      else result.warning = `no service exposes ${unknown}: that part of the query shows nothing`;
    }
    checked.push(result);
  }
  return checked;
}

/**
 * Alert and recording rules must evaluate without error, both when sent as a query and in Prometheus's own rule
 * evaluation (which must have loaded every rule of the files); they need not return anything, nor fire.
 */
export async function checkRules(
  api: PrometheusApi,
  rules: readonly RuleExpression[],
  loaded: readonly LoadedRule[],
  knownMetrics: ReadonlySet<string>,
): Promise<CheckedExpression[]> {
  const checked: CheckedExpression[] = [];
  for (const rule of rules) {
    const result = toChecked(`${rule.group} / ${rule.name}`, rule.expr, await api.query(rule.expr), false);
    const evaluated = loaded.find((candidate) => candidate.group === rule.group && candidate.name === rule.name);
    if (result.problem === undefined) {
      if (!evaluated) result.problem = `not loaded by Prometheus (is ${rule.file} in rule_files?)`;
      else if (evaluated.health === 'err')
        result.problem = `rule evaluation failed: ${evaluated.lastError ?? 'unknown error'}`;
      else if (evaluated.health !== 'ok')
        result.problem = `not evaluated yet by Prometheus (health ${evaluated.health})`;
    }
    const unknown = unknownMetrics(rule.expr, knownMetrics);
    if (unknown) result.warning = `no service exposes ${unknown}: the rule cannot see what it watches`;
    checked.push(result);
  }
  return checked;
}

/** The metrics of `expr` missing from `known`, as a printable list; undefined when there are none. */
function unknownMetrics(expr: string, known: ReadonlySet<string>): string | undefined {
  const unknown = referencedMetricNames(expr).filter((name) => !known.has(name));
  return unknown.length > 0 ? unknown.join(', ') : undefined;
}

function toChecked(title: string, query: string, outcome: QueryOutcome, requireData: boolean): CheckedExpression {
  if (!outcome.ok)
    return { title, query, series: undefined, sample: [], problem: `${outcome.errorType}: ${outcome.error}` };
  const series = outcome.series.length;
  return {
    title,
    query,
    series,
    sample: outcome.series.slice(0, SAMPLE_SIZE).map(({ labels, value }) => {
      const names = Object.entries(labels)
        .filter(([name]) => !COMMON_LABELS.has(name))
        .map(([name, label]) => `${name}="${label}"`);
      return `${names.length > 0 ? `{${names.join(', ')}} ` : ''}${value}`;
    }),
    problem: requireData && series === 0 ? 'no data: the query returned no series' : undefined,
  };
}

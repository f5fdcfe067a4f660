import { type PromQlVariableValues, substituteGrafanaVariables } from '../dashboard.inspection';

/** A template variable as Grafana's dashboard JSON stores it (`templating.list[]`), the fields the check reads. */
export interface TemplateVariableJson {
  name: string;
  type: string;
  current?: { value?: string | string[] };
  query?: unknown;
  includeAll?: boolean;
  allValue?: string | null;
}

/** How Grafana would fill in the variables of a dashboard's queries for a Prometheus scraped at `scrapeIntervalSeconds`. */
export interface GrafanaVariableContext {
  /** The dashboard's default range (`time.from` of `now-30m` gives 1800). */
  rangeSeconds: number;
  /** The datasource's scrape interval, which is also the lower bound of `$__interval`. */
  scrapeIntervalSeconds: number;
  /** Template variables of the dashboard. @default [] */
  templateVariables?: readonly TemplateVariableJson[];
}

/** Points Grafana asks per panel on a wide screen: it divides the range by this to get `$__interval`. */
export const MAX_DATA_POINTS = 1_000;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800, y: 31_536_000 };

/** Seconds back from now of a relative Grafana time such as `now-30m`; undefined for anything else. */
export function relativeRangeSeconds(from: string): number | undefined {
  const match = /^now-(\d+)([smhdwy])$/.exec(from);
  return match ? Number(match[1]) * UNIT_SECONDS[match[2]!]! : undefined;
}

/**
 * Grafana's built-in interval variables: `$__interval` is the range over the panel's data points, never below
 * the scrape interval; `$__rate_interval` is `max($__interval + scrape interval, 4 × scrape interval)`, so a
 * `rate()` window always spans several scrapes.
 */
export function builtInVariables(context: GrafanaVariableContext): PromQlVariableValues {
  const scrape = context.scrapeIntervalSeconds;
  const interval = Math.max(scrape, Math.ceil(context.rangeSeconds / MAX_DATA_POINTS));
  return {
    interval: `${interval}s`,
    rateInterval: `${Math.max(interval + scrape, 4 * scrape)}s`,
    range: `${context.rangeSeconds}s`,
  };
}

/**
 * The value a template variable takes when the dashboard opens: its saved current value; "All" (or no value, as
 * for a query variable Grafana fills from Prometheus) becomes the variable's `allValue`, else a regex matching
 * everything, the way Grafana's Prometheus datasource expands it inside `=~` matchers.
 */
export function templateValue(variable: TemplateVariableJson): string {
  const current = variable.current?.value;
  const values = (Array.isArray(current) ? current : current === undefined ? [] : [current]).filter(
    (value) => value !== '$__all' && value !== '',
  );
  if (values.length === 0) return variable.allValue ?? '.*';
  return values.length === 1 ? values[0]! : `(${values.join('|')})`;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The expression as Grafana sends it to Prometheus: template variables (`$name`, `${name}`, `${name:format}`,
 * `[[name]]`) and the built-in interval variables replaced.
 */
export function resolveExpression(expr: string, context: GrafanaVariableContext): string {
  let resolved = expr;
  for (const variable of context.templateVariables ?? []) {
    const name = escapeRegExp(variable.name);
    const pattern = new RegExp(`\\$\\{${name}(?::[^}]*)?\\}|\\[\\[${name}\\]\\]|\\$${name}(?![A-Za-z0-9_])`, 'g');
    const value = templateValue(variable);
    resolved = resolved.replace(pattern, () => value);
  }
  return substituteGrafanaVariables(resolved, builtInVariables(context));
}

/** Grafana variables still left in a resolved expression: each one would make Prometheus fail or mislead. */
export function unresolvedVariables(expr: string): string[] {
  return [...expr.matchAll(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\[\[[A-Za-z0-9_]+\]\]/g)].map(([match]) => match);
}

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type DashboardJson, loadCommittedDashboards, queriesOf } from '../dashboard.inspection';
import { type TemplateVariableJson, relativeRangeSeconds, resolveExpression } from './grafana.variables';

/** One PromQL expression of a dashboard panel, ready to send to Prometheus. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  /** As written in the dashboard JSON. */
  expr: string;
  /** With Grafana's variables filled in. */
  query: string;
}

/** One rule of a rule file, as written. */
export interface RuleExpression {
  file: string;
  group: string;
  /** The alert's or recording rule's name. */
  name: string;
  expr: string;
}

/** Dashboard fields the check reads besides those `DashboardJson` declares. */
interface DashboardSettingsJson extends DashboardJson {
  time?: { from?: string };
  templating?: { list?: TemplateVariableJson[] };
}

/** Grafana's own default when a dashboard saves no range. */
const DEFAULT_RANGE_SECONDS = 6 * 3_600;

/** Every PromQL query of the committed dashboards, resolved as Grafana would resolve it when the dashboard opens. */
export async function dashboardPanelQueries(scrapeIntervalSeconds: number): Promise<PanelQuery[]> {
  const dashboards = await loadCommittedDashboards();
  return dashboards.flatMap(({ dashboard }) => {
    const settings = dashboard as DashboardSettingsJson;
    const context = {
      rangeSeconds: relativeRangeSeconds(settings.time?.from ?? '') ?? DEFAULT_RANGE_SECONDS,
      scrapeIntervalSeconds,
      templateVariables: settings.templating?.list ?? [],
    };
    return queriesOf(dashboard)
      .filter((query) => query.language === 'promql')
      .map((query) => ({
        dashboard: dashboard.title,
        panel: query.panel,
        refId: query.refId,
        expr: query.query,
        query: resolveExpression(query.query, context),
      }));
  });
}

/** Number of SQL queries of the committed dashboards: they are checked elsewhere, the summary says how many. */
export async function dashboardSqlQueryCount(): Promise<number> {
  const dashboards = await loadCommittedDashboards();
  return dashboards.flatMap(({ dashboard }) => queriesOf(dashboard)).filter((query) => query.language === 'sql').length;
}

interface RuleFileYaml {
  groups?: { name: string; rules?: { alert?: string; record?: string; expr: string }[] }[];
}

/** Every rule of the YAML files in `rulesDir`, in file and group order. */
export async function ruleExpressions(rulesDir: string): Promise<RuleExpression[]> {
  const files = (await readdir(rulesDir)).filter((file) => /\.ya?ml$/.test(file)).sort();
  const perFile = await Promise.all(
    files.map(async (file) => {
      const content = parse(await readFile(join(rulesDir, file), 'utf8')) as RuleFileYaml;
      return (content.groups ?? []).flatMap((group) =>
        (group.rules ?? []).map((rule) => ({
          file,
          group: group.name,
          name: rule.alert ?? rule.record ?? '',
          expr: rule.expr.trim(),
        })),
      );
    }),
  );
  return perFile.flat();
}

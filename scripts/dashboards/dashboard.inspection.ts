import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DASHBOARDS, DASHBOARDS_DIR } from './dashboards.catalog';

/** The parts of Grafana's dashboard JSON model that the checks read. */
export interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
}

export interface DataSourceRefJson {
  type?: string;
  uid?: string;
}

export interface GridPosJson {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PanelJson {
  id: number;
  type: string;
  title: string;
  gridPos: GridPosJson;
  datasource?: DataSourceRefJson;
  targets?: TargetJson[];
  /** Children of a collapsed row. */
  panels?: PanelJson[];
  fieldConfig?: {
    defaults?: { custom?: { stacking?: { mode?: string } }; thresholds?: { steps?: { value: number | null }[] } };
  };
}

export interface TargetJson {
  refId?: string;
  datasource?: DataSourceRefJson;
  expr?: string;
  rawSql?: string;
  instant?: boolean;
}

/** One query of one panel, with the language its datasource speaks. */
export interface DashboardQuery {
  dashboard: string;
  panelId: number;
  panel: string;
  refId: string;
  datasourceUid: string;
  language: 'promql' | 'sql';
  query: string;
  /** Prometheus instant query (stat panels) rather than a range query. */
  instant: boolean;
}

/** Reads the committed dashboards, in catalog order. */
export async function loadCommittedDashboards(): Promise<{ file: string; dashboard: DashboardJson }[]> {
  return Promise.all(
    DASHBOARDS.map(async ({ file }) => ({
      file,
      dashboard: JSON.parse(await readFile(resolve(DASHBOARDS_DIR, file), 'utf8')) as DashboardJson,
    })),
  );
}

/** Every panel, rows and the children of collapsed rows included. */
export function panelsOf(dashboard: DashboardJson): PanelJson[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every query of the dashboard; a target without its own datasource uses its panel's. */
export function queriesOf(dashboard: DashboardJson): DashboardQuery[] {
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target): DashboardQuery => {
      const datasource = target.datasource ?? panel.datasource ?? {};
      const language = datasource.type === 'prometheus' ? 'promql' : 'sql';
      return {
        dashboard: dashboard.uid,
        panelId: panel.id,
        panel: panel.title,
        refId: target.refId ?? '',
        datasourceUid: datasource.uid ?? '',
        language,
        query: (language === 'promql' ? target.expr : target.rawSql) ?? '',
        instant: target.instant === true,
      };
    }),
  );
}

/** Values for the Grafana variables the dashboards' PromQL uses, as Prometheus durations (e.g. `1m`). */
export interface PromQlVariableValues {
  rateInterval: string;
  range: string;
  interval: string;
}

/** Replaces Grafana's built-in variables so the expression can be sent to Prometheus as it is. */
export function substituteGrafanaVariables(expr: string, values: PromQlVariableValues): string {
  return expr
    .replaceAll('$__rate_interval', values.rateInterval)
    .replaceAll('$__range', values.range)
    .replaceAll('$__interval', values.interval);
}

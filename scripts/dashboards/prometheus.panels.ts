import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { RowBuilder, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS_DATASOURCE } from './datasource.refs';

/** One PromQL query of a panel. */
export interface PromTarget {
  expr: string;
  /** Series name template, e.g. `{{source}}`. */
  legend?: string;
}

/** What every Prometheus panel of these dashboards declares. */
export interface PromPanelSpec {
  title: string;
  /** Shown as the panel's info tooltip: say what the numbers mean, in the operator's terms. */
  description: string;
  targets: readonly PromTarget[];
  /** Grafana unit id. @default 'short' */
  unit?: string;
  /** Decimals shown by stat panels. @default 0 */
  decimals?: number;
  /** Grid columns out of 24; the dashboard builder places panels left to right, wrapping at 24. */
  width: number;
  /** Grid rows. @default 8 */
  height?: number;
}

/**
 * Hands out panel ids in creation order. Grafana keys links, panel state and `viewPanel` URLs on them, so they
 * must be unique within a dashboard; rows take ids from the same sequence.
 */
export class PanelIds {
  private last = 0;

  next(): number {
    this.last += 1;
    return this.last;
  }
}

const refIdOf = (index: number): string => String.fromCharCode('A'.charCodeAt(0) + index);

function promQuery(target: PromTarget, index: number, mode: 'instant' | 'range'): DataqueryBuilder {
  const query = new DataqueryBuilder().datasource(PROMETHEUS_DATASOURCE).refId(refIdOf(index)).expr(target.expr);
  if (target.legend !== undefined) query.legendFormat(target.legend);
  return mode === 'instant' ? query.instant() : query.range();
}

/** A single big number per query, evaluated once at the end of the dashboard range. */
export function statPanel(ids: PanelIds, spec: PromPanelSpec): StatPanelBuilder {
  const panel = new StatPanelBuilder()
    .id(ids.next())
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(spec.unit ?? 'short')
    .decimals(spec.decimals ?? 0)
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.Value)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .gridPos({ x: 0, y: 0, w: spec.width, h: spec.height ?? 4 });
  spec.targets.forEach((target, index) => panel.withTarget(promQuery(target, index, 'instant')));
  return panel;
}

/** Lines over time; `stacked` piles the series up so the top edge is the total. */
export function timeseriesPanel(
  ids: PanelIds,
  spec: PromPanelSpec & { stacked?: boolean; axisLabel?: string },
): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .id(ids.next())
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(spec.unit ?? 'short')
    .min(0)
    .lineWidth(1)
    .fillOpacity(spec.stacked === true ? 60 : 10)
    .stacking(new StackingConfigBuilder().mode(spec.stacked === true ? StackingMode.Normal : StackingMode.None))
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['mean', 'max', 'lastNotNull']),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .gridPos({ x: 0, y: 0, w: spec.width, h: spec.height ?? 8 });
  if (spec.axisLabel !== undefined) panel.axisLabel(spec.axisLabel);
  spec.targets.forEach((target, index) => panel.withTarget(promQuery(target, index, 'range')));
  return panel;
}

/** A dashed red line at `limit`, the level an alert rule fires above: the panel shows how close the value is. */
export function withLimit(panel: TimeseriesPanelBuilder, limit: number): TimeseriesPanelBuilder {
  return panel
    .thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
        { value: null, color: 'green' },
        { value: limit, color: 'red' },
      ]),
    )
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
}

/** A full-width section header; the panels added after it belong to it. */
export function row(ids: PanelIds, title: string): RowBuilder {
  return new RowBuilder(title).id(ids.next());
}

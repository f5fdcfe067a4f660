import {
  BarGaugeDisplayMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
  VizOrientation,
} from '@grafana/grafana-foundation-sdk/common';
import { type Dashboard, DashboardBuilder, DashboardCursorSync } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarChartPanelBuilder } from '@grafana/grafana-foundation-sdk/barchart';
import { PanelBuilder as BarGaugePanelBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import {
  PanelBuilder as PieChartPanelBuilder,
  PieChartLabels,
  PieChartLegendOptionsBuilder,
  PieChartLegendValues,
  PieChartType,
} from '@grafana/grafana-foundation-sdk/piechart';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { POSTGRES_DATASOURCE } from './datasource.refs';
import { PostgresQueryBuilder } from './postgres-query.builder';
import { PanelIds, row } from './prometheus.panels';

/**
 * Demographic panels read the demographics read model (libs/database/src/demographics): each user's first event of
 * the dashboard's range is their first event if it is in the range (demographic_users), or else the event of the
 * range whose previous event is before it (demographic_events), so the rows are distinct users with their
 * attributes. Chains: 1 Facebook, 2 TikTok, 3 TikTok's top funnel. Counts and revenue come from the exact rollups.
 */
const usersInRange = (chains: readonly number[], columns: string): string =>
  `SELECT user_id, ${columns} FROM demographic_users WHERE chain IN (${chains.join(', ')}) AND $__timeFilter(first_at) UNION ALL SELECT user_id, ${columns} FROM demographic_events WHERE chain IN (${chains.join(', ')}) AND $__timeFilter(occurred_at) AND prev_at < $__timeFrom()`;

const sqlQuery = (sql: string, format: 'time_series' | 'table'): PostgresQueryBuilder =>
  new PostgresQueryBuilder(POSTGRES_DATASOURCE, sql).format(format);

const allValues = (): ReduceDataOptionsBuilder => new ReduceDataOptionsBuilder().values(true).calcs([]);

function sqlStat(ids: PanelIds, title: string, description: string, sql: string, decimals: number): StatPanelBuilder {
  return new StatPanelBuilder()
    .id(ids.next())
    .title(title)
    .description(description)
    .datasource(POSTGRES_DATASOURCE)
    .withTarget(sqlQuery(sql, 'table'))
    .decimals(decimals)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .gridPos({ x: 0, y: 0, w: 6, h: 4 });
}

function sqlTimeseries(ids: PanelIds, title: string, description: string, sql: string, label: string) {
  return (
    new TimeseriesPanelBuilder()
      .id(ids.next())
      .title(title)
      .description(description)
      .datasource(POSTGRES_DATASOURCE)
      .withTarget(sqlQuery(sql, 'time_series'))
      // A string column of a time_series query becomes a series label; name each series after it.
      .displayName(`\${__field.labels.${label}}`)
      .min(0)
      .fillOpacity(60)
      .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
      .legend(
        new VizLegendOptionsBuilder()
          .showLegend(true)
          .displayMode(LegendDisplayMode.Table)
          .placement(LegendPlacement.Bottom)
          .calcs(['sum', 'mean', 'max']),
      )
      .gridPos({ x: 0, y: 0, w: 12, h: 8 })
  );
}

function sqlPie(ids: PanelIds, title: string, description: string, sql: string) {
  return new PieChartPanelBuilder()
    .id(ids.next())
    .title(title)
    .description(description)
    .datasource(POSTGRES_DATASOURCE)
    .withTarget(sqlQuery(sql, 'table'))
    .pieType(PieChartType.Donut)
    .displayLabels([PieChartLabels.Percent])
    .reduceOptions(allValues())
    .legend(
      new PieChartLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Right)
        .values([PieChartLegendValues.Value, PieChartLegendValues.Percent]),
    )
    .gridPos({ x: 0, y: 0, w: 6, h: 8 });
}

function sqlBars(ids: PanelIds, title: string, description: string, sql: string, xField: string) {
  return new BarChartPanelBuilder()
    .id(ids.next())
    .title(title)
    .description(description)
    .datasource(POSTGRES_DATASOURCE)
    .withTarget(sqlQuery(sql, 'table'))
    .xField(xField)
    .orientation(VizOrientation.Vertical)
    .gridPos({ x: 0, y: 0, w: 6, h: 8 });
}

/** Business figures straight from PostgreSQL: events and revenue over time, campaigns, audience. */
export function buildBusinessDashboard(): Dashboard {
  const ids = new PanelIds();
  return new DashboardBuilder('Event pipeline: business')
    .uid('evp-business')
    .description(
      'Events, revenue and audience from the stored events (PostgreSQL). Counts and revenue are exact; audience panels use the newest 100k events of the range.',
    )
    .tags(['evp', 'business'])
    .timezone('browser')
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)

    .withRow(row(ids, 'Events and revenue'))
    .withPanel(
      sqlStat(
        ids,
        'Events stored',
        'Events stored with their own timestamp in the range, from the per-minute rollup.',
        'SELECT COALESCE(SUM(events), 0) AS events FROM event_counts_minute WHERE $__timeFilter(bucket)',
        0,
      ),
    )
    .withPanel(
      sqlStat(
        ids,
        'Revenue',
        'Sum of purchase amounts of transactional events (Facebook checkout.complete, TikTok purchase).',
        'SELECT COALESCE(SUM(revenue), 0) AS revenue FROM revenue_minute WHERE $__timeFilter(bucket)',
        2,
      ),
    )
    .withPanel(
      sqlStat(
        ids,
        'Transactions',
        'Number of transactional events.',
        'SELECT COALESCE(SUM(transactions), 0) AS transactions FROM revenue_minute WHERE $__timeFilter(bucket)',
        0,
      ),
    )
    .withPanel(
      sqlStat(
        ids,
        'Average order value',
        'Revenue divided by transactions.',
        'SELECT COALESCE(SUM(revenue) / NULLIF(SUM(transactions), 0), 0) AS average_order_value FROM revenue_minute WHERE $__timeFilter(bucket)',
        2,
      ),
    )
    .withPanel(
      sqlTimeseries(
        ids,
        'Events per minute by source',
        'Stored events per minute of their own timestamp, stacked by source.',
        'SELECT bucket AS "time", source, SUM(events) AS events FROM event_counts_minute WHERE $__timeFilter(bucket) GROUP BY bucket, source ORDER BY bucket',
        'source',
      ),
    )
    .withPanel(
      sqlTimeseries(
        ids,
        'Events per minute by funnel stage',
        'Stored events per minute of their own timestamp, stacked by funnel stage.',
        'SELECT bucket AS "time", funnel_stage, SUM(events) AS events FROM event_counts_minute WHERE $__timeFilter(bucket) GROUP BY bucket, funnel_stage ORDER BY bucket',
        'funnel_stage',
      ),
    )
    .withPanel(
      sqlTimeseries(
        ids,
        'Revenue per minute by source',
        'Revenue of transactional events per minute, stacked by source.',
        'SELECT bucket AS "time", source, SUM(revenue) AS revenue FROM revenue_minute WHERE $__timeFilter(bucket) GROUP BY bucket, source ORDER BY bucket',
        'source',
      ),
    )
    .withPanel(
      new TablePanelBuilder()
        .id(ids.next())
        .title('Top campaigns by revenue')
        .description(
          'Facebook campaigns (only Facebook events carry a campaign id) with the highest revenue in the range.',
        )
        .datasource(POSTGRES_DATASOURCE)
        .withTarget(
          sqlQuery(
            "SELECT campaign_id AS campaign, SUM(revenue) AS revenue, SUM(transactions) AS transactions FROM revenue_minute WHERE $__timeFilter(bucket) AND source = 'facebook' AND campaign_id <> '' GROUP BY campaign_id ORDER BY revenue DESC LIMIT 10",
            'table',
          ),
        )
        .gridPos({ x: 0, y: 0, w: 12, h: 8 }),
    )

    .withRow(row(ids, 'Audience (newest 100k events of the range)'))
    .withPanel(
      sqlPie(
        ids,
        'Facebook users by gender',
        'Distinct Facebook users by gender.',
        `SELECT COALESCE(gender, 'unknown') AS gender, COUNT(DISTINCT user_id) AS users FROM (${usersInRange([1], 'gender')}) AS users GROUP BY 1 ORDER BY users DESC`,
      ),
    )
    .withPanel(
      sqlBars(
        ids,
        'Facebook users by age group',
        'Distinct Facebook users by age group.',
        `SELECT CASE WHEN age < 25 THEN '18-24' WHEN age < 35 THEN '25-34' WHEN age < 45 THEN '35-44' WHEN age < 55 THEN '45-54' ELSE '55+' END AS age_group, COUNT(DISTINCT user_id) AS users FROM (${usersInRange([1], 'age')}) AS users WHERE age IS NOT NULL GROUP BY 1 ORDER BY 1`,
        'age_group',
      ),
    )
    .withPanel(
      sqlPie(
        ids,
        'TikTok users by device',
        'Distinct TikTok users by the device of their top-funnel events.',
        `SELECT device, COUNT(DISTINCT user_id) AS users FROM (${usersInRange([3], 'device')}) AS users WHERE device IS NOT NULL GROUP BY 1 ORDER BY users DESC`,
      ),
    )
    .withPanel(
      sqlBars(
        ids,
        'TikTok users by followers',
        'Distinct TikTok users by follower count.',
        `SELECT CASE WHEN followers < 1000 THEN '< 1k' WHEN followers < 10000 THEN '1k-10k' WHEN followers < 100000 THEN '10k-100k' WHEN followers < 500000 THEN '100k-500k' ELSE '500k+' END AS follower_group, COUNT(DISTINCT user_id) AS users FROM (${usersInRange([2], 'followers')}) AS users WHERE followers IS NOT NULL GROUP BY 1 ORDER BY MIN(followers)`,
        'follower_group',
      ),
    )
    .withPanel(
      new BarGaugePanelBuilder()
        .id(ids.next())
        .title('Top countries')
        .description('Countries with the most distinct users, both sources.')
        .datasource(POSTGRES_DATASOURCE)
        .withTarget(
          sqlQuery(
            `SELECT country, COUNT(DISTINCT user_id) AS users FROM (${usersInRange([1, 3], 'country')}) AS users WHERE country IS NOT NULL GROUP BY country ORDER BY users DESC LIMIT 10`,
            'table',
          ),
        )
        .reduceOptions(allValues())
        .orientation(VizOrientation.Horizontal)
        .displayMode(BarGaugeDisplayMode.Basic)
        .gridPos({ x: 0, y: 0, w: 24, h: 8 }),
    )
    .build();
}

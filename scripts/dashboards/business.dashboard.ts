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
import {
  CustomVariableBuilder,
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  TextBoxVariableBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
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
import { demographicDeltaCtes } from '@evp/database';
import { POSTGRES_DATASOURCE } from './datasource.refs';
import { PostgresQueryBuilder } from './postgres-query.builder';
import { PanelIds, row } from './prometheus.panels';

/**
 * The publisher sends amounts without a currency; they are shown as US dollars. Another currency is one Grafana unit
 * id away (`currencyEUR`, ...).
 */
export const REVENUE_UNIT = 'currencyUSD';

/**
 * Template variables. Grafana's PostgreSQL datasource quotes each value of a multi-value variable (`'facebook',
 * 'tiktok'`), and doubles the quotes of a single free-text value, which the SQL quotes itself.
 */
const SOURCES = ['facebook', 'tiktok'] as const;
const IN_SOURCES = 'source IN ($source)';
/** Only Facebook events carry a campaign; an empty box means every campaign, TikTok's revenue included. */
const ofCampaign = "('$campaign' = '' OR campaign_id = '$campaign')";

/**
 * Range demographic panels read the demographics read model (libs/database/src/demographics), as
 * `/reports/demographics?from=&to=` does: each user's first event of the dashboard's range is their first event if it
 * is in the range (demographic_users), or else the event of the range whose previous event is before it
 * (demographic_events), so the rows are distinct users with their attributes. Chains: 1 Facebook, 2 TikTok, 3
 * TikTok's top funnel. Counts and revenue come from the exact rollups.
 */
const usersInRange = (chains: readonly number[], columns: string): string =>
  `SELECT user_id, ${columns} FROM demographic_users WHERE chain IN (${chains.join(', ')}) AND $__timeFilter(first_at) UNION ALL SELECT user_id, ${columns} FROM demographic_events WHERE chain IN (${chains.join(', ')}) AND $__timeFilter(occurred_at) AND prev_at < $__timeFrom()`;

/**
 * All-time users, as `/reports/demographics` without `from`/`to` counts them: the read model's counter tables plus
 * the changes of the events still queued for the indexer (the same CTEs the report runs), so the figure is exact at
 * any indexer lag and equals the report's.
 */
const allTimeUsers = (table: string, deltas: string): string =>
  `WITH ${demographicDeltaCtes('demographic_pending')} SELECT COALESCE(SUM(users), 0)::int8 AS users FROM (SELECT users FROM ${table} UNION ALL SELECT users FROM ${deltas}) AS counted`;

/** The report's age groups (apps/reporter: AGE_GROUPS) and follower buckets (FOLLOWER_BUCKETS), so the two agree. */
const AGE_GROUP_SQL =
  "CASE WHEN age < 18 THEN '0-17' WHEN age < 25 THEN '18-24' WHEN age < 35 THEN '25-34' WHEN age < 45 THEN '35-44' WHEN age < 55 THEN '45-54' WHEN age < 65 THEN '55-64' ELSE '65+' END";
const FOLLOWER_BUCKET_SQL =
  "CASE WHEN followers < 1000 THEN '0-999' WHEN followers < 10000 THEN '1000-9999' WHEN followers < 100000 THEN '10000-99999' WHEN followers < 1000000 THEN '100000-999999' ELSE '1000000+' END";

/** The range just before the dashboard's, as long as it: the comparison of period over period. */
const previousPeriod = (column: string): string =>
  `${column} >= $__timeFrom()::timestamptz - ($__timeTo()::timestamptz - $__timeFrom()::timestamptz) AND ${column} < $__timeFrom()::timestamptz`;

const sqlQuery = (sql: string, format: 'time_series' | 'table'): PostgresQueryBuilder =>
  new PostgresQueryBuilder(POSTGRES_DATASOURCE, sql).format(format);

const allValues = (): ReduceDataOptionsBuilder => new ReduceDataOptionsBuilder().values(true).calcs([]);

function sqlStat(
  ids: PanelIds,
  title: string,
  description: string,
  sql: string,
  decimals: number,
  unit = 'short',
): StatPanelBuilder {
  return new StatPanelBuilder()
    .id(ids.next())
    .title(title)
    .description(description)
    .datasource(POSTGRES_DATASOURCE)
    .withTarget(sqlQuery(sql, 'table'))
    .decimals(decimals)
    .unit(unit)
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

/** Business figures straight from PostgreSQL: events and revenue over time, campaigns, funnel, audience. */
export function buildBusinessDashboard(): Dashboard {
  const ids = new PanelIds();
  return new DashboardBuilder('Event pipeline: business')
    .uid('evp-business')
    .description(
      'Events, revenue, funnel conversion and audience from the stored events (PostgreSQL). Counts and revenue are exact; audience panels read the demographics read model, as /reports/demographics does.',
    )
    .tags(['evp', 'business'])
    .timezone('browser')
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(
      new CustomVariableBuilder('source')
        .label('Source')
        .description('The sources whose events and revenue the panels count.')
        .values(SOURCES.join(','))
        .multi(true)
        .includeAll(true)
        .current({ text: 'All', value: '$__all' }),
    )
    .withVariable(
      new TextBoxVariableBuilder('campaign')
        .label('Campaign')
        .description(
          'A Facebook campaign id (camp-…) to narrow the revenue panels to; empty for every campaign. Only revenue is kept per campaign.',
        )
        .defaultValue(''),
    )

    .withRow(row(ids, 'Events and revenue'))
    .withPanel(
      sqlStat(
        ids,
        'Events stored',
        'Events of the selected sources stored with their own timestamp in the range, from the per-minute rollup.',
        `SELECT COALESCE(SUM(events), 0) AS events FROM event_counts_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES}`,
        0,
      ),
    )
    .withPanel(
      sqlStat(
        ids,
        'Revenue',
        'Sum of purchase amounts of transactional events (Facebook checkout.complete, TikTok purchase) of the selected sources and campaign.',
        `SELECT COALESCE(SUM(revenue), 0) AS revenue FROM revenue_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES} AND ${ofCampaign}`,
        2,
        REVENUE_UNIT,
      ),
    )
    .withPanel(
      sqlStat(
        ids,
        'Transactions',
        'Number of transactional events of the selected sources and campaign.',
        `SELECT COALESCE(SUM(transactions), 0) AS transactions FROM revenue_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES} AND ${ofCampaign}`,
        0,
      ),
    )
    .withPanel(
      sqlStat(
        ids,
        'Average order value',
        'Revenue divided by transactions.',
        `SELECT COALESCE(SUM(revenue) / NULLIF(SUM(transactions), 0), 0) AS average_order_value FROM revenue_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES} AND ${ofCampaign}`,
        2,
        REVENUE_UNIT,
      ),
    )
    .withPanel(
      sqlStat(
        ids,
        'Change from the previous period',
        'Events and revenue of the range against the range just before it, of the same length: +10 % means ten percent more. Empty when the previous period has none.',
        `SELECT (SELECT SUM(events) FROM event_counts_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES})::float8 / NULLIF((SELECT SUM(events) FROM event_counts_minute WHERE ${previousPeriod('bucket')} AND ${IN_SOURCES}), 0) - 1 AS events, (SELECT SUM(revenue) FROM revenue_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES} AND ${ofCampaign})::float8 / NULLIF((SELECT SUM(revenue) FROM revenue_minute WHERE ${previousPeriod('bucket')} AND ${IN_SOURCES} AND ${ofCampaign}), 0) - 1 AS revenue`,
        1,
        'percentunit',
      ).gridPos({ x: 0, y: 0, w: 12, h: 4 }),
    )
    .withPanel(
      sqlStat(
        ids,
        'Funnel conversion',
        'Bottom-of-funnel events (purchases) divided by top-of-funnel events (views) of the selected sources in the range.',
        `SELECT COALESCE(SUM(events) FILTER (WHERE funnel_stage = 'bottom'), 0)::float8 / NULLIF(SUM(events) FILTER (WHERE funnel_stage = 'top'), 0) AS conversion FROM event_counts_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES}`,
        2,
        'percentunit',
      ).gridPos({ x: 0, y: 0, w: 12, h: 4 }),
    )
    .withPanel(
      sqlTimeseries(
        ids,
        'Events per minute by source',
        'Stored events per minute of their own timestamp, stacked by source.',
        `SELECT bucket AS "time", source, SUM(events) AS events FROM event_counts_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES} GROUP BY bucket, source ORDER BY bucket`,
        'source',
      ),
    )
    .withPanel(
      sqlTimeseries(
        ids,
        'Events per minute by funnel stage',
        'Stored events per minute of their own timestamp, stacked by funnel stage.',
        `SELECT bucket AS "time", funnel_stage, SUM(events) AS events FROM event_counts_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES} GROUP BY bucket, funnel_stage ORDER BY bucket`,
        'funnel_stage',
      ),
    )
    .withPanel(
      sqlTimeseries(
        ids,
        'Revenue per minute by source',
        'Revenue of transactional events per minute, stacked by source.',
        `SELECT bucket AS "time", source, SUM(revenue) AS revenue FROM revenue_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES} AND ${ofCampaign} GROUP BY bucket, source ORDER BY bucket`,
        'source',
      ).unit(REVENUE_UNIT),
    )
    .withPanel(
      new TimeseriesPanelBuilder()
        .id(ids.next())
        .title('Funnel conversion per minute by source')
        .description(
          'Bottom-of-funnel events divided by top-of-funnel events of each minute, by source: how many views end in a purchase.',
        )
        .datasource(POSTGRES_DATASOURCE)
        .withTarget(
          sqlQuery(
            `SELECT bucket AS "time", source, SUM(events) FILTER (WHERE funnel_stage = 'bottom')::float8 / NULLIF(SUM(events) FILTER (WHERE funnel_stage = 'top'), 0) AS conversion FROM event_counts_minute WHERE $__timeFilter(bucket) AND ${IN_SOURCES} GROUP BY bucket, source ORDER BY bucket`,
            'time_series',
          ),
        )
        .displayName(`\${__field.labels.source}`)
        .unit('percentunit')
        .min(0)
        .gridPos({ x: 0, y: 0, w: 12, h: 8 }),
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
            `SELECT campaign_id AS campaign, SUM(revenue) AS revenue, SUM(transactions) AS transactions FROM revenue_minute WHERE $__timeFilter(bucket) AND source = 'facebook' AND campaign_id <> '' AND ${ofCampaign} GROUP BY campaign_id ORDER BY revenue DESC LIMIT 10`,
            'table',
          ),
        )
        .overrideByName('revenue', [{ id: 'unit', value: REVENUE_UNIT }])
        .gridPos({ x: 0, y: 0, w: 24, h: 8 }),
    )

    .withRow(row(ids, 'Audience, all time (as /reports/demographics without from and to)'))
    .withPanel(
      sqlStat(
        ids,
        'Facebook users, all time',
        'Distinct Facebook users ever seen: the same number as facebook.users of /reports/demographics without a range.',
        allTimeUsers('facebook_user_profiles', 'facebook_profile_deltas'),
        0,
      ).gridPos({ x: 0, y: 0, w: 12, h: 4 }),
    )
    .withPanel(
      sqlStat(
        ids,
        'TikTok users, all time',
        'Distinct TikTok users ever seen: the same number as tiktok.users of /reports/demographics without a range.',
        allTimeUsers('tiktok_user_follower_bands', 'tiktok_follower_deltas'),
        0,
      ).gridPos({ x: 0, y: 0, w: 12, h: 4 }),
    )

    .withRow(row(ids, 'Audience of the range (each user once, by their first event in it)'))
    .withPanel(
      sqlPie(
        ids,
        'Facebook users by gender',
        'Distinct Facebook users with events in the range, by the gender of their first event in it.',
        `SELECT COALESCE(gender, 'unknown') AS gender, COUNT(DISTINCT user_id) AS users FROM (${usersInRange([1], 'gender')}) AS users GROUP BY 1 ORDER BY users DESC`,
      ),
    )
    .withPanel(
      sqlBars(
        ids,
        'Facebook users by age group',
        "Distinct Facebook users with events in the range, by age group (the report's groups).",
        `SELECT ${AGE_GROUP_SQL} AS age_group, COUNT(DISTINCT user_id) AS users FROM (${usersInRange([1], 'age')}) AS users WHERE age IS NOT NULL GROUP BY 1 ORDER BY MIN(age)`,
        'age_group',
      ),
    )
    .withPanel(
      sqlPie(
        ids,
        'TikTok users by device',
        'Distinct TikTok users by the device of their first top-funnel event in the range.',
        `SELECT device, COUNT(DISTINCT user_id) AS users FROM (${usersInRange([3], 'device')}) AS users WHERE device IS NOT NULL GROUP BY 1 ORDER BY users DESC`,
      ),
    )
    .withPanel(
      sqlBars(
        ids,
        'TikTok users by followers',
        "Distinct TikTok users with events in the range, by follower count (the report's buckets).",
        `SELECT ${FOLLOWER_BUCKET_SQL} AS follower_group, COUNT(DISTINCT user_id) AS users FROM (${usersInRange([2], 'followers')}) AS users WHERE followers IS NOT NULL GROUP BY 1 ORDER BY MIN(followers)`,
        'follower_group',
      ),
    )
    .withPanel(
      new BarGaugePanelBuilder()
        .id(ids.next())
        .title('Top countries')
        .description('Countries with the most distinct users in the range, both sources.')
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

    .withRow(row(ids, 'Ingestion (as /reports/ingestion)'))
    .withPanel(
      sqlTimeseries(
        ids,
        'What became of what senders sent',
        'Events accepted and dead-lettered (per reason) of the selected sources, and requests throttled (every sender), per minute the gateway received them, from the ingestion rollup.',
        `SELECT bucket AS "time", CASE WHEN reason = '' OR outcome = 'throttled' THEN outcome ELSE outcome || ' ' || reason END AS outcome, SUM(count) AS count FROM ingestion_counts_minute WHERE $__timeFilter(bucket) AND (${IN_SOURCES} OR outcome = 'throttled') GROUP BY 1, 2 ORDER BY 1`,
        'outcome',
      ),
    )
    .build();
}

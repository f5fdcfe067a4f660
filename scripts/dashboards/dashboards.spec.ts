import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type DashboardJson,
  type PanelJson,
  loadCommittedDashboards,
  panelsOf,
  queriesOf,
  substituteGrafanaVariables,
} from './dashboard.inspection';
import { DASHBOARDS, DASHBOARDS_DIR, renderDashboard } from './dashboards.catalog';
import { REVENUE_UNIT } from './business.dashboard';
import { INFRASTRUCTURE_ALERT_LEVELS, INFRASTRUCTURE_EXPRESSIONS } from './infrastructure.panels';
import { FRESHNESS_GOAL_SECONDS, PIPELINE_ALERT_LEVELS, STREAM_ALERT_LEVELS } from './pipeline.dashboard';

const DATASOURCES_FILE = resolve(__dirname, '../../deploy/grafana/provisioning/datasources/datasources.yml');
const ALERT_RULES_FILE = resolve(__dirname, '../../deploy/prometheus/rules/pipeline.alerts.yml');
const FRESHNESS_RULES_FILE = resolve(__dirname, '../../deploy/prometheus/rules/freshness.alerts.yml');
const INFRASTRUCTURE_RULES_FILE = resolve(__dirname, '../../deploy/prometheus/rules/infrastructure.alerts.yml');

/** The expression of each alert of a rule file, by alert name. */
async function alertExpressions(file: string): Promise<Map<string, string>> {
  const { groups } = parse(await readFile(file, 'utf8')) as {
    groups: { rules: { alert?: string; expr: string }[] }[];
  };
  return new Map(groups.flatMap((group) => group.rules).map((rule) => [rule.alert ?? '', rule.expr.trim()]));
}

interface ProvisionedDatasource {
  uid: string;
  type: string;
}

const overlaps = (a: PanelJson['gridPos'], b: PanelJson['gridPos']): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('DASHBOARDS', () => {
  let committed: { file: string; dashboard: DashboardJson }[];
  let provisioned: ProvisionedDatasource[];

  beforeAll(async () => {
    committed = await loadCommittedDashboards();
    const file = parse(await readFile(DATASOURCES_FILE, 'utf8')) as { datasources: ProvisionedDatasource[] };
    provisioned = file.datasources;
  });

  describe('when regenerated from the builders', () => {
    it('should match the committed JSON byte for byte (run npm run dashboards:generate after changing a builder)', async () => {
      for (const { file, build } of DASHBOARDS) {
        const onDisk = await readFile(resolve(DASHBOARDS_DIR, file), 'utf8');
        expect(await renderDashboard(build(), file), file).toBe(onDisk);
      }
    });
  });

  describe('when read as Grafana provisions them', () => {
    it('should give each dashboard its own uid and title', () => {
      const uids = committed.map(({ dashboard }) => dashboard.uid);
      const titles = committed.map(({ dashboard }) => dashboard.title);
      expect(new Set(uids).size).toBe(uids.length);
      expect(new Set(titles).size).toBe(titles.length);
      for (const uid of uids) expect(uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    });

    it('should give every panel an id unique in its dashboard', () => {
      for (const { file, dashboard } of committed) {
        const ids = panelsOf(dashboard).map((panel) => panel.id);
        expect(
          ids.every((id) => Number.isInteger(id) && id > 0),
          file,
        ).toBe(true);
        expect(new Set(ids).size, file).toBe(ids.length);
      }
    });

    it('should place every panel inside the 24-column grid without overlapping another', () => {
      for (const { file, dashboard } of committed) {
        const panels = panelsOf(dashboard);
        for (const { title, gridPos } of panels) {
          expect(gridPos, `${file}: ${title}`).toBeDefined();
          expect(gridPos.x >= 0 && gridPos.y >= 0 && gridPos.w > 0 && gridPos.h > 0, `${file}: ${title}`).toBe(true);
          expect(gridPos.x + gridPos.w, `${file}: ${title}`).toBeLessThanOrEqual(24);
        }
        panels.forEach((a, i) =>
          panels
            .slice(i + 1)
            .forEach((b) => expect(overlaps(a.gridPos, b.gridPos), `${a.title} / ${b.title}`).toBe(false)),
        );
      }
    });

    it('should refer only to provisioned datasources, by uid and matching type', () => {
      const typeByUid = new Map(provisioned.map((datasource) => [datasource.uid, datasource.type]));
      for (const { dashboard } of committed) {
        for (const panel of panelsOf(dashboard)) {
          const refs = [panel.datasource, ...(panel.targets ?? []).map((target) => target.datasource)];
          for (const ref of refs.filter((r) => r !== undefined)) {
            expect(typeByUid.get(ref.uid ?? ''), `${panel.title}: ${ref.uid}`).toBe(ref.type);
          }
        }
      }
    });

    it('should give every query a refId unique in its panel and a non-empty expression', () => {
      for (const { dashboard } of committed) {
        const queries = queriesOf(dashboard);
        expect(queries.length).toBeGreaterThan(0);
        for (const query of queries) {
          expect(query.refId, query.panel).toMatch(/^[A-Z]$/);
          expect(query.query.trim(), `${query.panel} ${query.refId}`).not.toBe('');
        }
        const keys = queries.map((query) => `${query.panelId}/${query.refId}`);
        expect(new Set(keys).size).toBe(keys.length);
      }
    });

    it('should leave no Grafana variable unresolved once the built-in ones are substituted', () => {
      const values = { rateInterval: '1m', range: '5m', interval: '15s' };
      for (const { dashboard } of committed) {
        for (const query of queriesOf(dashboard).filter((q) => q.language === 'promql')) {
          expect(substituteGrafanaVariables(query.query, values), query.panel).not.toContain('$');
        }
      }
    });
  });

  describe('when the pipeline dashboard is built', () => {
    const pipeline = (): DashboardJson => committed.find(({ file }) => file === 'pipeline.json')!.dashboard;
    const panel = (title: string): PanelJson => {
      const found = panelsOf(pipeline()).find((candidate) => candidate.title === title);
      expect(found, title).toBeDefined();
      return found!;
    };
    const exprs = (title: string): string[] => (panel(title).targets ?? []).map((target) => target.expr ?? '');

    it('should show gateway accepted, processed and failed events as stat panels over the dashboard range', () => {
      for (const [title, metric] of [
        ['Gateway: accepted events', 'gateway_events_accepted_total'],
        ['Gateway: processed events', 'gateway_events_processed_total'],
        ['Gateway: failed events', 'gateway_events_failed_total'],
      ] as const) {
        expect(panel(title).type).toBe('stat');
        expect(exprs(title)[0]).toContain(`increase(${metric}[$__range])`);
      }
    });

    it('should show collector accepted, processed and failed events as stacked per-minute rates', () => {
      for (const [title, metric] of [
        ['Collectors: accepted events per minute', 'collector_events_accepted_total'],
        ['Collectors: processed events per minute', 'collector_events_processed_total'],
        ['Collectors: failed events per minute', 'collector_events_failed_total'],
      ] as const) {
        expect(panel(title).type).toBe('timeseries');
        expect(panel(title).fieldConfig?.defaults?.custom?.stacking?.mode).toBe('normal');
        expect(exprs(title)[0]).toContain(`sum by (source) (rate(${metric}[$__rate_interval])) * 60`);
      }
    });

    it('should show report latency by report category as p50 and p95 from the reporter histogram', () => {
      const title = 'Reporter: report latency by report';
      expect(panel(title).type).toBe('timeseries');
      expect(exprs(title)).toEqual([
        'histogram_quantile(0.5, sum by (le, report) (rate(reporter_report_duration_seconds_bucket[$__rate_interval])))',
        'histogram_quantile(0.95, sum by (le, report) (rate(reporter_report_duration_seconds_bucket[$__rate_interval])))',
      ]);
    });

    it('should show consumer lag and dead letters', () => {
      expect(exprs('Consumer lag (pending events)')).toEqual(['max by (source) (collector_consumer_pending_events)']);
      const deadLetters = exprs('Dead letters per minute').join('\n');
      expect(deadLetters).toContain('messaging_dead_lettered_total');
      expect(deadLetters).toContain('gateway_events_failed_total{reason=~"invalid|future_timestamp"}');
      expect(deadLetters).toContain('collector_events_failed_total{reason=~"invalid|dead_letter"}');
    });

    it("should show each stream's storage against its byte limit, with thresholds at the alert rules' levels", async () => {
      const title = 'JetStream stream storage';
      expect(exprs(title)).toEqual([
        'max by (stream) (messaging_stream_bytes) / max by (stream) (messaging_stream_max_bytes > 0)',
        'max by (stream) (messaging_stream_messages)',
        'max by (stream) (messaging_stream_bytes)',
        'max by (stream) (messaging_stream_max_bytes > 0)',
      ]);
      const steps = panel(title).fieldConfig?.defaults?.thresholds?.steps ?? [];
      expect(steps.map((step) => step.value)).toEqual([
        null,
        STREAM_ALERT_LEVELS.warning,
        STREAM_ALERT_LEVELS.critical,
      ]);

      const { groups } = parse(await readFile(ALERT_RULES_FILE, 'utf8')) as {
        groups: { rules: { alert?: string; expr: string }[] }[];
      };
      const ruleExpr = (alert: string): string | undefined =>
        groups.flatMap((group) => group.rules).find((rule) => rule.alert === alert)?.expr;
      expect(ruleExpr('EvpStreamFillingUp')).toBe(`${exprs(title)[0]} > ${STREAM_ALERT_LEVELS.warning}`);
      expect(ruleExpr('EvpStreamAlmostFull')).toBe(`${exprs(title)[0]} > ${STREAM_ALERT_LEVELS.critical}`);
    });

    it('should show freshness by source and lane, with the goal the freshness alert fires above', async () => {
      const title = 'Freshness: received to stored';
      expect(exprs(title)).toEqual([
        'histogram_quantile(0.95, sum by (le, source, lane) (rate(pipeline_ingest_to_stored_seconds_bucket[$__rate_interval])))',
        'histogram_quantile(0.5, sum by (le, source, lane) (rate(pipeline_ingest_to_stored_seconds_bucket[$__rate_interval])))',
      ]);
      const steps = panel(title).fieldConfig?.defaults?.thresholds?.steps ?? [];
      expect(steps.map((step) => step.value)).toEqual([null, FRESHNESS_GOAL_SECONDS]);

      const { groups } = parse(await readFile(FRESHNESS_RULES_FILE, 'utf8')) as {
        groups: { rules: { alert?: string; expr: string }[] }[];
      };
      const rule = groups
        .flatMap((group) => group.rules)
        .find((candidate) => candidate.alert === 'EvpFreshnessBehindGoal');
      expect(rule?.expr).toBe(
        `histogram_quantile(0.95, sum by (le, source) (rate(pipeline_ingest_to_stored_seconds_bucket{lane="live"}[5m]))) > ${FRESHNESS_GOAL_SECONDS}`,
      );
    });

    const thresholdsOf = (title: string): (number | null)[] =>
      (panel(title).fieldConfig?.defaults?.thresholds?.steps ?? []).map((step) => step.value);

    it('should draw the consumer lag, dead letter and report latency alert levels as thresholds', async () => {
      const rules = await alertExpressions(ALERT_RULES_FILE);
      const levels = PIPELINE_ALERT_LEVELS;
      expect(thresholdsOf('Consumer lag (pending events)')).toEqual([null, levels.consumerLagEvents]);
      expect(rules.get('EvpConsumerLagGrowing')).toContain(
        `max by (source) (collector_consumer_pending_events) > ${levels.consumerLagEvents}`,
      );
      expect(thresholdsOf('Dead letters per minute')).toEqual([null, levels.deadLettersPerMinute]);
      expect(rules.get('EvpDeadLettersGrowing')).toBe(
        `sum by (origin) (rate(messaging_dead_lettered_total[10m])) > ${levels.deadLettersPerMinute / 60}`,
      );
      expect(thresholdsOf('Reporter: report latency by report')).toEqual([null, levels.reportP95Seconds]);
      expect(rules.get('EvpSlowReports')).toMatch(new RegExp(` > ${levels.reportP95Seconds}$`));
    });

    it('should show stream bytes and messages, consumer pending and redeliveries from the NATS exporter', () => {
      expect(exprs('JetStream: stream bytes and messages')).toEqual([
        'max by (stream_name) (jetstream_stream_total_bytes)',
        'max by (stream_name) (jetstream_stream_total_messages)',
      ]);
      expect(exprs('JetStream: consumer pending and redeliveries')).toEqual([
        'max by (stream_name, consumer_name) (jetstream_consumer_num_redelivered)',
        'max by (stream_name, consumer_name) (jetstream_consumer_num_pending)',
        'max by (stream_name, consumer_name) (jetstream_consumer_num_ack_pending)',
      ]);
    });

    it('should show PostgreSQL connections, database and table sizes and dead rows from postgres_exporter', () => {
      expect(exprs('PostgreSQL: connections of max_connections')[0]).toBe(
        INFRASTRUCTURE_EXPRESSIONS.postgresConnections,
      );
      expect(exprs('PostgreSQL: database size')[0]).toContain('pg_database_size_bytes');
      expect(exprs('PostgreSQL: largest tables')).toEqual([
        'topk(10, max by (relname) (pg_stat_user_tables_table_size_bytes))',
      ]);
      expect(exprs('PostgreSQL: dead rows').join('\n')).toContain('pg_stat_user_tables_n_dead_tup');
      expect(thresholdsOf('PostgreSQL: dead rows')).toEqual([null, 0.2]);
    });

    it("should draw each infrastructure alert's level as the threshold of the panel showing its expression", async () => {
      const rules = await alertExpressions(INFRASTRUCTURE_RULES_FILE);
      const cases = [
        ['EvpJetStreamStorageNearLimit', 'jetstreamStorage', 'JetStream: store used of the server limit'],
        ['EvpNatsConnectionsNearLimit', 'natsConnections', 'NATS: client connections of the limit'],
        ['EvpConsumerRedeliveriesRising', 'redelivered', 'JetStream: consumer pending and redeliveries'],
        ['EvpPostgresConnectionsNearLimit', 'postgresConnections', 'PostgreSQL: connections of max_connections'],
      ] as const;
      for (const [alert, key, title] of cases) {
        const level = INFRASTRUCTURE_ALERT_LEVELS[key];
        expect(rules.get(alert)?.startsWith(`${INFRASTRUCTURE_EXPRESSIONS[key]} > ${level}`), alert).toBe(true);
        expect(exprs(title), title).toContain(INFRASTRUCTURE_EXPRESSIONS[key]);
        expect(thresholdsOf(title), title).toEqual([null, level]);
      }
    });
  });

  describe('when the business dashboard is built', () => {
    const business = (): DashboardJson => committed.find(({ file }) => file === 'business.json')!.dashboard;
    const panel = (title: string): PanelJson & { fieldConfig?: { defaults?: { unit?: string } } } => {
      const found = panelsOf(business()).find((candidate) => candidate.title === title);
      expect(found, title).toBeDefined();
      return found!;
    };
    const sqlOf = (title: string): string => (panel(title).targets ?? []).map((target) => target.rawSql).join('\n');

    it('should offer a multi-value source variable and a free-text campaign variable', () => {
      const variables = (business() as { templating?: { list?: Record<string, unknown>[] } }).templating?.list ?? [];
      expect(variables).toEqual([
        expect.objectContaining({ name: 'source', type: 'custom', multi: true, includeAll: true }),
        expect.objectContaining({ name: 'campaign', type: 'textbox', query: '' }),
      ]);
      for (const title of ['Events stored', 'Revenue', 'Funnel conversion', 'Revenue per minute by source'])
        expect(sqlOf(title), title).toContain('source IN ($source)');
      for (const title of ['Revenue', 'Transactions', 'Average order value', 'Top campaigns by revenue'])
        expect(sqlOf(title), title).toContain("('$campaign' = '' OR campaign_id = '$campaign')");
    });

    it('should show money in a currency unit and conversions as shares', () => {
      for (const title of ['Revenue', 'Average order value', 'Revenue per minute by source'])
        expect(panel(title).fieldConfig?.defaults?.unit, title).toBe(REVENUE_UNIT);
      for (const title of [
        'Funnel conversion',
        'Funnel conversion per minute by source',
        'Change from the previous period',
      ])
        expect(panel(title).fieldConfig?.defaults?.unit, title).toBe('percentunit');
      expect(sqlOf('Funnel conversion')).toMatch(/funnel_stage = 'bottom'.*\/ NULLIF\(.*funnel_stage = 'top'/);
    });

    it('should read the audience from the read model, never from a sample of events', () => {
      const audience = ['Facebook users, all time', 'TikTok users, all time', 'Facebook users by gender'];
      for (const title of audience) expect(sqlOf(title), title).not.toMatch(/FROM events\b|LIMIT 100000/);
      expect(sqlOf('Facebook users, all time')).toContain('FROM facebook_user_profiles');
      expect(sqlOf('TikTok users, all time')).toContain('FROM tiktok_user_follower_bands');
      expect(sqlOf('Facebook users by gender')).toContain('FROM demographic_users');
    });
  });
});

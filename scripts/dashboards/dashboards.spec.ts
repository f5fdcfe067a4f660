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
import { FRESHNESS_GOAL_SECONDS, STREAM_ALERT_LEVELS } from './pipeline.dashboard';

const DATASOURCES_FILE = resolve(__dirname, '../../deploy/grafana/provisioning/datasources/datasources.yml');
const ALERT_RULES_FILE = resolve(__dirname, '../../deploy/prometheus/rules/pipeline.alerts.yml');
const FRESHNESS_RULES_FILE = resolve(__dirname, '../../deploy/prometheus/rules/freshness.alerts.yml');

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
  });
});

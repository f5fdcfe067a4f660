import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCommittedDashboards, queriesOf } from '../dashboard.inspection';
import { unresolvedVariables } from './grafana.variables';
import { dashboardPanelQueries, dashboardSqlQueryCount, ruleExpressions } from './promql.catalog';

const RULES_DIR = resolve(__dirname, '../../../deploy/prometheus/rules');

describe('PromQL catalog', () => {
  describe(dashboardPanelQueries.name, () => {
    it('should list every Prometheus query of the committed dashboards, and only those', async () => {
      const dashboards = await loadCommittedDashboards();
      const promql = dashboards
        .flatMap(({ dashboard }) => queriesOf(dashboard))
        .filter((query) => query.language === 'promql');
      const queries = await dashboardPanelQueries(2);
      expect(queries.map(({ panel, refId, expr }) => ({ panel, refId, expr }))).toEqual(
        promql.map(({ panel, refId, query }) => ({ panel, refId, expr: query })),
      );
      expect(queries.length).toBeGreaterThan(0);
    });

    it('should leave no Grafana variable in the queries it resolves', async () => {
      for (const query of await dashboardPanelQueries(2))
        expect(unresolvedVariables(query.query), query.expr).toEqual([]);
    });

    describe('when the dashboard range is 30 minutes and Prometheus scrapes every 2 s', () => {
      it('should resolve $__rate_interval to 8s and $__range to 1800s', async () => {
        const queries = await dashboardPanelQueries(2);
        const accepted = queries.find((query) => query.panel === 'Gateway: accepted events');
        expect(accepted?.query).toBe('sum(increase(gateway_events_accepted_total[1800s]))');
        expect(queries.find((query) => query.expr.includes('$__rate_interval'))?.query).toContain('[8s]');
      });
    });
  });

  describe(dashboardSqlQueryCount.name, () => {
    it('should count the SQL queries the business dashboard holds', async () => {
      const dashboards = await loadCommittedDashboards();
      const sql = dashboards
        .flatMap(({ dashboard }) => queriesOf(dashboard))
        .filter((query) => query.language === 'sql');
      expect(await dashboardSqlQueryCount()).toBe(sql.length);
    });
  });

  describe(ruleExpressions.name, () => {
    it('should list every alert of the committed rule files with its group and expression', async () => {
      const rules = await ruleExpressions(RULES_DIR);
      expect(rules.map((rule) => rule.name)).toContain('EvpTargetDown');
      expect(rules.find((rule) => rule.name === 'EvpTargetDown')).toEqual({
        file: 'pipeline.alerts.yml',
        group: 'evp-availability',
        name: 'EvpTargetDown',
        expr: 'up{job=~"gateway|fb-collector|ttk-collector|reporter"} == 0',
      });
      for (const rule of rules) expect(rule.expr, rule.name).not.toBe('');
    });
  });
});

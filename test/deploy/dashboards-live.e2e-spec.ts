import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@evp/testing';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivatePrometheus } from '../../scripts/dashboards/check/private-prometheus';
import { buildCheckConfig } from '../../scripts/dashboards/check/prometheus-config.builder';
import { ensurePrometheus, findOnPath } from '../../scripts/dashboards/check/prometheus.binary';
import { ruleExpressions } from '../../scripts/dashboards/check/promql.catalog';
import { checkPanelQueries, checkRules } from '../../scripts/dashboards/check/promql.checker';
import { waitForScrapes } from '../../scripts/dashboards/check/scrape.readiness';

const run = promisify(execFile);

/*
 * The machinery of `npm run check:dashboards` against a real private Prometheus scraping a small prom-client
 * endpoint: starting and stopping Prometheus, the generated configuration, waiting for scrapes, and the verdicts
 * on queries that have data, have none, or do not parse. The full check (the whole pipeline under load) is the
 * script itself.
 */

const BASE_CONFIG = `
global:
  scrape_interval: 15s
rule_files:
  - rules/*.yml
scrape_configs:
  - job_name: probe
    static_configs:
      - targets: ['placeholder:1']
`;

const RULES = `
groups:
  - name: probe-alerts
    rules:
      - alert: ProbeBusy
        expr: sum by (job) (rate(probe_requests_total[1m])) > 1000
        for: 1m
      - record: job:probe_requests:rate1m
        expr: sum by (job) (rate(probe_requests_total[1m]))
`;

/** What the probe endpoint declares, plus Prometheus's own `up`. */
const KNOWN = new Set([
  'up',
  'probe_requests_total',
  'probe_duration_seconds_bucket',
  'probe_duration_seconds_sum',
  'probe_duration_seconds_count',
]);

const panel = (expr: string) => ({ dashboard: 'Probe', panel: 'Requests', refId: 'A', expr, query: expr });

describe(PrivatePrometheus.name, () => {
  let dir: string;
  let metricsServer: Server;
  let prometheus: PrivatePrometheus;
  let configFile: string;
  let binary: string;

  beforeAll(async () => {
    binary = ensurePrometheus(() => undefined);
    dir = await mkdtemp(join(tmpdir(), 'evp-dashcheck-test-'));
    await mkdir(join(dir, 'rules'));
    await writeFile(join(dir, 'rules', 'probe.alerts.yml'), RULES);

    const registry = new Registry();
    const requests = new Counter({
      name: 'probe_requests_total',
      help: 'Requests.',
      labelNames: ['route'],
      registers: [registry],
    });
    const duration = new Histogram({ name: 'probe_duration_seconds', help: 'Durations.', registers: [registry] });
    requests.inc({ route: '/a' }, 5);
    requests.inc({ route: '/b' }, 2);
    duration.observe(0.2);
    const port = await freePort();
    metricsServer = createServer((_request, response) => {
      requests.inc({ route: '/a' });
      void registry
        .metrics()
        .then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text));
    });
    await new Promise<void>((done) => metricsServer.listen(port, '127.0.0.1', done));

    const configYaml = buildCheckConfig(BASE_CONFIG, {
      targetPorts: { probe: port },
      scrapeIntervalSeconds: 1,
      baseDir: dir,
    });
    prometheus = await PrivatePrometheus.start({ binary, configYaml });
    configFile = join(prometheus.dir, 'prometheus.yml');
    await waitForScrapes(prometheus.api, { jobs: ['probe'], minScrapes: 3, timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((done) => metricsServer?.close(done));
    await rm(dir, { recursive: true, force: true });
  });

  describe('when started from a configuration built by buildCheckConfig', () => {
    it('should know the metrics the target declares', async () => {
      expect(await prometheus.api.metricNames()).toEqual(
        expect.arrayContaining(['up', 'probe_requests_total', 'probe_duration_seconds_bucket']),
      );
    });

    it('should have written a configuration that promtool accepts, rule files included', async () => {
      const promtool = findOnPath('promtool');
      expect(promtool, 'promtool comes with the prometheus package').toBeDefined();
      const { stdout } = await run(promtool!, ['check', 'config', configFile]);
      expect(stdout).toContain('SUCCESS');
      expect(stdout).toContain(resolve(dir, 'rules', 'probe.alerts.yml'));
    });

    it('should scrape the target on 127.0.0.1 and report it up', async () => {
      const targets = await prometheus.api.targets();
      expect(targets).toEqual([
        expect.objectContaining({ job: 'probe', health: 'up', instance: expect.stringMatching(/^127\.0\.0\.1:\d+$/) }),
      ]);
    });
  });

  describe(checkPanelQueries.name, () => {
    describe('when the metric is exposed', () => {
      it('should pass with one series per label set and show their values', async () => {
        const [checked] = await checkPanelQueries(
          prometheus.api,
          [panel('sum by (route) (rate(probe_requests_total[5s]))')],
          KNOWN,
        );
        expect(checked).toMatchObject({ series: 2, problem: undefined });
        expect(checked!.sample).toEqual([
          expect.stringMatching(/^\{route="\/a"\} /),
          expect.stringMatching(/^\{route="\/b"\} /),
        ]);
      });
    });

    describe('when the metric name matches nothing the target exposes', () => {
      it('should fail with no data, naming the metric', async () => {
        const [checked] = await checkPanelQueries(prometheus.api, [panel('sum(rate(probe_request_total[5s]))')], KNOWN);
        expect(checked).toMatchObject({ series: 0, problem: 'no data: no service exposes probe_request_total' });
      });
    });

    describe('when the metric is declared but has no sample in the window', () => {
      it('should fail with no data', async () => {
        const [checked] = await checkPanelQueries(
          prometheus.api,
          [panel('probe_requests_total{route="/never"}')],
          KNOWN,
        );
        expect(checked).toMatchObject({ series: 0, problem: 'no data: the query returned no series' });
      });
    });

    describe('when one branch of an `or` selects a metric nothing exposes', () => {
      it('should pass with the other branch\u2019s series and warn about the unknown metric', async () => {
        const [checked] = await checkPanelQueries(
          prometheus.api,
          [panel('sum(rate(probe_missing_total[5s])) or vector(0)')],
          KNOWN,
        );
        expect(checked).toMatchObject({
          series: 1,
          problem: undefined,
          warning: 'no service exposes probe_missing_total: that part of the query shows nothing',
        });
      });
    });

    describe('when the expression does not parse', () => {
      it('should fail with Prometheus\u2019s error', async () => {
        const [checked] = await checkPanelQueries(prometheus.api, [panel('sum(rate(probe_requests_total[5s])')], KNOWN);
        expect(checked!.series).toBeUndefined();
        expect(checked!.problem).toMatch(/^bad_data: .*parse error/);
      });
    });

    describe('when a Grafana variable was left in the expression', () => {
      it('should fail naming it', async () => {
        const [checked] = await checkPanelQueries(
          prometheus.api,
          [panel('sum(rate(probe_requests_total[$__rate_interval]))')],
          KNOWN,
        );
        expect(checked!.problem).toBe('unresolved Grafana variables $__rate_interval');
      });
    });
  });

  describe(checkRules.name, () => {
    describe('when every rule of the files is loaded and evaluates', () => {
      it('should pass each, whether it returns series or not', async () => {
        const checked = await checkRules(
          prometheus.api,
          await ruleExpressions(join(dir, 'rules')),
          await prometheus.api.rules(),
          KNOWN,
        );
        expect(checked.map(({ title, series, problem, warning }) => ({ title, series, problem, warning }))).toEqual([
          { title: 'probe-alerts / ProbeBusy', series: 0, problem: undefined, warning: undefined },
          { title: 'probe-alerts / job:probe_requests:rate1m', series: 1, problem: undefined, warning: undefined },
        ]);
      });
    });

    describe('when a rule of the files is not loaded by Prometheus', () => {
      it('should fail saying so', async () => {
        const missing = { file: 'other.yml', group: 'other', name: 'Elsewhere', expr: 'up == 0' };
        const [checked] = await checkRules(prometheus.api, [missing], await prometheus.api.rules(), KNOWN);
        expect(checked!.problem).toBe('not loaded by Prometheus (is other.yml in rule_files?)');
      });
    });

    describe('when a rule watches a metric no service exposes', () => {
      it('should pass, since it evaluates, with a warning naming the metric', async () => {
        const [rule] = await ruleExpressions(join(dir, 'rules'));
        const [checked] = await checkRules(prometheus.api, [rule!], await prometheus.api.rules(), new Set(['up']));
        expect(checked).toMatchObject({
          problem: undefined,
          warning: 'no service exposes probe_requests_total: the rule cannot see what it watches',
        });
      });
    });
  });

  describe(waitForScrapes.name, () => {
    describe('when a job has no target', () => {
      it('should give up at the deadline naming what it waited for', async () => {
        await expect(
          waitForScrapes(prometheus.api, { jobs: ['probe', 'absent'], minScrapes: 1, timeoutMs: 1_500 }),
        ).rejects.toMatchObject({
          code: 'DASHCHECK.TARGETS_NOT_UP',
          message: expect.stringContaining('absent: no target') as unknown,
        });
      });
    });
  });

  describe('when stopped', () => {
    it('should exit and remove its directory', async () => {
      const other = await PrivatePrometheus.start({ binary, configYaml: 'global:\n  scrape_interval: 5s\n' });
      expect(existsSync(other.dir)).toBe(true);
      await other.stop();
      expect(existsSync(other.dir)).toBe(false);
      expect(await other.api.ready()).toBe(false);
    });
  });
});

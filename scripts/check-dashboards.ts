/**
 * `npm run check:dashboards`: proves the Grafana dashboards and the Prometheus alert rules work against the real
 * services. Starts a private NATS server with its monitoring port, the pipeline from its build (own database,
 * streams and durables, free ports) under the publisher emulator's load with corruptions, the exporters of NATS and
 * PostgreSQL (Debian's postgres_exporter on the check's database; for NATS a stand-in serving
 * prometheus-nats-exporter's metrics, since compose's exporter image needs Docker), a private Prometheus scraping
 * all of it with the committed no-Docker configuration and rules, then runs every PromQL expression of the
 * dashboards and the rules through
 * Prometheus's HTTP API. A panel query that errors or returns no series fails the check, as does a rule that
 * does not evaluate. Everything started is stopped and removed at the end, on failure and on Ctrl-C too.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startPrivateNats } from '@evp/testing';
import { checkAudienceAgreement } from './dashboards/check/audience.agreement';
import { formatChecked, formatSummary } from './dashboards/check/check.report';
import { NatsMonitorExporter } from './dashboards/check/nats-monitor.exporter';
import { PipelineLoad } from './dashboards/check/pipeline.load';
import { PostgresExporterProcess } from './dashboards/check/postgres-exporter.process';
import { PrivatePrometheus } from './dashboards/check/private-prometheus';
import { buildCheckConfig } from './dashboards/check/prometheus-config.builder';
import { ensureDebianBinary, ensurePrometheus } from './dashboards/check/prometheus.binary';
import { dashboardPanelQueries, dashboardSqlQueryCount, ruleExpressions } from './dashboards/check/promql.catalog';
import { type CheckedExpression, checkPanelQueries, checkRules } from './dashboards/check/promql.checker';
import { waitForScrapes } from './dashboards/check/scrape.readiness';
import { TeardownStack } from './dashboards/check/teardown.stack';

const root = resolve(__dirname, '..');
const LOCAL_CONFIG = resolve(root, 'deploy/prometheus/prometheus.local.yml');
const RULES_DIR = resolve(root, 'deploy/prometheus/rules');

const USAGE = `Usage: npm run check:dashboards -- [options]
  --scrape-interval S   Prometheus scrape and rule evaluation interval, seconds, 2-5 (default 2)
  --min-scrapes N       successful scrapes of every service before the queries run (default 15)
  --no-build            skip the TypeScript build (use what dist/ holds)
Environment: DATABASE_URL (server for the check's own database, a migrated evp_test_<id>; default
postgresql://postgres@127.0.0.1:5432/evp), NATS_SERVER_BIN (the nats-server binary of the check's private server,
with its monitoring port; default nats-server on PATH).`;

const log = (line: string): void => console.log(line);
const heading = (title: string): void => console.log(`\n▶ ${title}`);

function options(): { scrapeIntervalSeconds: number; minScrapes: number; build: boolean } {
  const { values } = parseArgs({
    options: {
      'scrape-interval': { type: 'string', default: '2' },
      'min-scrapes': { type: 'string', default: '15' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const scrapeIntervalSeconds = Number(values['scrape-interval']);
  const minScrapes = Number(values['min-scrapes']);
  if (!Number.isInteger(scrapeIntervalSeconds) || scrapeIntervalSeconds < 2 || scrapeIntervalSeconds > 5) {
    throw new Error(
      `--scrape-interval must be a whole number of seconds from 2 to 5, not ${values['scrape-interval']}`,
    );
  }
  if (!Number.isInteger(minScrapes) || minScrapes < 2) {
    throw new Error(
      `--min-scrapes must be a whole number of at least 2 (a rate needs two samples), not ${values['min-scrapes']}`,
    );
  }
  return { scrapeIntervalSeconds, minScrapes, build: !values['no-build'] };
}

function step(title: string, command: string, args: string[]): void {
  heading(title);
  execFileSync(command, args, { cwd: root, stdio: 'inherit' });
}

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

async function main(): Promise<number> {
  const settings = options();
  const teardown = new TeardownStack();
  const runProblems: string[] = [];
  let panels: CheckedExpression[] = [];
  let rules: CheckedExpression[] = [];
  let agreements: CheckedExpression[] = [];

  // Ctrl-C: undo whatever has started, then leave; the queries' verdict no longer matters.
  const interrupt = (signal: NodeJS.Signals): void => {
    log(`\n${signal}: stopping everything the check started`);
    void teardown.run((name) => log(`  ${name}`)).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  try {
    heading('Prometheus and postgres_exporter');
    const binary = ensurePrometheus(log);
    const postgresExporterBinary = ensureDebianBinary(
      'prometheus-postgres-exporter',
      'prometheus-postgres-exporter',
      log,
    );
    log(`using ${binary} and ${postgresExporterBinary}`);
    if (settings.build) step('build', 'npm', ['run', '--silent', 'build']);
    step('infrastructure (PostgreSQL, NATS JetStream)', 'bash', ['scripts/infra.sh']);

    // The machine's shared server has no monitoring port, and must not be reconfigured: the check runs its own.
    heading('private NATS server with JetStream and its monitoring port');
    const nats = await startPrivateNats({ monitorPort: await freePort() });
    teardown.add('stop the private NATS server and remove its store', () => nats.dispose());
    log(`  ${nats.url}, monitoring on ${nats.monitorUrl}`);

    heading('pipeline under load (own database, streams and durables)');
    const pipeline = await PipelineLoad.start(
      {
        natsUrl: nats.url,
        // A modest pace for a shared 2-core machine; a corrupted event in half the batches makes failed and
        // dead-letter series appear within seconds.
        publisherFlags: {
          mode: 'default',
          'batch-min': 50,
          'batch-max': 400,
          'interval-ms': 1_000,
          'corruption-rate': 0.5,
          'duplicate-rate': 0.02,
          'log-requests': 'false',
          'progress-interval-ms': 10_000,
        },
        reporterPauseMs: 500,
        log: (line) => log(`  ${line}`),
      },
      teardown,
    );

    heading('exporters of PostgreSQL and NATS');
    const postgresExporter = await PostgresExporterProcess.start(postgresExporterBinary, pipeline.system.databaseUrl);
    teardown.add('stop postgres_exporter', () => postgresExporter.stop());
    const natsExporter = await NatsMonitorExporter.start(nats.monitorUrl!);
    teardown.add('stop the NATS exporter', () => natsExporter.stop());
    const targetPorts = { ...pipeline.targetPorts(), postgres: postgresExporter.port, nats: natsExporter.port };
    log(`  postgres_exporter on ${postgresExporter.port}, NATS exporter on ${natsExporter.port}`);

    heading(
      `private Prometheus (scrape every ${settings.scrapeIntervalSeconds} s, rules from deploy/prometheus/rules)`,
    );
    const configYaml = buildCheckConfig(await readFile(LOCAL_CONFIG, 'utf8'), {
      targetPorts,
      scrapeIntervalSeconds: settings.scrapeIntervalSeconds,
      baseDir: dirname(LOCAL_CONFIG),
    });
    const prometheus = await PrivatePrometheus.start({ binary, configYaml });
    teardown.add('stop Prometheus and remove its directory', () => prometheus.stop());
    log(`  ${prometheus.url} (data in ${prometheus.dir})`);
    const started = Date.now();
    await waitForScrapes(prometheus.api, {
      jobs: Object.keys(targetPorts),
      minScrapes: settings.minScrapes,
      assertStillRunning: () => pipeline.assertPublisherRunning(),
      onProgress: (line) => log(`  ${line}`),
    });
    log(
      `  every target up, ${settings.minScrapes}+ scrapes each, every rule evaluated (${Math.round((Date.now() - started) / 1000)} s)`,
    );

    const knownMetrics = new Set([...(await pipeline.declaredMetricNames()), ...(await prometheus.api.metricNames())]);
    const panelQueries = await dashboardPanelQueries(settings.scrapeIntervalSeconds);
    heading(`dashboard panel queries (${panelQueries.length}), instant queries through ${prometheus.url}/api/v1/query`);
    panels = await checkPanelQueries(prometheus.api, panelQueries, knownMetrics);
    for (const checked of panels) for (const line of formatChecked(checked)) log(line);

    const ruleList = await ruleExpressions(RULES_DIR);
    heading(`alert rule expressions (${ruleList.length})`);
    rules = await checkRules(prometheus.api, ruleList, await prometheus.api.rules(), knownMetrics);
    for (const checked of rules) for (const line of formatChecked(checked)) log(line);

    heading('business dashboard against GET /reports/demographics (publisher stopped, so both read one moment)');
    const publisherRun = await pipeline.stopPublisher();
    log(`  publisher emulator stopped (exit ${publisherRun.exitCode})`);
    agreements = await checkAudienceAgreement(pipeline.system.databaseUrl, pipeline.system.reporter.url);
    for (const checked of agreements) for (const line of formatChecked(checked)) log(line);
  } catch (error) {
    runProblems.push(describeError(error));
  }

  heading('stopping everything (gracefully) and cleaning up');
  const failures = await teardown.run((name) => log(`  ${name}`));
  for (const failure of failures) runProblems.push(`${failure.step}: ${describeError(failure.error)}`);

  heading('summary');
  const summary = formatSummary({ panels, rules, agreements, sqlQueries: await dashboardSqlQueryCount(), runProblems });
  for (const line of summary.lines) log(line);
  return summary.failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(describeError(error));
    process.exit(1);
  },
);

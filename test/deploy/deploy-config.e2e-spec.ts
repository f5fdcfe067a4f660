import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { streamLimitsEnv } from '@evp/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  loadCommittedDashboards,
  queriesOf,
  substituteGrafanaVariables,
} from '../../scripts/dashboards/dashboard.inspection';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../..');

/** The service keys of `docker-compose config` output that these rules read. */
interface ComposeService {
  image?: string;
  platform?: string;
  user?: string;
  container_name?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[]; start_period?: string };
  profiles?: string[];
  ports?: { published?: number | string; target?: number; host_ip?: string }[];
  volumes?: string[];
  stop_grace_period?: string;
  networks?: Record<string, unknown>;
  read_only?: boolean;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  mem_limit?: string | number;
  cpus?: string | number;
  pids_limit?: number;
}

interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const PIPELINE_SERVICES = { gateway: 3000, 'fb-collector': 3001, 'ttk-collector': 3002, reporter: 3003 } as const;
/** Read by every service that provisions the streams (.env.example). */
const STREAM_LIMIT_VARIABLES = Object.keys(streamLimitsEnv);
const PLACEHOLDER_SECRETS = {
  POSTGRES_PASSWORD: 'check-only',
  GRAFANA_ADMIN_PASSWORD: 'check-only',
  GRAFANA_DB_PASSWORD: 'check-only',
  REPORTER_API_KEYS: 'check-only-0123456789',
  DB_OWNER_PASSWORD: 'check-only',
  DB_COLLECTOR_PASSWORD: 'check-only',
  DB_REPORTER_PASSWORD: 'check-only',
  DB_INDEXER_PASSWORD: 'check-only',
  DB_MONITOR_PASSWORD: 'check-only',
  NATS_GATEWAY_PASSWORD: 'check-only',
  NATS_FB_COLLECTOR_PASSWORD: 'check-only',
  NATS_TTK_COLLECTOR_PASSWORD: 'check-only',
  NATS_PROVISIONER_PASSWORD: 'check-only',
  WEBHOOK_TOKENS: 'check-only-webhook-token',
  PUBLISHER_WEBHOOK_TOKEN: 'check-only-webhook-token',
  PUBLISHER_IMAGE: 'andriiuni/events:check-only',
};

/** What each NATS identity of deploy/nats/nats.conf is called, and the variable holding its password. */
const NATS_IDENTITIES = {
  gateway: 'NATS_GATEWAY_PASSWORD',
  'fb-collector': 'NATS_FB_COLLECTOR_PASSWORD',
  'ttk-collector': 'NATS_TTK_COLLECTOR_PASSWORD',
} as const;

/** The combinations deploy/README.md documents; staging and production get their secrets from the environment. */
const COMBINATIONS = [
  { name: 'base', args: ['-f', 'docker-compose.yml'], secrets: {} },
  {
    name: 'development',
    args: ['-f', 'docker-compose.yml', '-f', 'docker-compose.development.yml', '--env-file', '.env.development'],
    secrets: {},
  },
  {
    name: 'staging',
    args: ['-f', 'docker-compose.yml', '-f', 'docker-compose.staging.yml', '--env-file', '.env.staging'],
    secrets: PLACEHOLDER_SECRETS,
  },
  {
    name: 'production',
    args: ['-f', 'docker-compose.yml', '-f', 'docker-compose.production.yml', '--env-file', '.env.production'],
    secrets: PLACEHOLDER_SECRETS,
  },
] as const;

/** Compose durations as `docker-compose config` prints them: `40s`, `1m`, `1m30s`. */
function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  expect(parts.map(([part]) => part).join(''), `duration ${text}`).toBe(text);
  const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  return parts.reduce((total, [, value, unit]) => total + Number(value) * unitMs[unit!]!, 0);
}

async function renderedConfig(args: readonly string[], secrets: Record<string, string>): Promise<ComposeConfig> {
  const env = { ...process.env, ...secrets };
  // The caller's shell must not satisfy what the env files are supposed to provide.
  for (const name of ['EVP_IMAGE', 'COMPOSE_FILE', ...Object.keys(PLACEHOLDER_SECRETS)]) {
    if (!(name in secrets)) delete env[name];
  }
  const { stdout } = await run('docker-compose', [...args, 'config'], { cwd: repoRoot, env });
  return parse(stdout) as ComposeConfig;
}

describe('deployment configuration', () => {
  describe('when the check scripts run', () => {
    it('should validate every compose combination (npm run check:compose)', async () => {
      const { stdout } = await run('bash', ['scripts/check-compose.sh'], { cwd: repoRoot });
      expect(stdout).toContain('all compose combinations are valid');
    });

    it('should validate the Prometheus configs, rules and rule tests (npm run check:prometheus)', async () => {
      const { stdout } = await run('bash', ['scripts/check-prometheus.sh'], { cwd: repoRoot });
      expect(stdout).toContain('all Prometheus checks passed');
    });
  });

  describe.each(COMBINATIONS)('when the $name combination is rendered', ({ args, secrets }) => {
    let config: ComposeConfig;
    beforeAll(async () => {
      config = await renderedConfig(args, secrets);
    });

    it('should wait only for healthy dependencies', () => {
      for (const [name, service] of Object.entries(config.services)) {
        for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
          expect(condition, `${name} -> ${dependency}`).toBe('service_healthy');
          expect(config.services[dependency]?.healthcheck?.test, `${dependency} healthcheck`).toBeDefined();
        }
      }
    });

    it('should leave container names to Compose so services can scale', () => {
      for (const [name, service] of Object.entries(config.services))
        expect(service.container_name, name).toBeUndefined();
    });

    it('should give every service but the external publisher a healthcheck', () => {
      for (const [name, service] of Object.entries(config.services)) {
        // The publisher is not ours; a tool (profile `tools`, e.g. dlq) runs once and exits, so nothing waits on it.
        if (name === 'publisher' || service.profiles?.includes('tools')) continue;
        expect(service.healthcheck?.test?.length, name).toBeGreaterThan(0);
      }
      expect(config.services.postgres?.healthcheck?.test?.join(' ')).toContain('pg_isready');
      expect(config.services.nats?.healthcheck?.test?.join(' ')).toContain(
        'http://localhost:8222/healthz?js-enabled-only=true',
      );
    });

    it('should connect each NATS service as its own user of deploy/nats/nats.conf, which the server mounts', () => {
      const nats = config.services.nats!;
      expect(nats.volumes).toContainEqual(`${join(repoRoot, 'deploy/nats/nats.conf')}:/etc/nats/nats.conf:ro`);
      expect(nats.command?.join(' ')).toContain('-c /etc/nats/nats.conf');
      expect(nats.image).toMatch(/^nats:2\.(1\d|[2-9]\d)\.\d+-alpine$/);
      for (const [user, variable] of Object.entries(NATS_IDENTITIES)) {
        const environment = config.services[user]?.environment ?? {};
        expect(environment.NATS_USER, user).toBe(user);
        expect(environment.NATS_PASSWORD, user).toBe(nats.environment?.[variable]);
        expect(environment.NATS_PASSWORD, user).toMatch(/.+/);
      }
    });

    it('should let the publisher reach the gateway and nothing else', () => {
      expect(Object.keys(config.services.publisher?.networks ?? {})).toEqual(['edge']);
      const onEdge = Object.entries(config.services)
        .filter(([, service]) => Object.keys(service.networks ?? { default: {} }).includes('edge'))
        .map(([name]) => name);
      expect(onEdge.sort()).toEqual(['gateway', 'publisher']);
    });

    it('should run the upstream publisher image against the gateway once the gateway is healthy', () => {
      const publisher = config.services.publisher!;
      expect(publisher.image).toMatch(/^andriiuni\/events(:.+)?$/);
      expect(publisher.platform).toBe('linux/arm64');
      // Staging and production authenticate the publisher by the one setting it has: a token in the URL.
      expect(publisher.environment?.EVENT_ENDPOINT).toBe(
        secrets === PLACEHOLDER_SECRETS
          ? `http://gateway:3000/webhook?token=${PLACEHOLDER_SECRETS.PUBLISHER_WEBHOOK_TOKEN}`
          : 'http://gateway:3000/webhook',
      );
      expect(publisher.depends_on?.gateway?.condition).toBe('service_healthy');
    });

    it('should run each pipeline service from the shared image as a non-root user, probed on its readiness', () => {
      const images = new Set<string | undefined>();
      for (const [name, port] of Object.entries(PIPELINE_SERVICES)) {
        const service = config.services[name]!;
        images.add(service.image);
        expect(service.user, name).toBe('node');
        expect(service.environment?.SERVICE, name).toBe(name);
        expect(service.environment?.PORT, name).toBe(String(port));
        // One server, or the production cluster's three with `nats` first.
        expect(service.environment?.NATS_URL, name).toMatch(/^nats:\/\/nats:4222(,nats:\/\/nats-\d:4222)*$/);
        expect(service.healthcheck?.test, name).toEqual(['CMD', 'node', '/app/deploy/docker/healthcheck.cjs']);
      }
      expect(images.size).toBe(1);
      expect(config.services.gateway?.environment?.DATABASE_URL).toBeUndefined();
      for (const name of ['fb-collector', 'ttk-collector', 'reporter']) {
        expect(config.services[name]?.environment?.DATABASE_URL, name).toMatch(/^postgresql:\/\/.+@postgres:5432\//);
      }
    });

    it('should connect each database service as its own roles, none as the superuser', () => {
      const userOf = (name: string, variable: string) => {
        const value = config.services[name]?.environment?.[variable];
        return value === undefined ? undefined : new URL(value).username;
      };
      for (const name of ['fb-collector', 'ttk-collector']) {
        expect(userOf(name, 'DATABASE_URL'), name).toBe('evp_collector');
        expect(userOf(name, 'DATABASE_OWNER_URL'), name).toBe('evp_owner');
      }
      expect(userOf('reporter', 'DATABASE_URL')).toBe('evp_reporter');
      expect(userOf('reporter', 'DEMOGRAPHICS_INDEXER_DATABASE_URL')).toBe('evp_indexer');
      // The reporter's role cannot migrate: it waits for the collectors, which do.
      expect(config.services.reporter?.environment?.MIGRATE_ON_START).toBe('false');
      expect(Object.keys(config.services.reporter?.depends_on ?? {})).toEqual(
        expect.arrayContaining(['fb-collector', 'ttk-collector']),
      );
      expect(config.services.postgres?.volumes).toContainEqual(
        expect.stringMatching(/deploy\/postgres\/initdb:\/docker-entrypoint-initdb\.d/),
      );
    });

    it('should give each pipeline service more time to stop than its own shutdown timeout', () => {
      for (const name of Object.keys(PIPELINE_SERVICES)) {
        const service = config.services[name]!;
        const shutdownMs = Number(service.environment?.SHUTDOWN_TIMEOUT_MS);
        expect(shutdownMs, name).toBeGreaterThan(0);
        expect(durationMs(service.stop_grace_period ?? '10s'), name).toBeGreaterThanOrEqual(shutdownMs + 5_000);
      }
    });

    it('should give the gateway and both collectors the same stream limits, since each applies its own at start', () => {
      const limitsOf = (name: string): Record<string, string | undefined> => {
        const environment = config.services[name]?.environment ?? {};
        return Object.fromEntries(STREAM_LIMIT_VARIABLES.map((variable) => [variable, environment[variable]]));
      };
      const gateway = limitsOf('gateway');
      for (const value of Object.values(gateway)) expect(value).toMatch(/^-?\d+$/);
      expect(limitsOf('fb-collector')).toEqual(gateway);
      expect(limitsOf('ttk-collector')).toEqual(gateway);
    });

    it('should publish no host port for the collectors, so they scale', () => {
      expect(config.services['fb-collector']?.ports).toBeUndefined();
      expect(config.services['ttk-collector']?.ports).toBeUndefined();
    });

    it('should keep PostgreSQL, JetStream, Prometheus and Grafana data in named volumes', () => {
      const mounts = (name: string): string[] => config.services[name]?.volumes ?? [];
      expect(mounts('postgres')).toContainEqual(expect.stringMatching(/^postgres-data:\/var\/lib\/postgresql\/data/));
      expect(mounts('nats')).toContainEqual(expect.stringMatching(/^nats-data:\/data/));
      expect(config.services.nats?.command?.slice(0, 5)).toEqual(['-js', '-sd', '/data', '-m', '8222']);
      expect(mounts('prometheus')).toContainEqual(expect.stringMatching(/^prometheus-data:\/prometheus/));
      expect(mounts('grafana')).toContainEqual(expect.stringMatching(/^grafana-data:\/var\/lib\/grafana/));
      // Production adds one store per extra NATS node.
      expect(Object.keys(config.volumes ?? {}).filter((volume) => !/^nats-\d-data$/.test(volume))).toEqual([
        'grafana-data',
        'nats-data',
        'postgres-data',
        'prometheus-data',
      ]);
    });

    it('should serve Grafana on 3004 with the provisioning and dashboards mounted where the provider reads them', () => {
      const grafana = config.services.grafana!;
      expect(grafana.environment?.GF_SERVER_HTTP_PORT).toBe('3004');
      expect(grafana.ports).toContainEqual(expect.objectContaining({ published: 3004, target: 3004 }));
      const provider = parse(
        readFileSync(join(repoRoot, 'deploy/grafana/provisioning/dashboards/dashboards.yml'), 'utf8'),
      ) as { providers: { options: { path: string } }[] };
      expect(grafana.volumes).toContainEqual(
        `${join(repoRoot, 'deploy/grafana/dashboards')}:${provider.providers[0]!.options.path}:ro`,
      );
      expect(grafana.volumes).toContainEqual(
        `${join(repoRoot, 'deploy/grafana/provisioning')}:/etc/grafana/provisioning:ro`,
      );
      expect(grafana.depends_on).toEqual({
        prometheus: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
      });
    });

    it('should mount the compose Prometheus config and its rules', () => {
      expect(config.services.prometheus?.volumes).toEqual(
        expect.arrayContaining([
          `${join(repoRoot, 'deploy/prometheus/prometheus.yml')}:/etc/prometheus/prometheus.yml:ro`,
          `${join(repoRoot, 'deploy/prometheus/rules')}:/etc/prometheus/rules:ro`,
        ]),
      );
    });
  });

  describe('when production is rendered', () => {
    let config: ComposeConfig;
    beforeAll(async () => {
      const production = COMBINATIONS.find((candidate) => candidate.name === 'production')!;
      config = await renderedConfig(production.args, production.secrets);
    });

    it('should run three NATS servers in one JetStream cluster, each on its own store', () => {
      const nodes = ['nats', 'nats-2', 'nats-3'];
      const routes = 'nats://nats:6222,nats://nats-2:6222,nats://nats-3:6222';
      const names = nodes.map((node) => {
        const command = config.services[node]?.command ?? [];
        const option = (flag: string) => command[command.indexOf(flag) + 1];
        expect(command, node).toEqual(expect.arrayContaining(['-js', '--cluster_name', 'evp', '--routes', routes]));
        expect(option('--routes'), node).toBe(routes);
        expect(config.services[node]?.healthcheck?.test?.join(' '), node).toContain('healthz?js-enabled-only=true');
        return option('--name');
      });
      expect(new Set(names).size).toBe(3);
      const stores = nodes.map((node) =>
        config.services[node]?.volumes?.find((volume) => volume.endsWith(':/data:rw')),
      );
      expect(new Set(stores).size).toBe(3);
    });

    it('should keep both streams on all three servers and give the services every server', () => {
      for (const name of ['gateway', 'fb-collector', 'ttk-collector']) {
        expect(config.services[name]?.environment?.NATS_STREAM_REPLICAS, name).toBe('3');
        expect(config.services[name]?.environment?.NATS_URL, name).toBe(
          'nats://nats:4222,nats://nats-2:4222,nats://nats-3:4222',
        );
      }
    });
  });

  describe.each(COMBINATIONS.filter(({ name }) => name === 'staging' || name === 'production'))(
    'when $name is rendered',
    ({ args, secrets }) => {
      let config: ComposeConfig;
      beforeAll(async () => {
        config = await renderedConfig(args, secrets);
      });

      it('should harden every container: read-only, no capabilities, no privilege gain, bounded resources', () => {
        for (const [name, service] of Object.entries(config.services)) {
          expect(service.read_only, name).toBe(true);
          expect(service.cap_drop, name).toEqual(['ALL']);
          expect(service.security_opt, name).toContain('no-new-privileges:true');
          expect(service.mem_limit, name).toBeDefined();
          expect(Number(service.cpus), name).toBeGreaterThan(0);
          expect(service.pids_limit, name).toBeGreaterThan(0);
        }
        // Only PostgreSQL's entrypoint needs capabilities back, to hand its data directory to the postgres user.
        const withCapabilities = Object.entries(config.services).filter(([, service]) => service.cap_add?.length);
        expect(withCapabilities.map(([name]) => name)).toEqual(['postgres']);
      });

      it('should pin every third-party image to a release, and take the publisher tag from the environment', () => {
        for (const [name, service] of Object.entries(config.services)) {
          const ours = service.image === config.services.gateway?.image;
          if (name in PIPELINE_SERVICES || name === 'publisher' || ours) continue;
          // postgres:15.13, nats:2.10.24-alpine, prom/prometheus:v2.53.0: a version, never a moving name.
          expect(service.image, name).toMatch(/:v?\d+\.\d+(\.\d+)?(-[a-z]+)?$/);
        }
        expect(config.services.publisher?.image).toBe(PLACEHOLDER_SECRETS.PUBLISHER_IMAGE);
      });
    },
  );

  describe('when staging or production is rendered with the secrets from the environment', () => {
    it('should carry no default credential from the base file', async () => {
      for (const name of ['staging', 'production'] as const) {
        const combination = COMBINATIONS.find((candidate) => candidate.name === name)!;
        const rendered = stringify(await renderedConfig(combination.args, combination.secrets));
        expect(rendered, name).not.toMatch(
          /evp(-\w+)?-local|nats(-\w+)+-local|grafana-local|GF_SECURITY_ADMIN_PASSWORD: admin/,
        );
      }
    });
  });

  describe('when the image definition is read', () => {
    const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

    it('should build on an exact Node 22 LTS slim release, install production dependencies only and run as a non-root user', () => {
      expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22\.\d+\.\d+-bookworm-slim$/m);
      expect(dockerfile).toMatch(/npm ci --omit=dev/);
      const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
      expect(runtime).toMatch(/^USER node$/m);
      expect(runtime).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "\/app\/deploy\/docker\/healthcheck\.cjs"\]$/m);
      expect(runtime).toMatch(/^ENTRYPOINT \["sh", "\/app\/deploy\/docker\/entrypoint\.sh"\]$/m);
    });
  });

  describe('when every PromQL expression of the dashboards is parsed by promtool', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'evp-promql-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('should accept them all', async () => {
      const rules = (await loadCommittedDashboards()).flatMap(({ dashboard }) =>
        queriesOf(dashboard)
          .filter((query) => query.language === 'promql')
          .map((query, index) => ({
            record: `dashboard:${dashboard.uid.replaceAll('-', '_')}:${index}`,
            expr: substituteGrafanaVariables(query.query, { rateInterval: '1m', range: '30m', interval: '15s' }),
          })),
      );
      expect(rules.length).toBeGreaterThan(20);
      const file = join(dir, 'dashboard-queries.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
      const { stdout } = await run('promtool', ['check', 'rules', file]);
      expect(stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    });
  });
});

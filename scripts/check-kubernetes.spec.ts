import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { COLLECTOR_DURABLES, EVENTS_STREAM } from '@evp/contracts';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPolicies, type PolicyContext } from './kubernetes/deployment.policy';
import { type Kubectl, locateKubectl } from './kubernetes/kubectl.locator';
import { checkKubernetes, kubernetesLayout } from './kubernetes/kubernetes.check';
import { type KubernetesObject, readObjects, renderKustomization } from './kubernetes/manifest.renderer';
import { checkNatsValues, parseNatsValues, quantityBytes } from './kubernetes/nats-values.check';
import { SchemaCatalog } from './kubernetes/schema.catalog';

const run = promisify(execFile);
const root = resolve(__dirname, '..');
const layout = kubernetesLayout(root);
const TSX = resolve(root, 'node_modules/.bin/tsx');
const CLI = resolve(root, 'scripts/check-kubernetes.ts');

/** Runs `npm run check:kubernetes` as CI does; answers its exit code and output instead of throwing on failure. */
async function runCheck(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [CLI, ...args], { cwd: root, timeout: 120_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

const context: PolicyContext = {
  externalSecrets: new Map([
    ['evp-reporter-api-keys', new Set(['api-keys'])],
    ['evp-backup-s3', new Set(['ACCESS_KEY_ID', 'ACCESS_SECRET_KEY'])],
    ...['evp-db-collector', 'evp-db-reporter', 'evp-db-indexer'].map(
      (name) => [name, new Set(['username', 'password', 'uri'])] as const,
    ),
  ]),
  eventsStream: EVENTS_STREAM,
  collectorDurables: Object.values(COLLECTOR_DURABLES),
};

type Deployment = IDeployment & KubernetesObject;

const find = <T extends KubernetesObject>(objects: KubernetesObject[], kind: string, name: string): T => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`${kind}/${name} is not rendered`);
  return found as T;
};

const containerOf = (objects: KubernetesObject[], name: string) =>
  find<Deployment>(objects, 'Deployment', name).spec!.template.spec!.containers[0]!;

const renders = new Map<string, Promise<KubernetesObject[]>>();

/** The objects an overlay renders to, rendered once for the whole file (each test mutates its own copy). */
function renderOverlay(name: 'staging' | 'production'): Promise<KubernetesObject[]> {
  let rendered = renders.get(name);
  if (rendered === undefined) {
    rendered = locateKubectl({ cacheDir: resolve(root, '.data/tools') }).then((kubectl: Kubectl) =>
      renderKustomization(kubectl, join(layout.overlays, name)),
    );
    renders.set(name, rendered);
  }
  return rendered;
}

const messagesOf = (objects: KubernetesObject[]) =>
  checkPolicies(objects, context).map((problem) => `${problem.object}: ${problem.message}`);

describe('check-kubernetes', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'evp-k8s-check-'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  describe('when run on the committed overlays', () => {
    it('should render every overlay with kubectl kustomize and find every object valid', async () => {
      const { code, output } = await runCheck();

      expect(output).toContain('overlays/staging: 24 objects');
      expect(output).toContain('overlays/production: 24 objects');
      expect(output).toContain('all overlays are valid');
      expect(code).toBe(0);
    });
  });

  describe('when an overlay renders a Deployment with a string for replicas', () => {
    it('should fail, naming the overlay, the object and the field', async () => {
      const overlay = join(work, 'broken-replicas');
      await mkdir(overlay);
      await writeFile(
        join(overlay, 'kustomization.yaml'),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'resources:',
          // kustomize takes other kustomizations by relative path only.
          `  - ${relative(overlay, join(layout.overlays, 'staging'))}`,
          'patches:',
          '  - target: {kind: Deployment, name: gateway}',
          '    patch: |-',
          '      - {op: replace, path: /spec/replicas, value: "three"}',
          '',
        ].join('\n'),
      );

      const { code, output } = await runCheck('--overlay', overlay);

      expect(output).toContain('Deployment/gateway: /spec/replicas must be integer');
      expect(output).toMatch(/broken-replicas: 24 objects .*: 1 problem$/m);
      expect(code).toBe(1);
    });
  });

  describe('when a kustomization does not render', () => {
    it('should report kubectl kustomize’s own message as the overlay’s problem', async () => {
      const overlay = join(work, 'missing-resource');
      await mkdir(overlay);
      await writeFile(join(overlay, 'kustomization.yaml'), 'resources:\n  - deployment.yaml\n');
      const kubectl = await locateKubectl({ cacheDir: resolve(root, '.data/tools') });

      const result = await checkKubernetes({ root, kubectl, overlays: [overlay] });

      expect(result.overlays).toHaveLength(1);
      expect(result.overlays[0]!.problems).toEqual([
        {
          object: '(render)',
          message: expect.stringMatching(/kubectl kustomize .*missing-resource failed: .*deployment\.yaml/),
        },
      ]);
    });
  });
});

describe(SchemaCatalog, () => {
  const catalog = new SchemaCatalog(layout.schemas);
  let staging: KubernetesObject[];

  beforeAll(async () => {
    staging = await renderOverlay('staging');
  });

  describe('when given the objects of the staging overlay', () => {
    it('should have a schema for every kind, and find them valid', () => {
      for (const object of staging) expect(catalog.validate(object)).toEqual([]);
    });
  });

  describe('when a CloudNativePG Cluster is invalid', () => {
    it('should name a missing instance, a misspelt field and an unknown enum value', () => {
      const cluster = structuredClone(
        find<KubernetesObject & { spec: Record<string, unknown> }>(staging, 'Cluster', 'evp-postgres'),
      );
      cluster.spec.instances = 0;
      cluster.spec.primaryUpdateMethd = 'switchover';
      cluster.spec.primaryUpdateStrategy = 'automatic';

      expect(catalog.validate(cluster)).toEqual(
        expect.arrayContaining([
          '/spec/instances must be >= 1',
          '/spec must NOT have additional properties: primaryUpdateMethd',
          '/spec/primaryUpdateStrategy must be equal to one of the allowed values: ["unsupervised","supervised"]',
        ]),
      );
    });
  });

  describe('when an ObjectStore sets serverName or a bad retention', () => {
    it('should refuse both, as the plugin does', () => {
      const store = structuredClone(
        find<KubernetesObject & { spec: { retentionPolicy: string; configuration: Record<string, unknown> } }>(
          staging,
          'ObjectStore',
          'evp-backups',
        ),
      );
      store.spec.retentionPolicy = '30 days';
      store.spec.configuration.serverName = 'evp';

      const problems = catalog.validate(store);

      expect(problems).toContain('/spec/retentionPolicy must match pattern "^[1-9][0-9]*[dwm]$"');
      expect(problems).toContain('/spec/configuration must NOT be valid');
    });
  });

  describe('when a ScaledObject has a string for minReplicaCount', () => {
    it('should fail against the KEDA CRD schema', () => {
      const scaledObject = structuredClone(
        find<KubernetesObject & { spec: Record<string, unknown> }>(staging, 'ScaledObject', 'fb-collector'),
      );
      scaledObject.spec.minReplicaCount = '1';

      expect(catalog.validate(scaledObject)).toEqual(['/spec/minReplicaCount must be integer']);
    });
  });

  describe('when an object has a kind without a schema', () => {
    it('should fail rather than let it through unchecked', () => {
      const object = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' } };

      expect(catalog.validate(object)).toEqual([
        'no schema for batch/v1 Job: add one to scripts/kubernetes/schema.catalog.ts',
      ]);
    });
  });
});

describe(checkPolicies, () => {
  let staging: KubernetesObject[];
  let production: KubernetesObject[];

  beforeAll(async () => {
    staging = await renderOverlay('staging');
    production = await renderOverlay('production');
  });

  describe('when given the committed overlays', () => {
    it('should find nothing wrong', () => {
      expect(messagesOf(staging)).toEqual([]);
      expect(messagesOf(production)).toEqual([]);
    });
  });

  describe('when a container loses its readiness probe and its seccomp profile', () => {
    it('should name both', () => {
      const objects = structuredClone(staging);
      const container = containerOf(objects, 'reporter');
      delete container.readinessProbe;
      delete container.securityContext!.seccompProfile;
      delete find<Deployment>(objects, 'Deployment', 'reporter').spec!.template.spec!.securityContext!.seccompProfile;

      expect(messagesOf(objects)).toEqual([
        'Deployment/reporter: reporter: has no HTTP readinessProbe',
        'Deployment/reporter: reporter: seccompProfile is not RuntimeDefault',
      ]);
    });
  });

  describe('when the grace period does not outlast preStop and SHUTDOWN_TIMEOUT_MS', () => {
    it('should refuse it', () => {
      const objects = structuredClone(staging);
      find<Deployment>(objects, 'Deployment', 'gateway').spec!.template.spec!.terminationGracePeriodSeconds = 30;

      expect(messagesOf(objects)).toEqual([
        'Deployment/gateway: gateway: terminationGracePeriodSeconds 30 is shorter than preStop 5 s + SHUTDOWN_TIMEOUT_MS 25000 ms + 5 s margin',
      ]);
    });
  });

  describe('when KEDA watches another consumer than the collector’s durable', () => {
    it('should say which consumer the collector uses', () => {
      const objects = structuredClone(staging);
      const scaledObject = find<KubernetesObject & { spec: { triggers: { metadata: Record<string, string> }[] } }>(
        objects,
        'ScaledObject',
        'ttk-collector',
      );
      scaledObject.spec.triggers[0]!.metadata.consumer = 'fb-collector';

      expect(messagesOf(objects)).toEqual([
        "ScaledObject/ttk-collector: watches consumer fb-collector, the collector's CONSUMER_DURABLE is ttk-collector",
      ]);
    });
  });

  describe('when a Deployment that KEDA scales sets replicas', () => {
    it('should refuse it: every apply would reset the scale', () => {
      const objects = structuredClone(production);
      find<Deployment>(objects, 'Deployment', 'fb-collector').spec!.replicas = 2;

      expect(messagesOf(objects)).toEqual([
        'Deployment/fb-collector: sets spec.replicas while a ScaledObject scales it: every apply would reset the replica count',
      ]);
    });
  });

  describe('when a container reads a Secret nobody provides, or a key CloudNativePG does not write', () => {
    it('should name the Secret and the key', () => {
      const objects = structuredClone(production);
      const container = containerOf(objects, 'fb-collector');
      container.env!.push({ name: 'EXTRA', valueFrom: { secretKeyRef: { name: 'evp-extra', key: 'value' } } });
      container.env!.find((variable) => variable.name === 'DATABASE_OWNER_URL')!.valueFrom!.secretKeyRef!.key = 'url';

      expect(messagesOf(objects)).toEqual([
        'Deployment/fb-collector: fb-collector: Secret evp-postgres-app (CloudNativePG) has no key url',
        'Deployment/fb-collector: fb-collector: Secret evp-extra is neither rendered, nor created by CloudNativePG, nor documented in deploy/kubernetes/secrets',
      ]);
    });
  });

  describe('when production points at the staging NATS', () => {
    it('should refuse the monitoring endpoint in another namespace', () => {
      const objects = structuredClone(production);
      const scaledObject = find<KubernetesObject & { spec: { triggers: { metadata: Record<string, string> }[] } }>(
        objects,
        'ScaledObject',
        'fb-collector',
      );
      scaledObject.spec.triggers[0]!.metadata.natsServerMonitoringEndpoint =
        'nats-headless.evp-staging.svc.cluster.local:8222';

      expect(messagesOf(objects)).toEqual([
        'ScaledObject/fb-collector: natsServerMonitoringEndpoint nats-headless.evp-staging.svc.cluster.local:8222 is in namespace evp-staging, not evp-production',
      ]);
    });
  });

  describe('when the image is not pinned', () => {
    it('should refuse a moving tag', () => {
      const objects = structuredClone(staging);
      containerOf(objects, 'gateway').image = 'registry.example.com/evp/evp-pipeline:latest';

      expect(messagesOf(objects)).toEqual([
        'Deployment/gateway: gateway: image registry.example.com/evp/evp-pipeline:latest is not pinned to a version tag or a digest',
      ]);
    });
  });

  describe('when the nightly backup has a five-field schedule', () => {
    it('should say CloudNativePG’s cron starts with seconds', () => {
      const objects = structuredClone(staging);
      find<KubernetesObject & { spec: { schedule: string } }>(
        objects,
        'ScheduledBackup',
        'evp-postgres-nightly',
      ).spec.schedule = '0 2 * * *';

      expect(messagesOf(objects)).toEqual([
        'ScheduledBackup/evp-postgres-nightly: schedule "0 2 * * *" does not have six fields (CloudNativePG\'s cron starts with seconds)',
      ]);
    });
  });
});

describe('the overlays', () => {
  let staging: KubernetesObject[];
  let production: KubernetesObject[];

  beforeAll(async () => {
    staging = await renderOverlay('staging');
    production = await renderOverlay('production');
  });

  describe('when production is rendered', () => {
    it('should run PostgreSQL as a primary and a synchronous standby on separate nodes', () => {
      const cluster = find<KubernetesObject & { spec: Record<string, Record<string, unknown>> }>(
        production,
        'Cluster',
        'evp-postgres',
      );

      expect(cluster.spec.instances).toBe(2);
      expect(cluster.spec.affinity).toMatchObject({ podAntiAffinityType: 'required' });
      expect(cluster.spec.postgresql).toMatchObject({ synchronous: { number: 1, dataDurability: 'preferred' } });
    });

    it('should keep at least two replicas of every service, and pin the release image', () => {
      expect(find<Deployment>(production, 'Deployment', 'gateway').spec!.replicas).toBe(3);
      expect(find<Deployment>(production, 'Deployment', 'reporter').spec!.replicas).toBe(2);
      for (const name of ['fb-collector', 'ttk-collector']) {
        expect(
          find<KubernetesObject & { spec: { minReplicaCount: number } }>(production, 'ScaledObject', name).spec,
        ).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 6 });
      }
      expect(containerOf(production, 'gateway').image).toBe('registry.example.com/evp/evp-pipeline:1.0.0');
    });
  });

  describe('when staging is rendered', () => {
    it('should run one PostgreSQL instance without a PodDisruptionBudget, still backed up', () => {
      const cluster = find<KubernetesObject & { spec: Record<string, unknown> }>(staging, 'Cluster', 'evp-postgres');

      expect(cluster.spec).toMatchObject({ instances: 1, enablePDB: false });
      expect(
        find<KubernetesObject & { spec: Record<string, unknown> }>(staging, 'ObjectStore', 'evp-backups').spec,
      ).toMatchObject({ configuration: { destinationPath: 's3://evp-backups/staging/' } });
    });
  });
});

describe(checkNatsValues, () => {
  let values: ReturnType<typeof parseNatsValues>;
  let production: KubernetesObject[];

  beforeAll(async () => {
    values = parseNatsValues(await readFile(layout.natsValues, 'utf8'));
    production = await renderOverlay('production');
  });

  describe('when given the committed values and the production overlay', () => {
    it('should find a 3-node JetStream cluster whose store holds both streams', () => {
      expect(checkNatsValues(values, production)).toEqual([]);
    });
  });

  describe('when the streams outgrow one server’s file store', () => {
    it('should refuse the byte limits', () => {
      const objects = structuredClone(production);
      const configMap = objects.find((object) => object.kind === 'ConfigMap') as KubernetesObject & {
        data: Record<string, string>;
      };
      configMap.data.EVENTS_STREAM_MAX_BYTES = String(16 * 1024 ** 3);

      expect(checkNatsValues(values, objects).map((problem) => problem.message)).toEqual([
        `ConfigMap ${configMap.metadata.name}: EVENTS_STREAM_MAX_BYTES + DEAD_LETTER_STREAM_MAX_BYTES (18253611008 bytes) do not fit in one server's file store (17179869184 bytes)`,
      ]);
    });
  });

  describe('when the cluster has one server and no monitoring port', () => {
    it('should name both', () => {
      const single = structuredClone(values);
      single.config!.cluster = { enabled: false };
      single.config!.monitor = { enabled: false };

      expect(checkNatsValues(single, production).map((problem) => problem.message)).toEqual([
        'config.cluster must be enabled with at least 3 replicas',
        'config.monitor must be enabled: KEDA reads the consumer lag from it',
      ]);
    });
  });

  describe(quantityBytes, () => {
    it('should read binary and decimal suffixes', () => {
      expect(quantityBytes('16Gi')).toBe(16 * 1024 ** 3);
      expect(quantityBytes('500M')).toBe(500e6);
      expect(quantityBytes('a lot')).toBeUndefined();
    });
  });
});

describe('the example Secrets', () => {
  it('should be valid Secrets holding placeholders only', async () => {
    const catalog = new SchemaCatalog(layout.schemas);
    for (const file of ['reporter-api-keys.example.yaml', 'backup-s3.example.yaml']) {
      for (const secret of await readObjects(join(layout.secrets, file))) {
        expect(catalog.validate(secret)).toEqual([]);
        for (const value of Object.values((secret as { stringData?: Record<string, string> }).stringData ?? {})) {
          expect(value).toMatch(/^replace-with-/);
        }
      }
    }
  });
});

import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import { type KubernetesObject, objectName } from './manifest.renderer';

/** One broken rule: which object, and what is wrong with it. */
export interface Problem {
  object: string;
  message: string;
}

export interface PolicyContext {
  /** Secrets created outside Git (deploy/kubernetes/secrets/*.example.yaml): name → keys. */
  externalSecrets: ReadonlyMap<string, ReadonlySet<string>>;
  /** The JetStream stream of accepted events (libs/contracts EVENTS_STREAM). */
  eventsStream: string;
  /** The collectors' durable consumer names (libs/contracts COLLECTOR_DURABLES). */
  collectorDurables: readonly string[];
}

/** Seconds kept between the end of a service's own shutdown timeout and the kubelet's SIGKILL. */
export const SHUTDOWN_MARGIN_SECONDS = 5;

/** Keys of the Secret `<cluster>-app` that CloudNativePG creates for a Cluster's application user. */
const CNPG_APP_SECRET_KEYS = new Set(['username', 'password', 'host', 'port', 'dbname', 'uri', 'jdbc-uri', 'pgpass']);

const CNPG_BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** A tag that names one build: a version (`1.2.3`, `v1.2.3-rc.1`) or a digest. Never `latest` or a branch name. */
const PINNED_TAG = /^v?\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$/;

interface CnpgCluster extends KubernetesObject {
  spec: {
    instances: number;
    plugins?: { name: string; enabled?: boolean; isWALArchiver?: boolean; parameters?: Record<string, string> }[];
  };
}

interface CnpgScheduledBackup extends KubernetesObject {
  spec: { schedule: string; cluster: { name: string }; method?: string; pluginConfiguration?: { name: string } };
}

interface CnpgObjectStore extends KubernetesObject {
  spec: { configuration: Record<string, unknown> };
}

type Container = NonNullable<NonNullable<IDeployment['spec']>['template']['spec']>['containers'][number];
type PodSpec = NonNullable<NonNullable<IDeployment['spec']>['template']['spec']>;

/** The rendered objects of one overlay, by kind and name. */
class Rendered {
  constructor(readonly objects: readonly KubernetesObject[]) {}

  ofKind<T extends KubernetesObject>(kind: string): T[] {
    return this.objects.filter((object) => object.kind === kind) as T[];
  }

  find<T extends KubernetesObject>(kind: string, name: string): T | undefined {
    return this.ofKind<T>(kind).find((object) => object.metadata.name === name);
  }
}

/**
 * The deployment's own rules on top of the schemas: the things a schema cannot say (a probe exists, a Secret is
 * provided, a PodDisruptionBudget selects the pods, the grace period outlasts the shutdown timeout, KEDA watches
 * the consumer the collector really uses). Run on objects that passed their schema.
 */
export function checkPolicies(objects: readonly KubernetesObject[], context: PolicyContext): Problem[] {
  const rendered = new Rendered(objects);
  return [
    ...checkNamespaces(rendered),
    ...rendered
      .ofKind<IDeployment & KubernetesObject>('Deployment')
      .flatMap((deployment) => checkDeployment(deployment, rendered, context)),
    ...rendered
      .ofKind<IScaledObject & KubernetesObject>('ScaledObject')
      .flatMap((scaledObject) => checkScaledObject(scaledObject, rendered, context)),
    ...rendered
      .ofKind<IServiceMonitor & KubernetesObject>('ServiceMonitor')
      .flatMap((monitor) => checkServiceMonitor(monitor, rendered)),
    ...checkDatabase(rendered, context),
  ];
}

function checkNamespaces(rendered: Rendered): Problem[] {
  const namespaces = rendered.ofKind('Namespace');
  if (namespaces.length !== 1) {
    return [{ object: '(overlay)', message: `renders ${namespaces.length} Namespace objects, expected exactly one` }];
  }
  const namespace = namespaces[0]!.metadata.name;
  return rendered.objects
    .filter((object) => object.kind !== 'Namespace' && object.metadata.namespace !== namespace)
    .map((object) => ({
      object: objectName(object),
      message: `is in namespace ${object.metadata.namespace ?? '(none)'}, not the overlay's ${namespace}`,
    }));
}

function checkDeployment(deployment: IDeployment & KubernetesObject, rendered: Rendered, context: PolicyContext) {
  const problems: string[] = [];
  const spec = deployment.spec!;
  const pod = spec.template.spec!;
  const podLabels = spec.template.metadata?.labels ?? {};
  const autoscaled = rendered
    .ofKind<IScaledObject & KubernetesObject>('ScaledObject')
    .some(
      (scaledObject) =>
        (scaledObject.spec.scaleTargetRef.kind ?? 'Deployment') === 'Deployment' &&
        scaledObject.spec.scaleTargetRef.name === deployment.metadata.name,
    );

  if (autoscaled && spec.replicas !== undefined) {
    problems.push('sets spec.replicas while a ScaledObject scales it: every apply would reset the replica count');
  }
  if (!autoscaled && spec.replicas === undefined) problems.push('sets no spec.replicas and no ScaledObject scales it');
  if (!selects(spec.selector.matchLabels, podLabels)) problems.push('its selector does not select its pod template');

  if (pod.automountServiceAccountToken !== false) problems.push('mounts a service account token it does not need');
  if (pod.enableServiceLinks !== false) problems.push('enableServiceLinks is not false (service variables leak in)');
  const spreads =
    (pod.topologySpreadConstraints ?? []).some((constraint) =>
      selects(constraint.labelSelector?.matchLabels, podLabels),
    ) || pod.affinity?.podAntiAffinity !== undefined;
  if (!spreads) problems.push('has no topology spread constraint or pod anti-affinity over its own pods');

  const containers = pod.containers;
  for (const container of containers) {
    problems.push(
      ...checkContainer(container, pod, rendered, context).map((message) => `${container.name}: ${message}`),
    );
  }
  problems.push(...checkGracePeriod(pod, rendered));
  problems.push(...checkSelectedBy(deployment, podLabels, containers, rendered));

  return problems.map((message) => ({ object: objectName(deployment), message }));
}

function checkContainer(container: Container, pod: PodSpec, rendered: Rendered, context: PolicyContext): string[] {
  const problems: string[] = [];
  const image = container.image ?? '';
  const tag = image.includes('@sha256:') ? 'digest' : /:([^:/]+)$/.exec(image)?.[1];
  if (tag === undefined || (tag !== 'digest' && !PINNED_TAG.test(tag))) {
    problems.push(`image ${image} is not pinned to a version tag or a digest`);
  }

  const ports = new Set<string | number>(
    (container.ports ?? []).flatMap((port) => [port.containerPort, port.name ?? '']),
  );
  const probes = {
    startupProbe: container.startupProbe,
    livenessProbe: container.livenessProbe,
    readinessProbe: container.readinessProbe,
  };
  const expectedPaths: Record<keyof typeof probes, string> = {
    startupProbe: '/health/liveness',
    livenessProbe: '/health/liveness',
    readinessProbe: '/health/readiness',
  };
  for (const [name, probe] of Object.entries(probes) as [keyof typeof probes, Container['livenessProbe']][]) {
    if (probe?.httpGet === undefined) {
      problems.push(`has no HTTP ${name}`);
      continue;
    }
    if (probe.httpGet.path !== expectedPaths[name]) {
      problems.push(`${name} asks ${probe.httpGet.path ?? '/'}, not ${expectedPaths[name]}`);
    }
    if (!ports.has(probe.httpGet.port)) problems.push(`${name} port ${probe.httpGet.port} is not a container port`);
  }

  const { requests, limits } = container.resources ?? {};
  for (const resource of ['cpu', 'memory']) {
    if (requests?.[resource] === undefined) problems.push(`requests no ${resource}`);
    if (limits?.[resource] === undefined) problems.push(`has no ${resource} limit`);
  }

  const security = container.securityContext ?? {};
  const podSecurity = pod.securityContext ?? {};
  if ((security.runAsNonRoot ?? podSecurity.runAsNonRoot) !== true) problems.push('runAsNonRoot is not true');
  const user = security.runAsUser ?? podSecurity.runAsUser;
  if (user === undefined || user === 0) {
    problems.push('runs without a numeric non-zero runAsUser (the kubelet cannot verify a named image user)');
  }
  if (security.readOnlyRootFilesystem !== true) problems.push('readOnlyRootFilesystem is not true');
  if (security.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation is not false');
  if (!(security.capabilities?.drop ?? []).includes('ALL')) problems.push('does not drop ALL capabilities');
  if ((security.seccompProfile ?? podSecurity.seccompProfile)?.type !== 'RuntimeDefault') {
    problems.push('seccompProfile is not RuntimeDefault');
  }

  problems.push(...checkReferences(container, pod, rendered, context));
  return problems;
}

/** Every ConfigMap and Secret a container reads must be rendered, created by CloudNativePG, or documented. */
function checkReferences(container: Container, pod: PodSpec, rendered: Rendered, context: PolicyContext): string[] {
  const problems: string[] = [];
  const secretProvided = (name: string, key?: string): string | undefined => {
    const cluster = rendered.ofKind('Cluster').find((candidate) => `${candidate.metadata.name}-app` === name);
    if (cluster !== undefined) {
      return key === undefined || CNPG_APP_SECRET_KEYS.has(key)
        ? undefined
        : `Secret ${name} (CloudNativePG) has no key ${key}`;
    }
    const external = context.externalSecrets.get(name);
    if (external === undefined) {
      return `Secret ${name} is neither rendered, nor created by CloudNativePG, nor documented in deploy/kubernetes/secrets`;
    }
    return key === undefined || external.has(key) ? undefined : `Secret ${name} (documented) has no key ${key}`;
  };
  const configMapProvided = (name: string, key?: string): string | undefined => {
    const configMap = rendered.find<IConfigMap & KubernetesObject>('ConfigMap', name);
    if (configMap === undefined) return `ConfigMap ${name} is not rendered`;
    return key === undefined || configMap.data?.[key] !== undefined ? undefined : `ConfigMap ${name} has no key ${key}`;
  };

  for (const source of container.envFrom ?? []) {
    if (source.configMapRef !== undefined && source.configMapRef.optional !== true) {
      problems.push(configMapProvided(source.configMapRef.name ?? '') ?? '');
    }
    if (source.secretRef !== undefined && source.secretRef.optional !== true) {
      problems.push(secretProvided(source.secretRef.name ?? '') ?? '');
    }
  }
  for (const variable of container.env ?? []) {
    const { configMapKeyRef, secretKeyRef } = variable.valueFrom ?? {};
    if (configMapKeyRef !== undefined && configMapKeyRef.optional !== true) {
      problems.push(configMapProvided(configMapKeyRef.name ?? '', configMapKeyRef.key) ?? '');
    }
    if (secretKeyRef !== undefined && secretKeyRef.optional !== true) {
      problems.push(secretProvided(secretKeyRef.name ?? '', secretKeyRef.key) ?? '');
    }
  }
  const mounted = new Set((container.volumeMounts ?? []).map((mount) => mount.name));
  for (const volume of pod.volumes ?? []) {
    if (!mounted.has(volume.name)) continue;
    if (volume.secret !== undefined && volume.secret.optional !== true) {
      const keys = volume.secret.items?.map((item) => item.key) ?? [undefined];
      for (const key of keys) problems.push(secretProvided(volume.secret.secretName ?? '', key) ?? '');
    }
    if (volume.configMap !== undefined && volume.configMap.optional !== true) {
      problems.push(configMapProvided(volume.configMap.name ?? '') ?? '');
    }
  }
  return problems.filter((problem) => problem !== '');
}

/**
 * The kubelet waits terminationGracePeriodSeconds for the preStop hook and the process together, then kills it:
 * that must outlast the preStop pause plus the service's own shutdown timeout (SHUTDOWN_TIMEOUT_MS), which bounds
 * its graceful shutdown.
 */
function checkGracePeriod(pod: PodSpec, rendered: Rendered): string[] {
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  const problems: string[] = [];
  for (const container of pod.containers) {
    const value = resolveEnv(container, rendered).get('SHUTDOWN_TIMEOUT_MS');
    if (value === undefined) {
      problems.push(`${container.name}: SHUTDOWN_TIMEOUT_MS is not set (the grace period cannot be checked)`);
      continue;
    }
    const shutdownSeconds = Math.ceil(Number(value) / 1000);
    const needed = preStopSeconds(container) + shutdownSeconds + SHUTDOWN_MARGIN_SECONDS;
    if (!Number.isFinite(shutdownSeconds) || grace < needed) {
      problems.push(
        `${container.name}: terminationGracePeriodSeconds ${grace} is shorter than preStop ${preStopSeconds(container)} s` +
          ` + SHUTDOWN_TIMEOUT_MS ${value} ms + ${SHUTDOWN_MARGIN_SECONDS} s margin`,
      );
    }
  }
  return problems;
}

function preStopSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep !== undefined) return preStop.sleep.seconds;
  const [command, seconds] = preStop?.exec?.command ?? [];
  return command === 'sleep' && seconds !== undefined ? Number(seconds) || 0 : 0;
}

/** A container's environment as the kubelet builds it: envFrom ConfigMaps first, `env` entries win. */
export function resolveEnv(
  container: Container,
  rendered: Rendered | readonly KubernetesObject[],
): Map<string, string> {
  const index = rendered instanceof Rendered ? rendered : new Rendered(rendered);
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    const configMap = index.find<IConfigMap & KubernetesObject>('ConfigMap', source.configMapRef?.name ?? '');
    for (const [name, value] of Object.entries(configMap?.data ?? {})) env.set(`${source.prefix ?? ''}${name}`, value);
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env.set(variable.name, variable.value);
    const ref = variable.valueFrom?.configMapKeyRef;
    const fromConfigMap =
      ref === undefined
        ? undefined
        : index.find<IConfigMap & KubernetesObject>('ConfigMap', ref.name ?? '')?.data?.[ref.key];
    if (fromConfigMap !== undefined) env.set(variable.name, fromConfigMap);
  }
  return env;
}

/** Exactly one PodDisruptionBudget and at least one Service select the pods, on a port the container declares. */
function checkSelectedBy(
  deployment: IDeployment & KubernetesObject,
  podLabels: Record<string, string>,
  containers: Container[],
  rendered: Rendered,
): string[] {
  const problems: string[] = [];
  const budgets = rendered
    .ofKind<IPodDisruptionBudget & KubernetesObject>('PodDisruptionBudget')
    .filter((budget) => selects(budget.spec?.selector?.matchLabels, podLabels));
  if (budgets.length !== 1) problems.push(`is covered by ${budgets.length} PodDisruptionBudgets, expected one`);

  const services = rendered
    .ofKind<IService & KubernetesObject>('Service')
    .filter((service) => selects(service.spec?.selector, podLabels));
  if (services.length === 0) problems.push('no Service selects its pods');
  const ports = new Set(
    containers.flatMap((container) => (container.ports ?? []).flatMap((p) => [p.containerPort, p.name])),
  );
  for (const service of services) {
    for (const port of service.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      if (!ports.has(target))
        problems.push(`Service ${service.metadata.name} targets port ${target}, not a container port`);
    }
  }
  if (deployment.spec?.template.spec?.serviceAccountName !== undefined) {
    const account = deployment.spec.template.spec.serviceAccountName;
    if (rendered.find('ServiceAccount', account) === undefined)
      problems.push(`ServiceAccount ${account} is not rendered`);
  }
  return problems;
}

function checkServiceMonitor(monitor: IServiceMonitor & KubernetesObject, rendered: Rendered): Problem[] {
  const services = rendered
    .ofKind<IService & KubernetesObject>('Service')
    .filter((service) => selects(monitor.spec.selector.matchLabels, service.metadata.labels ?? {}));
  const problems: string[] = [];
  if (services.length === 0) problems.push('selects no Service');
  for (const endpoint of monitor.spec.endpoints) {
    const named = services.every((service) => (service.spec?.ports ?? []).some((port) => port.name === endpoint.port));
    if (endpoint.port === undefined || !named)
      problems.push(`endpoint port ${endpoint.port} is not a port of every Service it selects`);
    if (endpoint.path !== '/metrics') problems.push(`scrapes ${endpoint.path ?? '/metrics (default)'}, not /metrics`);
  }
  return problems.map((message) => ({ object: objectName(monitor), message }));
}

/**
 * KEDA must watch what the collector consumes: the events stream and the durable consumer the Deployment's
 * CONSUMER_DURABLE names, on a monitoring endpoint in the object's own namespace that the KEDA operator (in its own
 * namespace) can resolve.
 */
function checkScaledObject(scaledObject: IScaledObject & KubernetesObject, rendered: Rendered, context: PolicyContext) {
  const problems: string[] = [];
  const spec = scaledObject.spec;
  const target = rendered.find<IDeployment & KubernetesObject>('Deployment', spec.scaleTargetRef.name);
  if (target === undefined || (spec.scaleTargetRef.kind ?? 'Deployment') !== 'Deployment') {
    problems.push(
      `scales ${spec.scaleTargetRef.kind ?? 'Deployment'} ${spec.scaleTargetRef.name}, which is not rendered`,
    );
  }
  const min = spec.minReplicaCount ?? 0;
  const max = spec.maxReplicaCount ?? 100;
  if (min < 1) problems.push('minReplicaCount is below 1: a stopped collector would not come back until lag builds up');
  if (max < min) problems.push(`maxReplicaCount ${max} is below minReplicaCount ${min}`);

  const triggers = spec.triggers.filter((trigger) => trigger.type === 'nats-jetstream');
  if (triggers.length !== 1) problems.push(`has ${triggers.length} nats-jetstream triggers, expected one`);
  const container = target?.spec?.template.spec?.containers[0];
  const env = container === undefined ? new Map<string, string>() : resolveEnv(container, rendered);
  for (const { metadata } of triggers) {
    const stream = env.get('EVENTS_STREAM') ?? context.eventsStream;
    if (metadata.stream !== stream) problems.push(`watches stream ${metadata.stream}, the collector reads ${stream}`);
    const durable = env.get('CONSUMER_DURABLE');
    if (durable === undefined || metadata.consumer !== durable) {
      problems.push(`watches consumer ${metadata.consumer}, the collector's CONSUMER_DURABLE is ${durable ?? 'unset'}`);
    }
    if (!context.collectorDurables.includes(metadata.consumer ?? '')) {
      problems.push(`consumer ${metadata.consumer} is not one of the durables in libs/contracts`);
    }
    if (!/^[1-9]\d*$/.test(metadata.lagThreshold ?? '')) problems.push('lagThreshold is not a positive whole number');
    if (metadata.account === undefined) problems.push('names no NATS account');
    const endpoint = metadata.natsServerMonitoringEndpoint ?? '';
    const host = endpoint.split(':')[0] ?? '';
    const [, endpointNamespace, svc] = host.split('.');
    if (svc !== 'svc' || !/:\d+$/.test(endpoint)) {
      problems.push(
        `natsServerMonitoringEndpoint ${endpoint} is not <service>.<namespace>.svc…:<port> (KEDA resolves it from its own namespace)`,
      );
    } else if (endpointNamespace !== scaledObject.metadata.namespace) {
      problems.push(
        `natsServerMonitoringEndpoint ${endpoint} is in namespace ${endpointNamespace}, not ${scaledObject.metadata.namespace}`,
      );
    }
  }
  for (const url of (env.get('NATS_URL') ?? '').split(',').filter((item) => item !== '')) {
    const host = new URL(url.trim()).hostname;
    const parts = host.split('.');
    if (parts.length > 1 && parts[1] !== scaledObject.metadata.namespace) {
      problems.push(
        `the collector's NATS_URL ${url} is in namespace ${parts[1]}, not ${scaledObject.metadata.namespace}`,
      );
    }
  }
  return problems.map((message) => ({ object: objectName(scaledObject), message }));
}

/** PostgreSQL: WAL archived through the Barman Cloud Plugin to a rendered ObjectStore, and backups scheduled. */
function checkDatabase(rendered: Rendered, context: PolicyContext): Problem[] {
  const problems: Problem[] = [];
  const clusters = rendered.ofKind<CnpgCluster>('Cluster');
  for (const cluster of clusters) {
    const archivers = (cluster.spec.plugins ?? []).filter(
      (plugin) => plugin.isWALArchiver === true && plugin.enabled !== false,
    );
    if (archivers.length !== 1) {
      problems.push({
        object: objectName(cluster),
        message: `has ${archivers.length} WAL archiver plugins, expected one`,
      });
    }
    for (const archiver of archivers) {
      const store = archiver.parameters?.barmanObjectName;
      if (
        archiver.name !== CNPG_BARMAN_PLUGIN ||
        store === undefined ||
        rendered.find('ObjectStore', store) === undefined
      ) {
        problems.push({
          object: objectName(cluster),
          message: `archives WAL with ${archiver.name} to ObjectStore ${store ?? '(none)'}, which is not rendered`,
        });
      }
    }
    const backups = rendered
      .ofKind<CnpgScheduledBackup>('ScheduledBackup')
      .filter((backup) => backup.spec.cluster.name === cluster.metadata.name);
    if (backups.length === 0) problems.push({ object: objectName(cluster), message: 'has no ScheduledBackup' });
  }
  for (const backup of rendered.ofKind<CnpgScheduledBackup>('ScheduledBackup')) {
    const cluster = clusters.find((candidate) => candidate.metadata.name === backup.spec.cluster.name);
    const message = (text: string) => problems.push({ object: objectName(backup), message: text });
    if (cluster === undefined) message(`backs up Cluster ${backup.spec.cluster.name}, which is not rendered`);
    if (backup.spec.schedule.trim().split(/\s+/).length !== 6) {
      message(`schedule "${backup.spec.schedule}" does not have six fields (CloudNativePG's cron starts with seconds)`);
    }
    if (backup.spec.method === 'plugin') {
      const plugin = backup.spec.pluginConfiguration?.name;
      if (!(cluster?.spec.plugins ?? []).some((candidate) => candidate.name === plugin)) {
        message(`uses plugin ${plugin ?? '(none)'}, which its Cluster does not load`);
      }
    }
  }
  for (const store of rendered.ofKind<CnpgObjectStore>('ObjectStore')) {
    for (const reference of secretKeySelectors(store.spec.configuration)) {
      const keys = context.externalSecrets.get(reference.name);
      if (keys === undefined || !keys.has(reference.key)) {
        problems.push({
          object: objectName(store),
          message: `reads key ${reference.key} of Secret ${reference.name}, not documented in deploy/kubernetes/secrets`,
        });
      }
    }
  }
  return problems;
}

/** Every `{name, key}` pair below an object: the secret references of a barman-cloud configuration. */
function secretKeySelectors(value: unknown): { name: string; key: string }[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record.name === 'string' && typeof record.key === 'string')
    return [{ name: record.name, key: record.key }];
  return Object.values(record).flatMap(secretKeySelectors);
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

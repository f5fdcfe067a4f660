import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { parse } from 'yaml';
import type { Problem } from './deployment.policy';
import type { KubernetesObject } from './manifest.renderer';

/** The parts of the NATS Helm chart's values (chart 1.x) the pipeline depends on. */
interface NatsValues {
  config?: {
    cluster?: { enabled?: boolean; replicas?: number };
    jetstream?: {
      enabled?: boolean;
      fileStore?: { enabled?: boolean; pvc?: { enabled?: boolean; size?: string }; maxSize?: string };
    };
    monitor?: { enabled?: boolean; port?: number };
  };
  container?: { image?: { tag?: string } };
}

const UNITS: Record<string, number> = {
  '': 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** Bytes of a Kubernetes quantity (`20Gi`, `500M`, `1073741824`); undefined when it is not one. */
export function quantityBytes(quantity: string | number | undefined): number | undefined {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity ?? '');
  if (match === null) return undefined;
  return Number(match[1]) * (UNITS[match[2] ?? ''] ?? Number.NaN);
}

const VALUES = 'nats/values.yaml';

/** Parses the values file: YAML, and a mapping at the top. */
export function parseNatsValues(text: string): NatsValues {
  const values: unknown = parse(text);
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new Error(`${VALUES} is not a YAML mapping`);
  }
  return values;
}

/**
 * The NATS release must be what the overlay's services and KEDA expect: a JetStream cluster of at least three
 * servers with a persistent file store large enough for the byte limits the services give their streams, and
 * the monitoring port the ScaledObjects ask.
 */
export function checkNatsValues(values: NatsValues, overlay: readonly KubernetesObject[]): Problem[] {
  const problems: string[] = [];
  const { cluster, jetstream, monitor } = values.config ?? {};
  if (cluster?.enabled !== true || (cluster.replicas ?? 0) < 3) {
    problems.push('config.cluster must be enabled with at least 3 replicas');
  }
  if (
    jetstream?.enabled !== true ||
    jetstream.fileStore?.enabled !== true ||
    jetstream.fileStore.pvc?.enabled !== true
  ) {
    problems.push('config.jetstream must be enabled with a file store on a PVC');
  }
  const tag = values.container?.image?.tag;
  if (tag === undefined || !/^\d+\.\d+\.\d+/.test(tag))
    problems.push('container.image.tag must pin a NATS server version');

  const pvcBytes = quantityBytes(jetstream?.fileStore?.pvc?.size);
  const storeBytes = quantityBytes(jetstream?.fileStore?.maxSize ?? jetstream?.fileStore?.pvc?.size);
  if (pvcBytes === undefined || storeBytes === undefined) {
    problems.push('config.jetstream.fileStore.pvc.size (and maxSize, when set) must be quantities');
  } else if (storeBytes > pvcBytes) {
    problems.push(`config.jetstream.fileStore.maxSize exceeds the PVC (${jetstream?.fileStore?.pvc?.size})`);
  }

  for (const configMap of overlay.filter((object) => object.kind === 'ConfigMap') as (IConfigMap &
    KubernetesObject)[]) {
    const events = Number(configMap.data?.EVENTS_STREAM_MAX_BYTES);
    const deadLetters = Number(configMap.data?.DEAD_LETTER_STREAM_MAX_BYTES);
    if (!Number.isFinite(events) || !Number.isFinite(deadLetters) || storeBytes === undefined) continue;
    if (events === -1 || deadLetters === -1) {
      problems.push(
        `ConfigMap ${configMap.metadata.name} leaves a stream without a byte limit: NATS cannot reserve it`,
      );
    } else if (events + deadLetters > storeBytes) {
      problems.push(
        `ConfigMap ${configMap.metadata.name}: EVENTS_STREAM_MAX_BYTES + DEAD_LETTER_STREAM_MAX_BYTES ` +
          `(${events + deadLetters} bytes) do not fit in one server's file store (${storeBytes} bytes)`,
      );
    }
  }

  const port = monitor?.enabled === true ? (monitor.port ?? 8222) : undefined;
  if (port === undefined) problems.push('config.monitor must be enabled: KEDA reads the consumer lag from it');
  for (const scaledObject of overlay.filter((object) => object.kind === 'ScaledObject') as (IScaledObject &
    KubernetesObject)[]) {
    for (const trigger of scaledObject.spec.triggers.filter((candidate) => candidate.type === 'nats-jetstream')) {
      const endpoint = trigger.metadata.natsServerMonitoringEndpoint ?? '';
      if (port !== undefined && !endpoint.endsWith(`:${port}`)) {
        problems.push(`ScaledObject ${scaledObject.metadata.name} asks ${endpoint}, the monitoring port is ${port}`);
      }
    }
  }
  return problems.map((message) => ({ object: VALUES, message }));
}

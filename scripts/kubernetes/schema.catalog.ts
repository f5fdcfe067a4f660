import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { KubernetesObject } from './manifest.renderer';

/** Checks one object against its schema; answers the problems found, empty when it is valid. */
type ObjectValidator = (object: KubernetesObject) => string[];

/** Any model class: each takes its own type's data, so the parameter is `never` here and the call casts. */
interface ModelClass {
  new (data: never): { validate(): void };
}

/**
 * The kubernetes-models classes validate with the JSON schema of their type (compiled from the Kubernetes OpenAPI
 * document or the CRD). They throw on the first invalid object with every problem in `errors`.
 */
function modelValidator(model: ModelClass): ObjectValidator {
  return (object) => {
    try {
      new model(object as never).validate();
      return [];
    } catch (error) {
      const errors = (error as { errors?: ErrorObject[] }).errors;
      return errors === undefined ? [String(error)] : errors.map(formatError);
    }
  };
}

/** The CRDs no npm package publishes: JSON schemas vendored under deploy/kubernetes/schemas (see its README). */
function vendoredValidator(ajv: Ajv, schemaFile: string): ObjectValidator {
  const validate: ValidateFunction = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  return (object) => (validate(object) ? [] : (validate.errors ?? []).map(formatError));
}

function formatError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(object)' : error.instancePath;
  const detail =
    error.keyword === 'additionalProperties'
      ? `: ${String((error.params as { additionalProperty?: string }).additionalProperty)}`
      : error.keyword === 'enum'
        ? `: ${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)}`
        : '';
  return `${where} ${error.message ?? error.keyword}${detail}`;
}

export const VENDORED_SCHEMAS = {
  'postgresql.cnpg.io/v1/Cluster': 'postgresql.cnpg.io_v1_cluster.json',
  'postgresql.cnpg.io/v1/ScheduledBackup': 'postgresql.cnpg.io_v1_scheduledbackup.json',
  'barmancloud.cnpg.io/v1/ObjectStore': 'barmancloud.cnpg.io_v1_objectstore.json',
} as const;

/**
 * Every kind the deployment may render, by `apiVersion/kind`. A kind missing here fails the check: add its schema
 * rather than let an object through unchecked.
 */
export class SchemaCatalog {
  private readonly validators: ReadonlyMap<string, ObjectValidator>;

  constructor(schemaDir: string) {
    const ajv = new Ajv({ allErrors: true });
    this.validators = new Map<string, ObjectValidator>([
      ['v1/ConfigMap', modelValidator(ConfigMap)],
      ['v1/Namespace', modelValidator(Namespace)],
      ['v1/Secret', modelValidator(Secret)],
      ['v1/Service', modelValidator(Service)],
      ['v1/ServiceAccount', modelValidator(ServiceAccount)],
      ['apps/v1/Deployment', modelValidator(Deployment)],
      ['policy/v1/PodDisruptionBudget', modelValidator(PodDisruptionBudget)],
      ['keda.sh/v1alpha1/ScaledObject', modelValidator(ScaledObject)],
      ['monitoring.coreos.com/v1/ServiceMonitor', modelValidator(ServiceMonitor)],
      ...Object.entries(VENDORED_SCHEMAS).map(
        ([type, file]) => [type, vendoredValidator(ajv, join(schemaDir, file))] as const,
      ),
    ]);
  }

  /** The `apiVersion/kind` pairs that have a schema. */
  get types(): string[] {
    return [...this.validators.keys()];
  }

  validate(object: KubernetesObject): string[] {
    const validator = this.validators.get(`${object.apiVersion}/${object.kind}`);
    if (validator === undefined) {
      return [`no schema for ${object.apiVersion} ${object.kind}: add one to scripts/kubernetes/schema.catalog.ts`];
    }
    return validator(object);
  }
}

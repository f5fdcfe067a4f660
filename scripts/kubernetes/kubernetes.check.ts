import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { COLLECTOR_DURABLES, EVENTS_STREAM } from '@evp/contracts';
import { checkPolicies, type PolicyContext, type Problem } from './deployment.policy';
import type { Kubectl } from './kubectl.locator';
import { type KubernetesObject, objectName, readObjects, renderKustomization, RenderError } from './manifest.renderer';
import { checkNatsValues, parseNatsValues } from './nats-values.check';
import { SchemaCatalog } from './schema.catalog';

/** deploy/kubernetes and its parts. */
export function kubernetesLayout(root: string) {
  const dir = resolve(root, 'deploy/kubernetes');
  return {
    dir,
    overlays: join(dir, 'overlays'),
    schemas: join(dir, 'schemas'),
    secrets: join(dir, 'secrets'),
    natsValues: join(dir, 'nats/values.yaml'),
  };
}

/** One rendered overlay: how many objects of each kind, and what is wrong. */
export interface OverlayReport {
  overlay: string;
  objects: KubernetesObject[];
  problems: Problem[];
}

export interface CheckResult {
  overlays: OverlayReport[];
  /** Problems outside the overlays (example Secrets, NATS values file). */
  problems: Problem[];
}

export interface CheckOptions {
  root: string;
  kubectl: Kubectl;
  /** Kustomization folders to render. @default every folder of deploy/kubernetes/overlays */
  overlays?: string[];
}

/**
 * Renders each overlay with `kubectl kustomize` and checks what comes out: every object against its schema, then,
 * when all are valid, the deployment's rules (deployment.policy.ts) and the NATS values file against the overlay.
 * The example Secrets of deploy/kubernetes/secrets are validated too: the overlays rely on their names and keys.
 */
export async function checkKubernetes(options: CheckOptions): Promise<CheckResult> {
  const layout = kubernetesLayout(options.root);
  const catalog = new SchemaCatalog(layout.schemas);
  const problems: Problem[] = [];

  const examples = await readExampleSecrets(layout.secrets);
  for (const example of examples) {
    for (const message of catalog.validate(example.object)) {
      problems.push({ object: `${example.file} ${objectName(example.object)}`, message });
    }
  }
  const context: PolicyContext = {
    externalSecrets: new Map(
      examples.map(({ object }) => [object.metadata.name, new Set(Object.keys(secretData(object)))] as const),
    ),
    eventsStream: EVENTS_STREAM,
    collectorDurables: Object.values(COLLECTOR_DURABLES),
  };

  let natsValues: ReturnType<typeof parseNatsValues> | undefined;
  try {
    natsValues = parseNatsValues(await readFile(layout.natsValues, 'utf8'));
  } catch (error) {
    problems.push({ object: 'nats/values.yaml', message: error instanceof Error ? error.message : String(error) });
  }

  const overlayDirs = options.overlays ?? (await listOverlays(layout.overlays));
  const overlays: OverlayReport[] = [];
  for (const dir of overlayDirs) {
    const overlay = relative(layout.dir, dir).startsWith('..') ? dir : relative(layout.dir, dir);
    overlays.push(await checkOverlay(overlay, dir, { kubectl: options.kubectl, catalog, context, natsValues }));
  }
  return { overlays, problems };
}

async function checkOverlay(
  overlay: string,
  dir: string,
  deps: {
    kubectl: Kubectl;
    catalog: SchemaCatalog;
    context: PolicyContext;
    natsValues: ReturnType<typeof parseNatsValues> | undefined;
  },
): Promise<OverlayReport> {
  let objects: KubernetesObject[];
  try {
    objects = await renderKustomization(deps.kubectl, dir);
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    return { overlay, objects: [], problems: [{ object: '(render)', message: error.message }] };
  }
  const problems = objects.flatMap((object) =>
    deps.catalog.validate(object).map((message) => ({ object: objectName(object), message })),
  );
  // The rules read the objects through their schema's types: they run once every object is valid.
  if (problems.length === 0) {
    problems.push(...checkPolicies(objects, deps.context));
    if (deps.natsValues !== undefined) problems.push(...checkNatsValues(deps.natsValues, objects));
  }
  return { overlay, objects, problems };
}

async function listOverlays(overlaysDir: string): Promise<string[]> {
  const entries = await readdir(overlaysDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(overlaysDir, entry.name))
    .sort();
}

async function readExampleSecrets(secretsDir: string): Promise<{ file: string; object: KubernetesObject }[]> {
  const files = (await readdir(secretsDir)).filter((file) => file.endsWith('.example.yaml')).sort();
  const secrets: { file: string; object: KubernetesObject }[] = [];
  for (const file of files) {
    for (const object of await readObjects(join(secretsDir, file))) secrets.push({ file: `secrets/${file}`, object });
  }
  return secrets;
}

function secretData(secret: KubernetesObject): Record<string, unknown> {
  const { data, stringData } = secret as { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
  return { ...data, ...stringData };
}

/** `Deployment 4, Service 4, …`: the kinds of an overlay's objects, counted. */
export function countKinds(objects: readonly KubernetesObject[]): string {
  const counts = new Map<string, number>();
  for (const object of objects) counts.set(object.kind, (counts.get(object.kind) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
}

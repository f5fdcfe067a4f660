import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { Kubectl } from './kubectl.locator';

const run = promisify(execFile);

/** The fields every Kubernetes object has; the rest is checked by its schema. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export class RenderError extends Error {
  override readonly name = 'RenderError';
  readonly code = 'KUBERNETES.RENDER_FAILED';
}

/** `Kind/name`, how objects are named in every message. */
export const objectName = (object: KubernetesObject): string => `${object.kind}/${object.metadata.name}`;

/** `kubectl kustomize <dir>`: every object the kustomization produces, in kustomize's order. */
export async function renderKustomization(kubectl: Kubectl, dir: string): Promise<KubernetesObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await run(kubectl.path, ['kustomize', dir], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new RenderError(`kubectl kustomize ${dir} failed: ${stderr || String(error)}`, { cause: error });
  }
  return parseObjects(stdout, `kubectl kustomize ${dir}`);
}

/** Every YAML document of a file, as objects. */
export async function readObjects(file: string): Promise<KubernetesObject[]> {
  return parseObjects(await readFile(file, 'utf8'), file);
}

/** Parses a YAML stream; a document that is not a Kubernetes object (no apiVersion, kind, metadata.name) fails. */
export function parseObjects(text: string, origin: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const [index, document] of parseAllDocuments(text).entries()) {
    if (document.errors.length > 0) {
      throw new RenderError(`${origin}: document ${index + 1} is not valid YAML: ${document.errors[0]?.message}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubernetesObject(value)) {
      throw new RenderError(`${origin}: document ${index + 1} has no apiVersion, kind and metadata.name`);
    }
    objects.push(value);
  }
  return objects;
}

function isKubernetesObject(value: unknown): value is KubernetesObject {
  if (typeof value !== 'object' || value === null) return false;
  const { apiVersion, kind, metadata } = value as Record<string, unknown>;
  return (
    typeof apiVersion === 'string' &&
    typeof kind === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof (metadata as Record<string, unknown>).name === 'string'
  );
}

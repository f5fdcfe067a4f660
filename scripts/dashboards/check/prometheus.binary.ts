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

/** The `prometheus` binary (Debian's `prometheus` package), installed when missing as `ensureDebianBinary` does. */
export const ensurePrometheus = (log: (line: string) => void): string =>
  ensureDebianBinary('prometheus', 'prometheus', log);

/**
 * The binary `name` from the Debian package `debianPackage`, installed when it is missing and the check runs as root
 * (the only way apt-get may install); otherwise a `DASHCHECK.BINARY_MISSING` error saying what to do.
 */
export function ensureDebianBinary(name: string, debianPackage: string, log: (line: string) => void): string {
  const found = findOnPath(name);
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const aptGet = findOnPath('apt-get');
  if (!isRoot || !aptGet) {
    throw new DashboardCheckError(
      'DASHCHECK.BINARY_MISSING',
      `${name} is not installed and this run cannot install it (needs root and apt-get): run \`apt-get install -y ${debianPackage}\` as root`,
    );
  }
  log(`${name} not found: installing Debian's ${debianPackage} package`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    // A fresh image has no package lists yet; refreshing them when present would only slow the run down.
    if (!hasPackageLists()) execFileSync(aptGet, ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync(aptGet, ['install', '-y', '-qq', debianPackage], { stdio: 'inherit', env });
  } catch (error) {
    throw new DashboardCheckError('DASHCHECK.BINARY_MISSING', `apt-get install -y ${debianPackage} failed`, {
      cause: error,
    });
  }
  const installed = findOnPath(name);
  if (!installed) {
    throw new DashboardCheckError(
      'DASHCHECK.BINARY_MISSING',
      `apt-get installed ${debianPackage}, but no ${name} binary is on PATH`,
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

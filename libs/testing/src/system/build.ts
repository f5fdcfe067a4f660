import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root, found from this file's place in libs/testing/src/system. */
export const REPO_ROOT = resolve(__dirname, '../../../..');

let built = false;

/**
 * Builds every workspace once per test process (incremental `tsc -b`), so suites that run the services
 * as real processes start them from the same JavaScript `npm start` runs.
 */
export function buildServicesOnce(): void {
  // The integration suites' global set-up has already built everything.
  if (built || process.env.EVP_SERVICES_BUILT === 'true') return;
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  built = true;
}

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * Builds every workspace once, before any test worker starts, for the suites that run the services as real
 * processes. Done here, asynchronously, because a synchronous build inside a worker blocks its event loop long
 * enough for Vitest's worker RPC to time out on a busy machine.
 */
export default async function buildServices(): Promise<void> {
  await promisify(execFile)('npx', ['tsc', '-b', 'tsconfig.build.json'], {
    cwd: resolve(__dirname, '..'),
    maxBuffer: 64 * 1024 * 1024,
  });
  process.env.EVP_SERVICES_BUILT = 'true';
}

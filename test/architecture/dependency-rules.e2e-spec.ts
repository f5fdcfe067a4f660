import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../..');
const depcruise = join(repoRoot, 'node_modules/.bin/depcruise');

/** Runs the project's dependency rules over a throw-away tree and returns the violations it reports. */
async function violationsIn(files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'evp-arch-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'libs'));
  mkdirSync(join(dir, 'apps'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@evp/*': ['libs/*/src/index.ts'] } } }),
  );
  try {
    await run(depcruise, ['libs', 'apps', '--config', join(repoRoot, '.dependency-cruiser.cjs')], { cwd: dir });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return stdout + stderr;
  }
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('dependency rules (npm run lint:deps)', () => {
  it('should pass a tree that only points apps at libs through their public door', async () => {
    const output = await violationsIn({
      'libs/contracts/src/index.ts': 'export const a = 1;\n',
      'apps/gateway/src/main.ts': "import { a } from '@evp/contracts';\nexport const b = a;\n",
    });
    expect(output).toBe('');
  });

  it('should fail when a lib imports an app', async () => {
    const output = await violationsIn({
      'apps/gateway/src/main.ts': 'export const b = 1;\n',
      'libs/messaging/src/index.ts': "import { b } from '../../../apps/gateway/src/main';\nexport const c = b;\n",
    });
    expect(output).toContain('lib-imports-app');
  });

  it('should fail when production code imports the test-support lib', async () => {
    const output = await violationsIn({
      'libs/testing/src/index.ts': 'export const t = 1;\n',
      'apps/publisher/src/main.ts': "import { t } from '@evp/testing';\nexport const p = t;\n",
    });
    expect(output).toContain('production-code-imports-testing');
  });

  it('should fail when contracts depends on anything but zod', async () => {
    const output = await violationsIn({
      'libs/observability/src/index.ts': 'export const o = 1;\n',
      'libs/contracts/src/index.ts': "import { o } from '@evp/observability';\nexport const a = o;\n",
    });
    expect(output).toContain('contracts-depends-on-zod-only');
  });

  it('should fail on a deep import past a lib public door', async () => {
    const output = await violationsIn({
      'libs/contracts/src/index.ts': "export * from './inner';\n",
      'libs/contracts/src/inner.ts': 'export const a = 1;\n',
      'apps/gateway/src/main.ts': "import { a } from '../../../libs/contracts/src/inner';\nexport const b = a;\n",
    });
    expect(output).toContain('no-deep-lib-import');
  });

  it('should fail when one app imports another', async () => {
    const output = await violationsIn({
      'apps/reporter/src/main.ts': 'export const r = 1;\n',
      'apps/gateway/src/main.ts': "import { r } from '../../reporter/src/main';\nexport const b = r;\n",
    });
    expect(output).toContain('app-imports-app');
  });
});

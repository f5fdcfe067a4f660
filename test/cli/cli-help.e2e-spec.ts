import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@evp/testing';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Root scripts that are not command-line tools a person runs with options: build and test plumbing. */
const NOT_TOOLS = new Set([
  'postinstall',
  'build',
  'typecheck',
  'lint',
  'lint:deps',
  'format',
  'format:check',
  'infra',
  'test',
  'lockfile:complete',
]);

const scripts = Object.keys(
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
).filter((name) => !NOT_TOOLS.has(name) && !name.startsWith('test:'));

describe('every command-line tool', () => {
  it('should include the tools the issue names', () => {
    expect(scripts).toEqual(
      expect.arrayContaining(['start', 'db:seed', 'db:roles', 'db:migrate', 'publisher', 'dlq', 'bench', 'soak']),
    );
  });

  describe.each(scripts)('npm run %s -- --help', (script) => {
    it('should print its usage and exit 0 without doing anything else', async () => {
      const { stdout } = await run('npm', ['run', '-s', script, '--', '--help'], {
        cwd: REPO_ROOT,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      });
      expect(stdout).toMatch(/^\s*Usage\b/im);
    });
  });
});

import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Tests run against the libraries' TypeScript sources, so no build is needed first.
const libAliases = Object.fromEntries(
  readdirSync(resolve(import.meta.dirname, 'libs')).map((lib) => [
    `@evp/${lib}`,
    resolve(import.meta.dirname, 'libs', lib, 'src/index.ts'),
  ]),
);

// SWC keeps decorator metadata, which NestJS dependency injection needs.
const plugins = [swc.vite({ module: { type: 'es6' } })];
const resolveOptions = { alias: libAliases };

export default defineConfig({
  test: {
    reporters: ['default', './scripts/test-summary.reporter.mts'],
    projects: [
      {
        plugins,
        resolve: resolveOptions,
        test: {
          name: 'unit',
          include: ['{libs,apps}/*/src/**/*.spec.ts', 'scripts/**/*.spec.ts', 'bench/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        plugins,
        resolve: resolveOptions,
        test: {
          name: 'integration',
          globalSetup: ['./test/build-services.global-setup.ts'],
          include: ['{libs,apps}/*/test/**/*.e2e-spec.ts', 'test/**/*.e2e-spec.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: integration suites share PostgreSQL and NATS, so run files one after another.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        plugins,
        resolve: resolveOptions,
        test: {
          name: 'reliability',
          globalSetup: ['./test/build-services.global-setup.ts'],
          // The scenarios of its own, plus the fast crash, outage, shutdown and hostile-input tests that npm test
          // also runs, so that one command covers the whole suite.
          include: [
            'test/reliability/**/*.reliability-spec.ts',
            '{libs,apps}/*/test/**/*.reliability-spec.ts',
            'test/hostile/**/*.e2e-spec.ts',
            '{libs,apps}/*/test/**/*-{crash,database-outage,shutdown}.e2e-spec.ts',
          ],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});

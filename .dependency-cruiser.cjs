/** Architecture boundaries: apps depend on libs, never the other way; one public door per lib. */
module.exports = {
  forbidden: [
    {
      name: 'lib-imports-app',
      comment: 'Libraries are shared building blocks: they must not depend on a deployable.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'app-imports-app',
      comment: 'Deployables share code through libs, not through each other.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'production-code-imports-testing',
      comment: 'libs/testing is test support (private servers, test databases): deployables must not ship it.',
      severity: 'error',
      from: { path: '^(apps|libs)/[^/]+/src/', pathNot: ['\\.spec\\.ts$', '^libs/testing/'] },
      to: { path: '^libs/testing/' },
    },
    {
      name: 'contracts-depends-on-zod-only',
      comment: 'The event contract is the innermost layer: it may use Zod and nothing else.',
      severity: 'error',
      from: { path: '^libs/contracts/src/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: ['^libs/contracts/src/', 'node_modules/zod/'] },
    },
    {
      name: 'no-deep-lib-import',
      comment: "Import a lib through its public door (src/index.ts), never its inner files.",
      severity: 'error',
      from: { path: '^(apps|libs)/([^/]+)/' },
      to: { path: '^libs/([^/]+)/src/(?!index\\.ts$)', pathNot: '^libs/$2/' },
    },
    {
      name: 'no-circular',
      comment: 'Test files may import helpers that import the code under test; production code may not cycle.',
      severity: 'error',
      from: { pathNot: '\\.(e2e-|reliability-)?spec\\.ts$' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|generated)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

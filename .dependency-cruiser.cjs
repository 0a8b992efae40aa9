/**
 * The layering of src/ (docs/architecture.md): each folder imports only itself and the folders below it.
 *   adapters → ops → targets → plan → common;  ops → kernels → common
 * `npm run lint` fails on an import that breaks a rule, on a cycle, and on a runtime import of a backend
 * package or tfjs-data (types only: kernels get their backend as an argument; datasets bring their own map).
 */
const LAYERS = {
  common: [],
  plan: ['common'],
  targets: ['plan', 'common'],
  kernels: ['common'],
  ops: ['targets', 'plan', 'kernels', 'common'],
  adapters: ['ops', 'targets', 'plan', 'kernels', 'common'],
};

const layerRules = Object.entries(LAYERS).map(([layer, below]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only ${below.length ? below.map((b) => `src/${b}/`).join(', ') : 'nothing else in src/'} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: '^src/', pathNot: [`^src/(${[layer, ...below, 'types'].join('|')})/`] },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only ones included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'entries-re-export-only',
      comment: 'Nothing in src/ imports an entry file (index.ts, data.ts …): they sit on top.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/[^/]+[.]ts$' },
    },
    {
      name: 'backends-as-types-only',
      comment: 'Backends and tfjs-data are optional peers: src/ may import their types, never their code.',
      severity: 'error',
      from: { path: '^src/' },
      to: {
        path: '@tensorflow/tfjs-(backend-[a-z]+|data)',
        dependencyTypesNot: ['type-only'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

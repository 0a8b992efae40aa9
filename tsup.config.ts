import { defineConfig } from 'tsup';
import { ensureCopier } from './scripts/build-wasm.js';

// The wasm copier's bytes are assembled from copier.wat before anything is bundled (see scripts/build-wasm.ts).
export default defineConfig(async () => {
  await ensureCopier();
  return {
    entry: { index: 'src/index.ts', data: 'src/data.ts', 'wasm-grad': 'src/wasm-grad.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    // No maps: the output is unminified and keeps the source's names, so stack traces already read as the
    // source does; maps would be over half the tarball for little gain (figures in the release note).
    sourcemap: false,
    clean: true,
    target: 'es2020',
    // Shared chunks in both formats: `tfjs-cutmix/data` requires the same core module as the root entry, so
    // the kernel registration and the option lists exist once per process (esbuild splits CJS via tsup).
    splitting: true,
    // Peers and dependencies stay external: a bundled second copy of tfjs-core would split the engine.
    external: [/^@tensorflow\//, 'jstat', 'seedrandom'],
  };
});

import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', data: 'src/data.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  // Peers and dependencies stay external: a bundled second copy of tfjs-core would split the engine.
  external: [/^@tensorflow\//, 'jstat', 'seedrandom'],
});

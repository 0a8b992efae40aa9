import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    globals: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One fork per file keeps tfjs engine state (backends, registered kernels) separate between files.
    pool: 'forks',
  },
});

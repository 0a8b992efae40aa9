import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

// tfjs-backend-cpu greets every new process with this banner (one per test file, since each file has its
// own fork). Dropped here rather than with tfjs's IS_TEST flag, which also turns on leak checks that fail
// wasm kernels, or PROD, which would hide every other tfjs warning too.
const CPU_BANNER = 'looks like you are running TensorFlow.js in Node.js';

export default defineConfig({
  resolve: {
    // The examples import 'tfjs-cutmix' as a user writes it; in tests that is the source under test (the
    // built package is tested as a user installs it by `npm run test:package`).
    alias: [
      { find: /^tfjs-cutmix$/, replacement: src('index.ts') },
      { find: /^tfjs-cutmix\/data$/, replacement: src('data.ts') },
      { find: /^tfjs-cutmix\/wasm-grad$/, replacement: src('wasm-grad.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    globals: false,
    // Assembles the wasm copier from copier.wat when missing or stale (no install script does it).
    globalSetup: ['test/setup/wasm-copier.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One fork per file keeps tfjs engine state (backends, registered kernels) separate between files.
    pool: 'forks',
    onConsoleLog: (log) => !log.includes(CPU_BANNER),
  },
});

import * as tf from '@tensorflow/tfjs-core';
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generate } from '../../scripts/build-wasm.js';
import { applyCutmix } from '../../src/index.js';
import { cpuKernelConfigs } from '../../src/kernels/cpu.js';
import { pasteGradConfig } from '../../src/kernels/gradient.js';
import { CUTMIX_PASTE, CUTMIX_PASTE_GRAD } from '../../src/kernels/names.js';
import { ensureKernelsRegistered } from '../../src/kernels/register.js';
import { wasmKernelConfigs } from '../../src/kernels/wasm/kernel.js';
import { cutmixPasteWebGLConfig } from '../../src/kernels/webgl.js';
import { useBackend } from '../support/backends.js';

// One fork per test file (vitest.config.ts): this file starts with nothing registered. Its tests run in order.

const KERNELS_DIR = fileURLToPath(new URL('../../src/kernels/', import.meta.url));
const BACKENDS = ['cpu', 'wasm', 'webgl'];
const NAMES = [CUTMIX_PASTE, CUTMIX_PASTE_GRAD];

/** Every console method a registration could write with. */
const spyConsole = () => (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m));

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every .ts file under src/kernels, relative to it. */
function kernelFiles(dir = KERNELS_DIR, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? kernelFiles(`${dir}${entry.name}/`, `${prefix}${entry.name}/`)
      : entry.name.endsWith('.ts')
        ? [prefix + entry.name]
        : [],
  );
}

describe('kernel registration', () => {
  it('registers nothing when the package and the kernel modules are imported', () => {
    for (const backend of BACKENDS)
      for (const name of NAMES) expect(tf.getKernel(name, backend), `${name} ${backend}`).toBeUndefined();
    expect(tf.getGradient(CUTMIX_PASTE)).toBeUndefined();
  });

  it('the first paste registers every kernel and the gradient, silently, leaving a pre-registered kernel alone', async () => {
    await useBackend('cpu');
    tf.dispose(tf.zeros([1])); // the cpu backend greets its first tensor on the console itself
    const mine = { kernelName: CUTMIX_PASTE, backendName: 'webgl', kernelFunc: () => ({}) as tf.TensorInfo };
    tf.registerKernel(mine);
    const consoleSpies = spyConsole();
    const x = tf.ones([2, 1, 3, 3]);
    const out = applyCutmix(x, {
      boxes: [
        { y1: 0, x1: 0, y2: 2, x2: 2 },
        { y1: 0, x1: 0, y2: 0, x2: 0 },
      ],
      partners: Int32Array.of(1, 0),
    });
    expect(Array.from(out.dataSync())).toEqual(new Array(18).fill(1));
    tf.dispose([x, out]);
    ensureKernelsRegistered();
    ensureKernelsRegistered();
    for (const config of [...cpuKernelConfigs, ...wasmKernelConfigs]) {
      expect(tf.getKernel(config.kernelName, config.backendName)).toBe(config);
      expect(config.setupFunc, 'a lazily registered kernel is never set up').toBeUndefined();
    }
    expect(tf.getKernel(CUTMIX_PASTE, 'webgl')).toBe(mine);
    expect(cutmixPasteWebGLConfig.setupFunc).toBeUndefined();
    expect(tf.getGradient(CUTMIX_PASTE)).toBe(pasteGradConfig);
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  });

  it('a second copy of the package (fresh module state) finds everything registered and leaves it alone', async () => {
    const consoleSpies = spyConsole();
    vi.resetModules();
    const second = await import('../../src/kernels/register.js');
    const secondCpu = await import('../../src/kernels/cpu.js');
    expect(secondCpu.cpuKernelConfigs[0]).not.toBe(cpuKernelConfigs[0]);
    second.ensureKernelsRegistered();
    for (const config of [...cpuKernelConfigs, ...wasmKernelConfigs]) {
      expect(tf.getKernel(config.kernelName, config.backendName)).toBe(config);
    }
    expect(tf.getGradient(CUTMIX_PASTE)).toBe(pasteGradConfig);
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  });
});

describe('kernel modules and backends', () => {
  it('import backend packages with `import type` only (every file under src/kernels, wasm/ included)', () => {
    const files = kernelFiles();
    expect(files).toEqual(expect.arrayContaining(['cpu.ts', 'wasm/kernel.ts', 'wasm/heap.ts', 'wasm/copier.ts']));
    // Any import or re-export statement (over several lines too), bare import, dynamic import() or require().
    const statement =
      /^\s*(?:import|export)\b[^;]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]/gm;
    for (const file of files) {
      const source = readFileSync(KERNELS_DIR + file, 'utf8');
      for (const match of source.matchAll(statement)) {
        const target = match[1] ?? match[2] ?? match[3] ?? match[4];
        if (!target.startsWith('@tensorflow/tfjs-backend-')) continue;
        expect(match[0], `${file}: a run-time import of a backend`).toMatch(/^\s*(?:import|export)\s+type\b/);
      }
    }
  });

  it('bundled, no kernel module loads a backend package at run time', async () => {
    const entryPoints = kernelFiles().map((f) => KERNELS_DIR + f);
    const result = await build({
      entryPoints,
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      outdir: 'out',
      packages: 'external',
      tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)),
      logLevel: 'silent',
    });
    const imported = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    expect(imported).toContain('@tensorflow/tfjs-core'); // the check sees external imports
    expect(imported.filter((p) => p.includes('tfjs-backend'))).toEqual([]);
  });

  it('the compiled copier module is up to date with copier.wat', async () => {
    const wat = readFileSync(`${KERNELS_DIR}wasm/copier.wat`, 'utf8');
    const generated = readFileSync(`${KERNELS_DIR}wasm/copier.generated.ts`, 'utf8');
    expect(await generate(wat)).toBe(generated);
  });
});

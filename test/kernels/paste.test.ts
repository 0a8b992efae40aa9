import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { applyCutmix } from '../../src/index.js';
import { CUTMIX_PASTE } from '../../src/kernels/names.js';
import { ensureKernelsRegistered } from '../../src/kernels/register.js';
import { copierFor } from '../../src/kernels/wasm/copier.js';
import { heapMemory } from '../../src/kernels/wasm/heap.js';
import { DATA_FORMATS, type DataFormat } from '../../src/common/layout.js';
import { describeEachBackend } from '../support/backends.js';
import {
  arbPasteCase,
  PASTE_DTYPES,
  publicBox,
  shapeOf,
  type PasteCase,
  type PasteDtype,
} from '../support/kernels_cases.js';
import { checkAllPaths, pastePaths } from '../support/kernels_paths.js';

beforeAll(ensureKernelsRegistered); // for tests that look kernels up before any paste
afterEach(() => {
  vi.restoreAllMocks();
});

/** Spatial sizes per rank for small batches (wasm: the grouped path) and for samples of ≥ 64 Ki elements. */
const SMALL_SIDE = { 3: 40, 4: 12, 5: 7 } as const;
const LARGE_SIDE = { 3: 3000, 4: 120, 5: 24 } as const;
const rank = (f: DataFormat) => f.length as 3 | 4 | 5;

describeEachBackend('CutmixPaste on every path, rank, layout and dtype', (backend) => {
  const paths = pastePaths(backend);

  it.each(DATA_FORMATS)('%s: small batches equal the N-D reference, bit for bit', (dataFormat) => {
    const arb = arbPasteCase(dataFormat, { maxN: 6, maxC: 3, maxSide: SMALL_SIDE[rank(dataFormat)] });
    fc.assert(fc.property(arb, (cs) => checkAllPaths(paths, cs)));
  });

  it.each(DATA_FORMATS)('%s: samples of at least 64 KiB (the single pass) equal the reference', (dataFormat) => {
    // 65 536 elements: 64 KiB of bool, 256 KiB of float32/int32.
    const arb = arbPasteCase(dataFormat, { maxN: 3, maxC: 2, maxSide: LARGE_SIDE[rank(dataFormat)], minSample: 65536 });
    fc.assert(
      fc.property(arb, (cs) => checkAllPaths(paths, cs)),
      { numRuns: 6 },
    );
  });

  it('bool runs of every length 0–47 (all residues mod 16), own runs around them, both wasm paths', () => {
    for (const width of [100, 65600]) {
      for (let run = 0; run < 48; run++) {
        const oneD: PasteCase = {
          dataFormat: 'NCW',
          dtype: 'bool',
          shape: [2, 1, width],
          partners: Int32Array.of(1, 0),
          seed: run,
          boxes: [
            { lo: [3], hi: [3 + run] },
            { lo: [width - run], hi: [width] },
          ],
        };
        checkAllPaths(paths, oneD);
      }
    }
    for (let run = 0; run < 48; run++) {
      const twoD: PasteCase = {
        dataFormat: 'NCHW',
        dtype: 'bool',
        shape: [2, 2, 4, 50],
        partners: Int32Array.of(1, 1),
        seed: run,
        boxes: [
          { lo: [1, 1], hi: [3, 1 + run] },
          { lo: [0, 0], hi: [4, 50] },
        ],
      };
      checkAllPaths(paths, twoD);
    }
  });

  it('batches of small samples that span several wasm copy groups (512 KiB each)', () => {
    const cases: [DataFormat, PasteDtype, number[]][] = [
      ['NCHW', 'float32', [40, 1, 100, 100]], // 40 000-byte samples: groups of 13
      ['NCW', 'bool', [20, 63, 1000]], // 63 000 bytes, just under the single pass: groups of 8
      ['NDHWC', 'int32', [120, 4, 10, 12, 5]], // 9 600 bytes: groups of 54, 54 and 12
    ];
    for (const [dataFormat, dtype, shape] of cases) {
      const n = shape[0];
      const spatial = dataFormat.endsWith('C') ? shape.slice(1, -1) : shape.slice(2);
      const cs: PasteCase = {
        dataFormat,
        dtype,
        shape,
        seed: n,
        partners: Int32Array.from({ length: n }, (_, i) => (i * 7 + 13) % n), // across group boundaries
        boxes: Array.from({ length: n }, (_, i) => ({
          lo: spatial.map((s) => i % s),
          hi: spatial.map((s) => s - (i % 2)),
        })),
      };
      checkAllPaths(paths, cs);
    }
  });

  it('applyCutmix runs the registered kernel, once per call, for every rank, layout and dtype', () => {
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    for (const dataFormat of DATA_FORMATS) {
      for (const dtype of PASTE_DTYPES) {
        const spatial = [3, 4, 5].slice(5 - rank(dataFormat));
        const x = tf.zeros(shapeOf(dataFormat, 2, 2, spatial), dtype);
        const box = publicBox({ lo: spatial.map(() => 1), hi: spatial });
        const kernelFunc = vi.spyOn(tf.getKernel(CUTMIX_PASTE, backend)!, 'kernelFunc');
        runKernel.mockClear();
        const out = applyCutmix(x, { boxes: [box, box], partners: Int32Array.of(1, 0) }, { dataFormat });
        expect(kernelFunc, `${dataFormat} ${dtype}`).toHaveBeenCalledTimes(1);
        expect(runKernel.mock.calls.map(([name]) => name)).toEqual([CUTMIX_PASTE]);
        tf.dispose([x, out]);
        kernelFunc.mockRestore();
      }
    }
  });

  it('without a registered kernel, applyCutmix falls back to the composite (same elements, no kernel call)', () => {
    const config = tf.getKernel(CUTMIX_PASTE, backend)!;
    const kernelFunc = vi.spyOn(config, 'kernelFunc');
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    tf.unregisterKernel(CUTMIX_PASTE, backend);
    try {
      for (const dataFormat of DATA_FORMATS) {
        const arb = arbPasteCase(dataFormat, { maxN: 4, maxC: 2, maxSide: SMALL_SIDE[rank(dataFormat)] });
        fc.assert(
          fc.property(arb, (cs) => checkAllPaths([{ ...paths[0], quietsNaN: backend === 'cpu' }], cs)),
          { numRuns: 10 },
        );
      }
    } finally {
      tf.registerKernel(config);
    }
    expect(kernelFunc).not.toHaveBeenCalled();
    expect(runKernel.mock.calls.map(([name]) => name)).toContain('Select'); // the composite's where
  });

  it('int32 batches the cpu backend keeps in bytes (a cast from bool) are pasted by value', () => {
    const mask = tf.tensor3d([1, 0, 1, 1, 0, 1, 0, 0], [2, 1, 4], 'bool');
    const x = tf.cast(mask, 'int32');
    const out = applyCutmix(x, {
      boxes: [
        { x1: 0, x2: 2 },
        { x1: 1, x2: 4 },
      ],
      partners: Int32Array.of(1, 0),
    });
    expect([out.dtype, Array.from(out.dataSync())]).toEqual(['int32', [0, 1, 1, 1, 0, 0, 1, 1]]);
    tf.dispose([mask, x, out]);
  });

  it('returns a new tensor for empty batches (N = 0 or C = 0) on every path', () => {
    for (const shape of [
      [0, 2, 3, 3],
      [2, 0, 3, 3],
    ]) {
      const partners = Int32Array.from({ length: shape[0] }, () => 0);
      const cs: PasteCase = {
        dataFormat: 'NCHW',
        dtype: 'float32',
        shape,
        partners,
        seed: 1,
        boxes: Array.from({ length: shape[0] }, () => ({ lo: [0, 0], hi: [2, 2] })),
      };
      checkAllPaths(paths.slice(0, 1), cs); // the composite and the JS path are never reached with size 0
    }
  });

  it.runIf(backend === 'wasm')(
    'the wasm kernel writes samples of 1 KiB or more in one pass, smaller ones in groups',
    () => {
      const copier = copierFor(heapMemory(tf.backend() as BackendWasm)!);
      expect(copier, 'the compiled copier must compile in Node').not.toBeNull();
      const spies = [vi.spyOn(copier!, 'pasteSample'), vi.spyOn(copier!, 'copyBlock')];
      /** [pasteSample, copyBlock] calls for 3 samples of `shape`, each with a 2-row box. */
      const run = (shape: number[], dtype: 'float32' | 'bool' = 'float32') => {
        const x = tf.ones(shape, dtype);
        const box = shape.length === 3 ? { x1: 1, x2: 3 } : { y1: 1, x1: 1, y2: 3, x2: 3 };
        tf.dispose([x, applyCutmix(x, { boxes: [box, box, box], partners: Int32Array.of(2, 0, 0) })]);
        const calls = spies.map((spy) => spy.mock.calls.length);
        spies.forEach((spy) => spy.mockClear());
        return calls;
      };
      expect(run([3, 1, 16, 16])).toEqual([3, 0]); // 1 024 bytes: one pass, short runs or not
      expect(run([3, 1, 15, 17])).toEqual([0, 1 + 3]); // 1 020 bytes: one group copy, a copyBlock per sample
      expect(run([3, 1, 32, 32], 'bool')).toEqual([3, 0]); // bytes, not elements, decide
      expect(run([3, 1, 16, 16], 'bool')).toEqual([0, 1 + 3]);
      expect(run([3, 2, 128])).toEqual([3, 0]); // 1-D
      expect(run([3, 1, 255])).toEqual([0, 1 + 3]);
    },
  );
});

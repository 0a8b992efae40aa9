import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients'; // the test's own loss (add, mul, sum)
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { cutmixBatch } from '../../src/index.js';
import { CUTMIX_LABELS } from '../../src/kernels/names.js';
import { pairLabels } from '../../src/kernels/pair_labels.js';
import { ensureKernelsRegistered } from '../../src/kernels/register.js';
import { describeEachBackend } from '../support/backends.js';
import { arbPartners, bitsOf, expectSameBits, makeBits, tensorOfBits } from '../support/kernels_cases.js';

beforeAll(ensureKernelsRegistered);
afterEach(() => {
  vi.restoreAllMocks();
});

/** Labels of `shape` whose bits tell every element apart (float32: NaN payloads, -0, subnormals). */
function labelsOf(shape: number[], dtype: 'float32' | 'int32', seed: number): { labels: tf.Tensor; bits: Int32Array } {
  const bits = makeBits(dtype, shape[0] * (shape[1] ?? 1), seed) as Int32Array;
  return { labels: tensorOfBits(bits, shape, dtype), bits };
}

/** Row `partners[n]` of `bits` as row n, element by element. */
function gathered(bits: Int32Array, partners: Int32Array, row: number): Int32Array {
  return Int32Array.from(
    { length: partners.length * row },
    (_, i) => bits[partners[Math.floor(i / row)] * row + (i % row)],
  );
}

const arbLabels = fc.integer({ min: 1, max: 20 }).chain((n) =>
  fc.record({
    partners: arbPartners(n),
    k: fc.integer({ min: 1, max: 7 }),
    dtype: fc.constantFrom('float32' as const, 'int32' as const),
    rank: fc.constantFrom(1, 2),
    seed: fc.integer({ min: 0, max: 1000 }),
  }),
);

describeEachBackend('pairLabels', (backend) => {
  it('returns the labels and the partners’ rows bit for bit, in one kernel call, owning both', () => {
    fc.assert(
      fc.property(arbLabels, ({ partners, k, dtype, rank, seed }) => {
        const shape = rank === 1 ? [partners.length] : [partners.length, k];
        const { labels, bits } = labelsOf(shape, rank === 2 ? 'float32' : dtype, seed);
        const runKernel = vi.spyOn(tf.engine(), 'runKernel');
        const before = tf.memory().numTensors;
        const [a, b] = pairLabels(labels, partners);
        expect(runKernel.mock.calls.map(([name]) => name)).toEqual([CUTMIX_LABELS]);
        runKernel.mockRestore();
        expect(tf.memory().numTensors).toBe(before + 2);
        for (const t of [a, b]) expect([t.dtype, t.shape]).toEqual([labels.dtype, labels.shape]);
        expectSameBits(bitsOf(a), bits, 'labelsA');
        expectSameBits(bitsOf(b), gathered(bits, partners, rank === 1 ? 1 : k), 'labelsB');
        labels.dispose(); // the outputs are the caller's: they outlive the input
        expectSameBits(bitsOf(a), bits, 'labelsA after the input is disposed');
        tf.dispose([a, b]);
      }),
    );
  });

  it('is differentiable: the first output passes through, the second sums into its source rows', () => {
    const labels = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    const partners = Int32Array.of(2, 2, 0, 3);
    const [wA, wB] = [
      tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]),
      tf.tensor2d([10, 20, 30, 40, 50, 60, 70, 80], [4, 2]),
    ];
    const dx = tf.grad((l: tf.Tensor) => {
      const [a, b] = pairLabels(l, partners);
      return tf.add(tf.sum(tf.mul(a, wA)), tf.sum(tf.mul(b, wB)));
    })(labels);
    // row 0 gets wB row 2; row 2 gets wB rows 0 and 1; row 3 gets its own; row 1 nothing from wB.
    expect(Array.from(dx.dataSync())).toEqual([1 + 50, 2 + 60, 3, 4, 5 + 10 + 30, 6 + 20 + 40, 7 + 70, 8 + 80]);
    tf.dispose([labels, wA, wB, dx]);
  });

  it('without the kernel, clone and gather give the same tensors', () => {
    const config = tf.getKernel(CUTMIX_LABELS, backend)!;
    tf.unregisterKernel(CUTMIX_LABELS, backend);
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    try {
      // int32: the stock cpu gather moves float32 as numbers, which quiets signalling NaNs.
      const { labels, bits } = labelsOf([5, 3], 'int32', 9);
      const partners = Int32Array.of(4, 4, 0, 1, 2);
      const [a, b] = pairLabels(labels, partners);
      expectSameBits(bitsOf(a), bits, 'labelsA');
      expectSameBits(bitsOf(b), gathered(bits, partners, 3), 'labelsB');
      expect(runKernel.mock.calls.map(([name]) => name)).toContain('GatherV2');
      tf.dispose([labels, a, b]);
    } finally {
      tf.registerKernel(config);
    }
  });

  it('an empty batch gives two empty tensors', () => {
    const labels = tf.tensor2d([], [0, 3]);
    const [a, b] = pairLabels(labels, new Int32Array(0));
    expect([a.shape, b.shape]).toEqual([
      [0, 3],
      [0, 3],
    ]);
    tf.dispose([labels, a, b]);
  });

  it('cutmixBatch runs one paste and one label kernel, labels first', () => {
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    const images = tf.zeros([4, 1, 6, 6]) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const out = cutmixBatch(images, labels, { seed: 1 });
    expect(runKernel.mock.calls.map(([name]) => name)).toEqual([CUTMIX_LABELS, 'CutmixPaste']);
    tf.dispose([images, labels, out.images, out.labelsA, out.labelsB]);
  });

  it.runIf(backend === 'wasm')('wasm: outputs are freed when the kernel throws after allocating them', () => {
    const wasm = tf.backend() as BackendWasm;
    const labels = tf.tensor1d([1, 2, 3], 'int32');
    const [ids, tensors] = [wasm.numDataIds(), tf.memory().numTensors];
    const partners = new Proxy(Int32Array.of(0, 1, 2), {
      get: (target, key) => {
        if (typeof key === 'string' && /^\d+$/.test(key)) throw new Error('injected failure');
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const attrs = { partners } as unknown as tf.NamedAttrMap;
    expect(() => tf.engine().runKernel(CUTMIX_LABELS, { labels }, attrs)).toThrow('injected failure');
    expect([wasm.numDataIds(), tf.memory().numTensors]).toEqual([ids, tensors]);
    labels.dispose();
  });
});

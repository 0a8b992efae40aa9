import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs's op gradients (MixUp's blend differentiates through them)
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { applyCutmix, mixupBatch } from '../../src/index.js';
import { pasteComposite } from '../../src/kernels/composite.js';
import { CUTMIX_PASTE, CUTMIX_PASTE_GRAD } from '../../src/kernels/names.js';
import { ensureKernelsRegistered } from '../../src/kernels/register.js';
import { DATA_FORMATS } from '../../src/common/layout.js';
import { describeEachBackend } from '../support/backends.js';
import { flatBoxes, shapeOf } from '../support/kernels_cases.js';

// webgl and webgpu run `Select` (tf.where) only up to rank 4 ("Where for rank 5 is not yet supported"),
// and their `Tile` (what tf.where's broadcasting runs) reads data back to the CPU at rank 5 and for small
// tensors. The stock-op paths that run there — MixUp's blend, the composite paste and its gradient (the
// gradient of every paste on those backends) — must therefore run every kernel on views of rank ≤ 4 and
// never tile. These Node tests record the kernels those paths run; the browser suite runs them on the GPU.

beforeAll(ensureKernelsRegistered);
afterEach(() => {
  vi.restoreAllMocks();
});

interface KernelRun {
  name: string;
  ranks: number[];
  shapes: string[];
}

/** The kernels `fn` runs, with their inputs' ranks and shapes, ignoring the package's own paste kernels. */
function kernelsRun(fn: () => tf.Tensor | tf.Tensor[]): KernelRun[] {
  const seen: KernelRun[] = [];
  const engine = tf.engine();
  const original = engine.runKernel.bind(engine);
  vi.spyOn(engine, 'runKernel').mockImplementation((name, inputs, attrs) => {
    const shapes = Object.values(inputs).map((t) => (t as tf.TensorInfo).shape);
    const ranks = shapes.map((shape) => shape.length);
    if (name !== CUTMIX_PASTE && name !== CUTMIX_PASTE_GRAD) seen.push({ name, ranks, shapes: shapes.map(String) });
    return original(name, inputs, attrs);
  });
  try {
    tf.dispose(fn());
  } finally {
    vi.restoreAllMocks();
  }
  return seen;
}

/** What a GPU backend cannot run: any kernel but a reshape or a clone on rank 5, and any Tile. */
function gpuProblems(seen: KernelRun[]): string[] {
  const views = ['Reshape', 'Identity'];
  return seen
    .filter(({ name, ranks }) => name === 'Tile' || (!views.includes(name) && ranks.some((r) => r > 4)))
    .map(({ name, ranks }) => `${name} on ranks [${ranks}]`);
}

/**
 * What wasm runs ~60× slower than the rest of the path: a comparison whose inputs differ in shape (its
 * broadcasting loop took 3 ms for a 32×28×28 MixUp mask, the whole blend 0.3 ms without it).
 */
function broadcastComparisons(seen: KernelRun[]): string[] {
  const comparisons = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual'];
  return seen
    .filter(({ name, shapes }) => comparisons.includes(name) && new Set(shapes).size > 1)
    .map(({ name, shapes }) => `${name} on [${shapes.join('] and [')}]`);
}

const N = 4;
// Sample 1 pairs with itself and sample 3 keeps λ = 1: both stay unmixed, 0 and 2 are mixed.
const PARTNERS = Int32Array.of(2, 1, 0, 0);
const LAM = [0.25, 0.5, 0.75, 1];

describeEachBackend('stock-op paths that GPU backends run', () => {
  it.each(DATA_FORMATS)(
    '%s: MixUp’s blend and its gradient run only rank ≤ 4 kernels, no Tile, no broadcasting comparison',
    (dataFormat) => {
      const spatial = [3, 4, 5].slice(5 - dataFormat.length);
      const x = tf.randomUniform(shapeOf(dataFormat, N, 2, spatial));
      const dy = tf.onesLike(x);
      const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
      const options = { lam: LAM, partners: PARTNERS, mode: 'elem' as const, dataFormat };
      try {
        const forward = kernelsRun(() => {
          const r = mixupBatch(x, labels, options);
          return [r.images, r.labelsA, r.labelsB];
        });
        const backward = kernelsRun(() =>
          tf.grad((v: tf.Tensor) => {
            const r = mixupBatch(v, labels, options);
            tf.dispose([r.labelsA, r.labelsB]);
            return r.images;
          })(x, dy),
        );
        expect(forward.map((k) => k.name)).toContain('Select');
        expect(gpuProblems(forward)).toEqual([]);
        expect(gpuProblems(backward)).toEqual([]);
        expect(broadcastComparisons(forward)).toEqual([]);
      } finally {
        tf.dispose([x, dy, labels]);
      }
    },
  );

  it.each(DATA_FORMATS)(
    '%s: the composite paste and its gradient run only rank ≤ 4 kernels, no Tile, no broadcasting comparison',
    (dataFormat) => {
      const spatial = [3, 4, 5].slice(5 - dataFormat.length);
      const shape = shapeOf(dataFormat, N, 2, spatial);
      const x = tf.randomUniform(shape);
      const dy = tf.onesLike(x);
      const boxes = flatBoxes(Array.from({ length: N }, () => ({ lo: spatial.map(() => 1), hi: spatial })));
      try {
        const forward = kernelsRun(() => pasteComposite(x, PARTNERS, boxes, dataFormat));
        const backward = kernelsRun(() =>
          tf.grad((v: tf.Tensor) => pasteComposite(v, PARTNERS, boxes, dataFormat))(x, dy),
        );
        // The registered paste's gradient where the backend has no gradient kernel (webgl, webgpu) is the
        // composite's, whichever paste ran forward.
        const plan = { boxes: Array.from({ length: N }, () => boxOf(spatial)), partners: PARTNERS };
        const registered = kernelsRun(() => {
          return withoutGradKernel(() => tf.grad((v: tf.Tensor) => applyCutmix(v, plan, { dataFormat }))(x, dy));
        });
        expect(forward.map((k) => k.name)).toContain('Select');
        expect(registered.map((k) => k.name)).toContain('ScatterNd');
        expect(gpuProblems(forward)).toEqual([]);
        expect(gpuProblems(backward)).toEqual([]);
        expect(gpuProblems(registered)).toEqual([]);
        expect([...broadcastComparisons(forward), ...broadcastComparisons(registered)]).toEqual([]);
      } finally {
        tf.dispose([x, dy]);
      }
    },
  );
});

describeEachBackend('stock-op paths: memory', () => {
  /**
   * The most bytes of live tensors while `fn` runs, as multiples of `batchBytes` (tfjs's count, which adds
   * a reshaped view's bytes too), read after every kernel.
   */
  function peakBatches(fn: () => tf.Tensor, batchBytes: number): number {
    const engine = tf.engine();
    const original = engine.runKernel.bind(engine);
    const base = tf.memory().numBytes;
    let peak = 0;
    vi.spyOn(engine, 'runKernel').mockImplementation((name, inputs, attrs) => {
      const out = original(name, inputs, attrs);
      peak = Math.max(peak, tf.memory().numBytes - base);
      return out;
    });
    try {
      fn().dispose();
    } finally {
      vi.restoreAllMocks();
    }
    return peak / batchBytes;
  }

  const shape = [16, 3, 8, 8];
  const partners = Int32Array.from({ length: 16 }, (_, i) => (i + 1) % 16);

  // The masks' float temporaries and the blend's products are freed step by step: 2 and 2.5 batches more
  // were alive at the peak when they lived to the end of the call.
  it('the composite paste keeps its mask temporaries no longer than the mask takes', () => {
    const x = tf.randomUniform(shape);
    const boxes = flatBoxes(Array.from({ length: 16 }, () => ({ lo: [2, 1], hi: [6, 7] })));
    try {
      expect(peakBatches(() => pasteComposite(x, partners, boxes, 'NCHW'), x.size * 4)).toBeLessThanOrEqual(6);
    } finally {
      x.dispose();
    }
  });

  it('MixUp’s blend frees the partners’ rows, its products and its mask temporaries as it goes', () => {
    const x = tf.randomUniform(shape);
    try {
      const peak = peakBatches(
        () => mixupBatch(x, undefined, { lam: 0.3, partners, dataFormat: 'NCHW' }).images,
        x.size * 4,
      );
      expect(peak).toBeLessThanOrEqual(7.5);
    } finally {
      x.dispose();
    }
  });
});

/** Runs `fn` with the active backend's gradient kernel unregistered, as on webgl and webgpu. */
function withoutGradKernel<T>(fn: () => T): T {
  const config = tf.getKernel(CUTMIX_PASTE_GRAD, tf.getBackend());
  if (config) tf.unregisterKernel(CUTMIX_PASTE_GRAD, tf.getBackend());
  try {
    return fn();
  } finally {
    if (config) tf.registerKernel(config);
  }
}

/** The box [1, size) on every axis, in the rank's own form. */
function boxOf(spatial: number[]) {
  const names = ['z', 'y', 'x'].slice(3 - spatial.length);
  return Object.fromEntries(
    names.flatMap((a, i) => [
      [`${a}1`, 1],
      [`${a}2`, spatial[i]],
    ]),
  ) as never;
}

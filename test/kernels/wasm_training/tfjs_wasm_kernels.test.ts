import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // the gradients
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../support/backends.js';
import { arbConvCase, runKernelOn, sizeOf, valuesFrom } from '../../support/conv_cases.js';
import { arbPoolCase } from '../../support/pool_cases.js';

// The gradient kernels tfjs-backend-wasm 4.22 does have, that conv/pooling layers use: what the README says
// about them is checked here, on tfjs's own kernels (this file imports tfjs-cutmix/wasm-grad only in its last
// block). When a tfjs release fixes one of the defects pinned below, its test fails: update the README's
// Install section (tfjs-cutmix/wasm-grad then keeps tfjs's MaxPoolGrad by itself).

/** tfjs-backend-wasm's own MaxPoolGrad, as its import registered it. */
let tfjsMaxPoolGrad: tf.KernelConfig;

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
  tfjsMaxPoolGrad = tf.getKernel('MaxPoolGrad', 'wasm') as tf.KernelConfig;
});

/** `f`'s gradient at `x` on a backend, as plain values. */
async function gradOn(backend: 'cpu' | 'wasm', f: (x: tf.Tensor4D) => tf.Tensor, x: Float32Array, shape: number[]) {
  await useBackend(backend);
  const input = tf.tensor4d(x, shape as [number, number, number, number]);
  const g = tf.grad((v) => tf.sum(f(v as tf.Tensor4D)))(input);
  const values = Float32Array.from(g.dataSync());
  tf.dispose([input, g]);
  return values;
}

/** `f`'s gradient at a rank-5 `x` on a backend, as plain values. */
async function gradOn5D(backend: 'cpu' | 'wasm', f: (x: tf.Tensor) => tf.Tensor, x: Float32Array, shape: number[]) {
  await useBackend(backend);
  const input = tf.tensor(x, shape);
  const g = tf.grad((v) => tf.sum(f(v)))(input);
  const values = Float32Array.from(g.dataSync());
  tf.dispose([input, g]);
  return values;
}

/** Pooling windows of every padding (named, one number), size and stride, small channels-last inputs. */
const arbPool = fc
  .record({
    shape: fc.tuple(
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 3 }),
    ),
    filterSize: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
    seed: fc.integer({ min: 0, max: 2 ** 30 }),
  })
  .filter(({ shape, filterSize, pad }) => pad === 'same' || (filterSize[0] <= shape[1] && filterSize[1] <= shape[2]));

describe("tfjs-backend-wasm's own gradient kernels, against the cpu backend's", () => {
  it('Conv2DBackpropInput (the input gradient of conv1d/conv2d) matches', () => {
    fc.assert(
      fc.property(arbConvCase('conv'), (cs) => {
        const inputs = {
          dy: { values: valuesFrom(sizeOf(cs.dyShape), cs.seed), shape: cs.dyShape },
          filter: { values: valuesFrom(sizeOf(cs.filterShape), cs.seed + 1), shape: cs.filterShape },
        };
        const attrs = {
          strides: cs.strides,
          pad: cs.pad,
          dimRoundingMode: cs.dimRoundingMode,
          dataFormat: cs.dataFormat,
          inputShape: cs.xShape,
        };
        const want = runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
        tf.test_util.expectArraysClose(runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs).values, want.values);
      }),
    );
  });

  it('AvgPoolGrad (averagePooling1d/2d) matches', async () => {
    await fc.assert(
      fc.asyncProperty(arbPool, async ({ shape, filterSize, strides, pad, seed }) => {
        const x = valuesFrom(sizeOf(shape), seed);
        const f = (v: tf.Tensor4D) => tf.mul(tf.avgPool(v, filterSize, strides, pad), 1.5);
        tf.test_util.expectArraysClose(await gradOn('wasm', f, x, shape), await gradOn('cpu', f, x, shape));
      }),
      { numRuns: 30 },
    );
  });

  it('AvgPoolGrad matches on negative inputs too, with every padding form (kernel against kernel)', () => {
    fc.assert(
      fc.property(
        arbPoolCase().filter((c) => c.dimRoundingMode === undefined),
        (c) => {
          const inputs = {
            dy: { values: c.dy, shape: c.dyShape },
            input: { values: c.x.map((v) => -1 - Math.abs(v)), shape: c.xShape },
          };
          const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
          const want = runKernelOn('cpu', 'AvgPoolGrad', inputs, attrs);
          tf.test_util.expectArraysClose(runKernelOn('wasm', 'AvgPoolGrad', inputs, attrs).values, want.values);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('AvgPool3DGrad (negative values) and MaxPool3DGrad (distinct values above 0) match', async () => {
    const n = 2 * 4 * 4 * 4 * 2;
    const x = Float32Array.from({ length: n }, (_, i) => 1 + ((i * 37) % n) / n);
    for (const f of [
      (v: tf.Tensor) => tf.avgPool3d(tf.neg(v) as tf.Tensor5D, 2, 1, 'same'),
      (v: tf.Tensor) => tf.maxPool3d(v as tf.Tensor5D, 2, 1, 'same'),
    ]) {
      const g = async (b: 'cpu' | 'wasm') => gradOn5D(b, f, x, [2, 4, 4, 4, 2]);
      tf.test_util.expectArraysClose(await g('wasm'), await g('cpu'));
    }
  });

  it('MaxPoolGrad matches when the pooled values come out of a ReLU', async () => {
    await fc.assert(
      fc.asyncProperty(arbPool, async ({ shape, filterSize, strides, pad, seed }) => {
        const x = valuesFrom(sizeOf(shape), seed);
        const f = (v: tf.Tensor4D) => tf.maxPool(tf.relu(v), filterSize, strides, pad);
        tf.test_util.expectArraysClose(await gradOn('wasm', f, x, shape), await gradOn('cpu', f, x, shape));
      }),
      { numRuns: 30 },
    );
  });

  it('MaxPoolGrad matches when the pooled values go into a ReLU (maxPool → relu)', async () => {
    await fc.assert(
      fc.asyncProperty(arbPool, async ({ shape, filterSize, strides, pad, seed }) => {
        const x = valuesFrom(sizeOf(shape), seed);
        const f = (v: tf.Tensor4D) => tf.relu(tf.maxPool(v, filterSize, strides, pad));
        tf.test_util.expectArraysClose(await gradOn('wasm', f, x, shape), await gradOn('cpu', f, x, shape));
      }),
      { numRuns: 30 },
    );
  });

  it('MaxPoolGrad sends a tie to the last of the largest values, cpu to the first (both are subgradients)', () => {
    const inputs = {
      dy: { values: Float32Array.of(5), shape: [1, 1, 1, 1] },
      input: { values: Float32Array.of(2, 1, 2, 2), shape: [1, 2, 2, 1] },
      output: { values: Float32Array.of(2), shape: [1, 1, 1, 1] },
    };
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    expect(Array.from(runKernelOn('cpu', 'MaxPoolGrad', inputs, attrs).values)).toEqual([5, 0, 0, 0]);
    expect(Array.from(runKernelOn('wasm', 'MaxPoolGrad', inputs, attrs).values)).toEqual([0, 0, 0, 5]);
  });

  it('MaxPoolGrad drops the gradient of a window whose values are all negative or zero (a defect of tfjs 4.22)', async () => {
    // Two 2×2 windows side by side; the second holds only negative values (its largest −0.1), then zeros.
    const f = (v: tf.Tensor4D) => tf.maxPool(v, 2, 2, 'valid');
    for (const [x, max] of [
      [Float32Array.of(1, 2, -0.5, -0.1, 3, 4, -0.3, -0.2), 3],
      [Float32Array.of(1, 2, 0, 0, 3, 4, 0, 0), 2],
    ] as const) {
      const cpuGrad = [0, 0, 0, 0, 0, 1, 0, 0];
      cpuGrad[max] = 1;
      expect(Array.from(await gradOn('cpu', f, x, [1, 2, 4, 1]))).toEqual(cpuGrad);
      expect(Array.from(await gradOn('wasm', f, x, [1, 2, 4, 1]))).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    }
  });

  it('MaxPool3DGrad drops the gradient of a window whose values are all negative too (a defect of tfjs 4.22)', async () => {
    // Two 2×2×2 windows side by side; the second holds only negative values, its largest −0.1 (at index 7).
    const x = Float32Array.of(1, 2, -0.5, -0.1, 3, 4, -0.3, -0.2, 5, 6, -0.7, -0.6, 7, 8, -0.9, -0.8);
    const f = (v: tf.Tensor) => tf.maxPool3d(v as tf.Tensor5D, 2, 2, 'valid');
    const want = Array.from({ length: 16 }, (_, i) => (i === 13 || i === 3 ? 1 : 0));
    expect(Array.from(await gradOn5D('cpu', f, x, [1, 2, 2, 4, 1]))).toEqual(want);
    expect(Array.from(await gradOn5D('wasm', f, x, [1, 2, 2, 4, 1]))).toEqual(want.map((v, i) => (i === 3 ? 0 : v)));
  });

  it("MaxPool3DGrad: the cpu backend's is wrong when a window's height and width differ (a defect of tfjs-backend-cpu 4.22); wasm's is right on values above 0", async () => {
    const shape = [1, 5, 5, 5, 1];
    const n = sizeOf(shape);
    const x = Float32Array.from({ length: n }, (_, i) => 1 + ((i * 37) % n) / n); // distinct: no ties
    for (const [window, cpuRight] of [
      [[2, 2, 2], true],
      [[3, 2, 2], true],
      [[2, 3, 2], false],
      [[2, 2, 3], false],
    ] as [[number, number, number], boolean][]) {
      // Each window's gradient (1) goes to its largest value: a direct reference.
      const want = new Array<number>(n).fill(0);
      const out = window.map((w) => Math.floor((5 - w) / 2) + 1);
      for (let d = 0; d < out[0]; d++)
        for (let h = 0; h < out[1]; h++)
          for (let w = 0; w < out[2]; w++) {
            let best = -1;
            for (let i = 0; i < window[0]; i++)
              for (let j = 0; j < window[1]; j++)
                for (let k = 0; k < window[2]; k++) {
                  const at = ((2 * d + i) * 5 + 2 * h + j) * 5 + 2 * w + k;
                  if (best < 0 || x[at] > x[best]) best = at;
                }
            want[best] += 1;
          }
      const f = (v: tf.Tensor) => tf.maxPool3d(v as tf.Tensor5D, window, 2, 'valid');
      expect(Array.from(await gradOn5D('wasm', f, x, shape)), `${window}: wasm`).toEqual(want);
      const cpu = Array.from(await gradOn5D('cpu', f, x, shape));
      if (cpuRight) expect(cpu, `${window}: cpu`).toEqual(want);
      else expect(cpu, `${window}: cpu`).not.toEqual(want);
    }
  });

  it("ResizeNearestNeighborGrad (upSampling2d's default) is the adjoint of the resize on wasm; cpu's is not for batches over 1 (a defect of tfjs-backend-cpu 4.22)", async () => {
    // For y = resize(x), linear in x, Σ x·dX must equal Σ dy·y.
    for (const [xShape, size] of [
      [
        [1, 3, 4, 2],
        [6, 8],
      ],
      [
        [3, 3, 4, 2],
        [6, 8],
      ],
      [
        [2, 5, 4, 1],
        [7, 9],
      ],
    ] as [[number, number, number, number], [number, number]][]) {
      const gaps: Record<string, number> = {};
      for (const backend of ['cpu', 'wasm'] as const) {
        await useBackend(backend);
        const x = tf.tensor4d(valuesFrom(sizeOf(xShape), 1), xShape);
        const y = tf.image.resizeNearestNeighbor(x, size);
        const dy = tf.tensor(valuesFrom(y.size, 2), y.shape);
        const dX = tf.grad((v) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(v as tf.Tensor4D, size), dy)))(x);
        const dot = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(a, b)).dataSync()[0];
        gaps[backend] = Math.abs(dot(x, dX) - dot(y, dy));
        tf.dispose([x, y, dy, dX]);
      }
      expect(gaps.wasm, `${xShape}: wasm`).toBeLessThan(1e-4);
      if (xShape[0] === 1) expect(gaps.cpu, `${xShape}: cpu`).toBeLessThan(1e-4);
      else expect(gaps.cpu, `${xShape}: cpu`).toBeGreaterThan(0.1);
    }
  });

  it("ResizeBilinearGrad (upSampling2d 'bilinear') matches cpu's values; cpu's has height and width swapped in its shape for images that are not square (a defect of tfjs-backend-cpu 4.22)", () => {
    for (const [shape, size] of [
      [
        [2, 3, 3, 2],
        [6, 6],
      ],
      [
        [2, 3, 4, 2],
        [6, 8],
      ],
    ] as [number[], number[]][]) {
      const inputs = {
        images: { values: valuesFrom(sizeOf(shape), 1), shape },
        dy: { values: valuesFrom(shape[0] * size[0] * size[1] * shape[3], 2), shape: [shape[0], ...size, shape[3]] },
      };
      const attrs = { alignCorners: false, halfPixelCenters: false, size };
      const [cpu, wasm] = [
        runKernelOn('cpu', 'ResizeBilinearGrad', inputs, attrs),
        runKernelOn('wasm', 'ResizeBilinearGrad', inputs, attrs),
      ];
      tf.test_util.expectArraysClose(wasm.values, cpu.values);
      expect(wasm.shape).toEqual(shape);
      // And wasm's is the adjoint of the forward resize: Σ x·dX = Σ dy·resize(x).
      const y = tf.tidy(() =>
        tf.image.resizeBilinear(tf.tensor4d(inputs.images.values, shape as [number, number, number, number]), [
          size[0],
          size[1],
        ]),
      );
      const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((t, v, i) => t + v * b[i], 0);
      expect(dot(inputs.images.values, wasm.values)).toBeCloseTo(dot(y.dataSync(), inputs.dy.values), 4);
      y.dispose();
      expect(cpu.shape).toEqual(shape[1] === shape[2] ? shape : [shape[0], shape[2], shape[1], shape[3]]);
    }
  });

  it("Conv3DBackpropInputV2 (conv3d's input gradient) is not the adjoint of conv3d with 'same' padding or strides (a defect of tfjs 4.22)", async () => {
    // For y = conv3d(x, w), Σ x·dX must equal Σ dy·y; the cpu kernel's does, wasm's does not.
    const cases: [number[], number[], number, 'same' | 'valid'][] = [
      [[1, 3, 3, 3, 1], [2, 2, 2, 1, 1], 1, 'same'],
      [[2, 5, 5, 4, 2], [2, 3, 2, 2, 3], 2, 'valid'],
    ];
    for (const [xShape, wShape, strides, pad] of cases) {
      const x = valuesFrom(sizeOf(xShape), 1);
      const w = tf.tensor5d(valuesFrom(sizeOf(wShape), 2), wShape as [number, number, number, number, number]);
      const sums: Record<string, [number, number]> = {};
      for (const backend of ['cpu', 'wasm'] as const) {
        await useBackend(backend);
        const input = tf.tensor5d(x, xShape as [number, number, number, number, number]);
        const conv = (v: tf.Tensor) => tf.conv3d(v as tf.Tensor5D, w, strides, pad);
        const y = conv(input);
        const dy = tf.tensor(valuesFrom(y.size, 3), y.shape);
        const dX = tf.grad((v) => tf.sum(tf.mul(conv(v), dy)))(input);
        const dot = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(a, b)).dataSync()[0];
        sums[backend] = [dot(input, dX), dot(y, dy)];
        tf.dispose([input, y, dy, dX]);
      }
      w.dispose();
      expect(sums.cpu[0], `${pad}, strides ${strides}: cpu`).toBeCloseTo(sums.cpu[1], 4);
      expect(Math.abs(sums.wasm[0] - sums.wasm[1]), `${pad}, strides ${strides}: wasm`).toBeGreaterThan(0.1);
    }
  });
});

describe('with tfjs-cutmix/wasm-grad imported', () => {
  // The inputs of the MaxPoolGrad pin above: the second window holds only negative values.
  const x = Float32Array.of(1, 2, -0.5, -0.1, 3, 4, -0.3, -0.2);
  const f = (v: tf.Tensor4D) => tf.mul(tf.maxPool(v, 2, 2, 'valid'), tf.tensor4d([2, 3], [1, 1, 2, 1]));

  it("the registered MaxPoolGrad is right, and tfjs's own kernel is still wrong", async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    expect(registerWasmGradients()).toContain('MaxPoolGrad');
    const right = [0, 0, 0, 3, 0, 2, 0, 0];
    expect(Array.from(await gradOn('cpu', f, x, [1, 2, 4, 1]))).toEqual(right);
    expect(Array.from(await gradOn('wasm', f, x, [1, 2, 4, 1]))).toEqual(right);
    const inputs = {
      dy: { values: Float32Array.of(2, 3), shape: [1, 1, 2, 1] },
      input: { values: x, shape: [1, 2, 4, 1] },
      output: { values: Float32Array.of(4, -0.1), shape: [1, 1, 2, 1] },
    };
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const own = runKernelOn('wasm', 'MaxPoolGrad', inputs, attrs, tfjsMaxPoolGrad.kernelFunc);
    expect(Array.from(own.values)).toEqual([0, 0, 0, 0, 0, 2, 0, 0]);
  });
});

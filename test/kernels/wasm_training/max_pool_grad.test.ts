import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // the gradients
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { passesProbe } from '../../../src/kernels/wasm_training/checked.js';
import { maxPoolGradConfig, MAX_POOL_PROBE } from '../../../src/kernels/wasm_training/max_pool_grad.js';
import { registerWasmGradients } from '../../../src/wasm-grad.js';
import { useBackend } from '../../support/backends.js';
import { runKernelOn, type KernelInput } from '../../support/conv_cases.js';
import { arbPoolCase, poolAttrs, type PoolCase } from '../../support/pool_cases.js';

// tfjs-cutmix/wasm-grad's MaxPoolGrad against the cpu backend's, exactly: the same element of each window
// gets its gradient (the first largest, in row-major order), and overlapping windows add up the same way.

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
  registerWasmGradients();
});

/** A case's kernel inputs; `output` is the forward pooling, from the cpu kernel (neither kernel reads it). */
function inputsOf(c: PoolCase): Record<string, KernelInput> {
  const output = runKernelOn('cpu', 'MaxPool', { x: { values: c.x, shape: c.xShape } }, poolAttrs(c));
  return {
    dy: { values: c.dy, shape: c.dyShape },
    input: { values: c.x, shape: c.xShape },
    output: { values: output.values, shape: output.shape },
  };
}

const ours = maxPoolGradConfig.kernelFunc;

/** Whether the case's rounding mode gives more windows than rounding down does. */
function roundingAddsWindows(c: PoolCase): boolean {
  const floor = tf.backend_util.computePool2DInfo(c.xShape, c.filterSize, c.strides, 1, c.pad).outShape;
  return floor.join() !== c.dyShape.join();
}

/** The gradient of Σ dy · maxPool(x) with respect to x, through tf.grad, on a backend. */
async function opGradOn(backend: 'cpu' | 'wasm', c: PoolCase): Promise<Float32Array> {
  await useBackend(backend);
  const [x, dy] = [tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.dy, c.dyShape)];
  const f = (v: tf.Tensor) =>
    tf.mul(tf.maxPool(v as tf.Tensor4D, c.filterSize, c.strides, c.pad, c.dimRoundingMode), dy);
  const g = tf.grad(f)(x);
  const values = Float32Array.from(g.dataSync());
  tf.dispose([x, dy, g]);
  return values;
}

describe('MaxPoolGrad (wasm, tfjs-cutmix/wasm-grad) against the cpu kernel', () => {
  it('equal to the bit on every padding form, window, stride and rounding mode, with ties, −0, subnormals, −∞ and NaN', () => {
    fc.assert(
      fc.property(arbPoolCase(), (c) => {
        const inputs = inputsOf(c);
        const want = runKernelOn('cpu', 'MaxPoolGrad', inputs, poolAttrs(c));
        const got = runKernelOn('wasm', 'MaxPoolGrad', inputs, poolAttrs(c), ours);
        expect(got.shape).toEqual(c.xShape);
        expect(Array.from(got.values)).toEqual(Array.from(want.values));
      }),
    );
  });

  // 'same' and 'valid' (what tfjs-layers passes): tfjs-backend-wasm 4.22's forward MaxPool writes outside
  // its output with some numeric and explicit paddings, so those are checked on the kernel above.
  it('the registered kernel is this one on tfjs 4.22, so tf.maxPool trains on wasm as on cpu', async () => {
    expect(registerWasmGradients()).toContain('MaxPoolGrad');
    await fc.assert(
      fc.asyncProperty(
        arbPoolCase().filter((c) => c.xShape[0] > 0 && typeof c.pad === 'string' && c.dimRoundingMode === undefined),
        async (c) => {
          const [want, got] = [await opGradOn('cpu', c), await opGradOn('wasm', c)];
          expect(Array.from(got)).toEqual(Array.from(want));
        },
      ),
      { numRuns: 25 },
    );
  });

  // tfjs-core's maxPool gradient passes no dimRoundingMode on, so with one that added a window, dy is larger
  // than the attributes say (the cpu kernel then leaves that window out). dy's shape tells the rounding.
  it('a dy with the windows a dimRoundingMode added, the mode not passed: the cpu kernel given the mode', () => {
    fc.assert(
      fc.property(arbPoolCase().filter(roundingAddsWindows), (c) => {
        const want = runKernelOn('cpu', 'MaxPoolGrad', inputsOf(c), poolAttrs(c));
        const attrs = { ...poolAttrs(c), dimRoundingMode: undefined };
        const got = runKernelOn('wasm', 'MaxPoolGrad', inputsOf(c), attrs, ours);
        expect(Array.from(got.values)).toEqual(Array.from(want.values));
      }),
    );
  });

  it("gives the probe's expected answer, as the cpu kernel does", () => {
    const { attrs, want } = MAX_POOL_PROBE;
    const inputs = Object.fromEntries(
      Object.entries(MAX_POOL_PROBE.inputs).map(([k, t]) => [
        k,
        { values: Float32Array.from(t.values), shape: t.shape },
      ]),
    );
    for (const got of [
      runKernelOn('cpu', 'MaxPoolGrad', inputs, attrs),
      runKernelOn('wasm', 'MaxPoolGrad', inputs, attrs, ours),
    ]) {
      expect(got.shape).toEqual(want.shape);
      expect(Array.from(got.values)).toEqual(want.values);
    }
  });

  it('leaves only its output on the heap', () => {
    const wasm = tf.findBackend('wasm') as BackendWasm;
    const [x, dy, y] = [tf.randomNormal([2, 6, 6, 3]), tf.randomNormal([2, 3, 3, 3]), tf.zeros([2, 3, 3, 3])];
    const [ids, tensors] = [wasm.numDataIds(), tf.memory().numTensors];
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const out = ours({ inputs: { dy, input: x, output: y }, attrs, backend: wasm }) as tf.TensorInfo;
    expect([wasm.numDataIds(), tf.memory().numTensors]).toEqual([ids + 1, tensors]);
    wasm.disposeData(out.dataId);
    tf.dispose([x, dy, y]);
  });
});

describe("the probe's verdict", () => {
  /** A kernel that returns the probe's right values in `shape`. */
  const answering =
    (shape: number[]): tf.KernelFunc =>
    ({ backend }) => ({
      dataId: (backend as BackendWasm).write(Float32Array.from(MAX_POOL_PROBE.want.values), shape, 'float32'),
      shape,
      dtype: 'float32',
    });

  it('passes the right values in the right shape, and fails them in another shape', () => {
    const wasm = tf.findBackend('wasm') as BackendWasm;
    const ids = wasm.numDataIds();
    expect(passesProbe(answering([1, 2, 4, 1]), MAX_POOL_PROBE, wasm)).toBe(true);
    expect(passesProbe(answering([8]), MAX_POOL_PROBE, wasm)).toBe(false);
    expect(passesProbe(answering([1, 4, 2, 1]), MAX_POOL_PROBE, wasm)).toBe(false);
    expect(wasm.numDataIds(), 'everything the probe made is freed').toBe(ids);
  });
});

describe('MaxPoolGrad (wasm) refuses what it would misread, before allocating', () => {
  const where = 'Error in MaxPoolGrad (wasm, tfjs-cutmix/wasm-grad)';
  const attrs = { filterSize: 2, strides: 2, pad: 'valid' } as tf.NamedAttrMap;

  function expectRefused(inputs: () => Record<string, tf.Tensor>, message: string) {
    const made = inputs();
    const wasm = tf.findBackend('wasm') as BackendWasm;
    const [tensors, ids] = [tf.memory().numTensors, wasm.numDataIds()];
    expect(() => ours({ inputs: made, attrs, backend: wasm })).toThrow(message);
    expect([tf.memory().numTensors, wasm.numDataIds()]).toEqual([tensors, ids]);
    tf.dispose(Object.values(made));
  }

  it('an input that is not float32, or not rank 4', () => {
    expectRefused(
      () => ({ dy: tf.ones([1, 1, 2, 1]), input: tf.ones([1, 2, 4, 1], 'int32'), output: tf.ones([1, 1, 2, 1]) }),
      `${where}: input must be float32, but got int32.`,
    );
    expectRefused(
      () => ({ dy: tf.ones([1, 2, 1]), input: tf.ones([2, 4, 1]), output: tf.ones([1, 2, 1]) }),
      `${where}: input must be rank 4, but got rank 3.`,
    );
    expectRefused(
      () => ({ dy: tf.ones([1, 1, 2, 1], 'int32'), input: tf.ones([1, 2, 4, 1]), output: tf.ones([1, 1, 2, 1]) }),
      `${where}: dy must be float32, but got int32.`,
    );
  });

  it("a dy that is not the pooling's output", () => {
    expectRefused(
      () => ({ dy: tf.ones([1, 2, 2, 1]), input: tf.ones([1, 2, 4, 1]), output: tf.ones([1, 1, 2, 1]) }),
      `${where}: dy must have the pooling's output shape [1,1,2,1], but got [1,2,2,1].`,
    );
  });
});

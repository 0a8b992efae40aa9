import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { conv2dFilterGradOnHeap } from '../../../src/kernels/wasm_training/conv2d_backprop_filter.js';
import { registerWasmGradients } from '../../../src/wasm-grad.js';
import { useBackend } from '../../support/backends.js';
import { arbConvCase, runKernelOn, sizeOf, valuesFrom, type ConvCase } from '../../support/conv_cases.js';

// tfjs-cutmix/wasm-grad's kernels against tfjs's cpu kernels, on random convolutions of every form a
// Conv1D/Conv2D (and depthwise/separable) layer can produce, and some only a direct kernel call can.

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
  registerWasmGradients();
});

/** x and dy of a case, as kernel inputs. */
function filterInputs(cs: ConvCase) {
  return {
    x: { values: valuesFrom(sizeOf(cs.xShape), cs.seed), shape: cs.xShape },
    dy: { values: valuesFrom(sizeOf(cs.dyShape), cs.seed + 1), shape: cs.dyShape },
  };
}

/** The attributes every convolution kernel of a case shares. */
const common = (cs: ConvCase) => ({ strides: cs.strides, pad: cs.pad, dimRoundingMode: cs.dimRoundingMode });

/** Σ a·b in float64. */
function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Σ |a·b|: the scale a float32 sum of those products is exact to. */
function scale(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] * b[i]);
  return s;
}

describe('Conv2DBackpropFilter (wasm) against the cpu kernel', () => {
  it('every padding form, stride, rounding mode and layout (NHWC, NCHW)', () => {
    fc.assert(
      fc.property(arbConvCase('conv'), (cs) => {
        const attrs = { ...common(cs), dataFormat: cs.dataFormat, filterShape: cs.filterShape };
        const want = runKernelOn('cpu', 'Conv2DBackpropFilter', filterInputs(cs), attrs);
        const got = runKernelOn('wasm', 'Conv2DBackpropFilter', filterInputs(cs), attrs);
        expect(got.shape).toEqual(cs.filterShape);
        tf.test_util.expectArraysClose(got.values, want.values);
      }),
    );
  });

  it('summed over groups of samples (a patch budget smaller than one sample) equals the one product', () => {
    const backend = tf.findBackend('wasm') as BackendWasm;
    fc.assert(
      fc.property(arbConvCase('conv'), fc.integer({ min: 1, max: 200 }), (cs, budget) => {
        const inputs = filterInputs(cs);
        const attrs = { ...common(cs), dataFormat: cs.dataFormat, filterShape: cs.filterShape };
        const want = runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
        const [x, dy] = [tf.tensor(inputs.x.values, cs.xShape), tf.tensor(inputs.dy.values, cs.dyShape)];
        const ids = backend.numDataIds();
        const outputs = vi.spyOn(backend, 'makeOutput');
        const out = tf.engine().makeTensorFromTensorInfo(conv2dFilterGradOnHeap(backend, { x, dy }, attrs, budget));
        const perSample = (sizeOf(cs.filterShape.slice(0, 3)) * sizeOf(cs.dyShape)) / cs.dyShape[0] / cs.filterShape[3];
        const groups = Math.ceil(cs.xShape[0] / Math.max(1, Math.floor(budget / perSample)));
        try {
          // Patches, rows and their product per group, and the summed output when there are several.
          expect(outputs).toHaveBeenCalledTimes(3 * groups + (groups > 1 ? 1 : 0));
          expect(backend.numDataIds(), 'only the output is left').toBe(ids + 1);
          tf.test_util.expectArraysClose(out.dataSync(), want.values);
        } finally {
          outputs.mockRestore();
          tf.dispose([x, dy, out]);
        }
      }),
    );
  });
});

describe('Conv2DBackpropFilter (wasm) in groups that do not divide the batch', () => {
  it('the last, smaller group takes only the samples left', () => {
    const backend = tf.findBackend('wasm') as BackendWasm;
    // x [3, 4, 4, 2], a 2×2 filter, valid: K = 8 taps at 9 positions, 72 patch floats per sample. A budget
    // of two samples makes groups [0, 1] and [2].
    const [xShape, dyShape, filterShape] = [
      [3, 4, 4, 2],
      [3, 3, 3, 3],
      [2, 2, 2, 3],
    ];
    const inputs = {
      x: { values: valuesFrom(sizeOf(xShape), 11), shape: xShape },
      dy: { values: valuesFrom(sizeOf(dyShape), 12), shape: dyShape },
    };
    const attrs = { strides: 1, pad: 'valid', dimRoundingMode: undefined, dataFormat: 'NHWC', filterShape };
    const want = runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    const [x, dy] = [tf.tensor(inputs.x.values, xShape), tf.tensor(inputs.dy.values, dyShape)];
    const info = conv2dFilterGradOnHeap(backend, { x, dy }, attrs as never, 2 * 72);
    const out = tf.engine().makeTensorFromTensorInfo(info);
    try {
      expect(out.shape).toEqual(filterShape);
      tf.test_util.expectArraysClose(out.dataSync(), want.values);
    } finally {
      tf.dispose([x, dy, out]);
    }
  });
});

describe('depthwise gradient kernels (wasm)', () => {
  it('DepthwiseConv2dNativeBackpropFilter and …BackpropInput match the cpu kernels (dilation 1)', () => {
    fc.assert(
      fc.property(
        arbConvCase('depthwise').filter((cs) => cs.dilations.every((d) => d === 1)),
        (cs) => {
          const filter = { values: valuesFrom(sizeOf(cs.filterShape), cs.seed + 2), shape: cs.filterShape };
          const dy = filterInputs(cs).dy;
          const filterAttrs = { ...common(cs), dilations: cs.dilations, filterShape: cs.filterShape };
          const inputAttrs = { ...common(cs), dilations: cs.dilations, inputShape: cs.xShape };
          for (const [name, inputs, attrs] of [
            ['DepthwiseConv2dNativeBackpropFilter', filterInputs(cs), filterAttrs],
            ['DepthwiseConv2dNativeBackpropInput', { dy, filter }, inputAttrs],
          ] as const) {
            const want = runKernelOn('cpu', name, inputs, attrs);
            const got = runKernelOn('wasm', name, inputs, attrs);
            expect(got.shape, name).toEqual(want.shape);
            tf.test_util.expectArraysClose(got.values, want.values);
          }
        },
      ),
    );
  });

  // tfjs's cpu backprop kernels ignore dilations (its gradient refuses dilations above 1, so nothing
  // reaches them), so a dilated case is checked against the forward kernels instead: for a convolution
  // y = F(x, w), linear in each argument, Σ dy·y = Σ x·dX = Σ w·dW exactly.
  it("are the adjoints of the cpu backend's forward depthwise convolution, dilated too", () => {
    fc.assert(
      fc.property(arbConvCase('depthwise'), (cs) => {
        const x = { values: valuesFrom(sizeOf(cs.xShape), cs.seed), shape: cs.xShape };
        const filter = { values: valuesFrom(sizeOf(cs.filterShape), cs.seed + 2), shape: cs.filterShape };
        const dy = filterInputs(cs).dy;
        const forward = { ...common(cs), dilations: cs.dilations, dataFormat: 'NHWC' };
        const y = runKernelOn('cpu', 'DepthwiseConv2dNative', { x, filter }, forward).values;
        const dW = runKernelOn(
          'wasm',
          'DepthwiseConv2dNativeBackpropFilter',
          { x, dy },
          {
            ...common(cs),
            dilations: cs.dilations,
            filterShape: cs.filterShape,
          },
        ).values;
        const dX = runKernelOn(
          'wasm',
          'DepthwiseConv2dNativeBackpropInput',
          { dy, filter },
          {
            ...common(cs),
            dilations: cs.dilations,
            inputShape: cs.xShape,
          },
        ).values;
        const [target, tolerance] = [dot(dy.values, y), 1e-5 * (1 + scale(dy.values, y))];
        expect(Math.abs(dot(filter.values, dW) - target)).toBeLessThanOrEqual(tolerance);
        expect(Math.abs(dot(x.values, dX) - target)).toBeLessThanOrEqual(tolerance);
      }),
    );
  });
});

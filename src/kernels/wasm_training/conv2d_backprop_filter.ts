import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { failMust } from '../../common/validate.js';
import { heapAddress } from '../wasm/heap.js';
import { assertFloat4D, convGeometry, where, type ConvGeometry } from './geometry.js';
import { floatsOf, withHeapOutput } from './output.js';
import { fillPatchesT, fillRows } from './patches.js';

const KERNEL = 'Conv2DBackpropFilter';

/**
 * Samples are taken a group at a time so that one group's patch matrix holds at most this many floats
 * (16 MiB): the patches of a whole large batch would cost as much memory as several activations.
 */
export const PATCH_BUDGET_FLOATS = 4 * 1024 * 1024;

/**
 * dW for samples `first … first + count − 1` as one matrix product, patchesᵀ (K × P) · rows (P × outC),
 * run by the wasm backend's own BatchMatMul (XNNPACK). Returns a [1, K, outC] tensor on the heap; the two
 * temporaries are freed whatever happens.
 */
function groupProduct(
  backend: BackendWasm,
  matMul: KernelFunc,
  g: ConvGeometry,
  inputs: { x: TensorInfo; dy: TensorInfo },
  first: number,
  count: number,
): TensorInfo {
  const k = g.filterHeight * g.filterWidth * g.inChannels;
  const positions = count * g.outHeight * g.outWidth;
  const made: TensorInfo[] = [];
  try {
    made.push(backend.makeOutput([1, k, positions], 'float32'));
    made.push(backend.makeOutput([1, positions, g.outChannels], 'float32'));
    const [patches, rows] = made;
    // Views only now, after the last allocation; the inputs' addresses were read before any of it.
    fillPatchesT(g, floatsOf(backend, inputs.x), floatsOf(backend, patches), first, count);
    fillRows(g, floatsOf(backend, inputs.dy), floatsOf(backend, rows), first, count);
    const attrs = { transposeA: false, transposeB: false };
    return matMul({ inputs: { a: patches, b: rows }, attrs, backend }) as TensorInfo;
  } finally {
    // Forced: BatchMatMul adds a reference to each input, and drops it only if it returns.
    for (const t of made) backend.disposeData(t.dataId, true);
  }
}

/**
 * The filter gradient of a 2-D convolution, channels-last or channels-first:
 *
 *   dW[r, c, i, o] = Σ_b Σ_(y, x) X[b, y·sh + r − top, x·sw + c − left, i] · dY[b, y, x, o]
 *
 * written as a matrix product (the patches of X against dY) so that the backend's XNNPACK matrix multiply
 * does the arithmetic, faster than a direct loop in JavaScript (measured in docs/benchmarks.md). Products
 * accumulate in float32 as XNNPACK's do; groups of samples are summed in float64.
 *
 * @param budget Most floats one group's patch matrix may hold (tests set it small to split the batch).
 */
export function conv2dFilterGradOnHeap(
  backend: BackendWasm,
  inputs: { x: TensorInfo; dy: TensorInfo },
  attrs: Conv2DBackpropFilterAttrs,
  budget = PATCH_BUDGET_FLOATS,
): TensorInfo {
  assertFloat4D(KERNEL, 'x', inputs.x);
  assertFloat4D(KERNEL, 'dy', inputs.dy);
  const g = convGeometry({
    kernel: KERNEL,
    xShape: inputs.x.shape,
    filterShape: attrs.filterShape,
    dyShape: inputs.dy.shape,
    strides: attrs.strides,
    pad: attrs.pad,
    dilations: 1, // the attributes carry none: tfjs's conv2d gradient refuses dilations above 1
    dimRoundingMode: attrs.dimRoundingMode,
    dataFormat: attrs.dataFormat,
    depthwise: false,
  });
  const matMul = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
  if (matMul === undefined) failMust(where(KERNEL), 'the wasm backend', 'have a BatchMatMul kernel', 'none');
  const k = g.filterHeight * g.filterWidth * g.inChannels;
  const perSample = k * g.outHeight * g.outWidth;
  if (perSample * g.batch * g.outChannels === 0) return withHeapOutput(backend, g.filterShape, (out) => out.fill(0));
  // Read both addresses before allocating anything: reading one may move its tensor onto the heap.
  heapAddress(backend, inputs.x.dataId);
  heapAddress(backend, inputs.dy.dataId);
  const group = Math.max(1, Math.floor(budget / perSample));
  if (group >= g.batch) {
    const product = groupProduct(backend, matMul, g, inputs, 0, g.batch);
    return { dataId: product.dataId, shape: [...g.filterShape], dtype: 'float32' };
  }
  const sums = new Float64Array(k * g.outChannels);
  for (let first = 0; first < g.batch; first += group) {
    const product = groupProduct(backend, matMul, g, inputs, first, Math.min(group, g.batch - first));
    try {
      const part = floatsOf(backend, product);
      for (let j = 0; j < sums.length; j++) sums[j] += part[j];
    } finally {
      backend.disposeData(product.dataId);
    }
  }
  return withHeapOutput(backend, g.filterShape, (out) => out.set(sums));
}

function conv2dBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: Conv2DBackpropFilterAttrs;
  backend: BackendWasm;
}): TensorInfo {
  return conv2dFilterGradOnHeap(args.backend, args.inputs, args.attrs);
}

/** `Conv2DBackpropFilter` for 'wasm', which tfjs-backend-wasm 4.22 lacks. */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm as unknown as KernelFunc,
};

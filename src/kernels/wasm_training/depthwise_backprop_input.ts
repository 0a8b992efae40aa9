import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type {
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapAddress } from '../wasm/heap.js';
import { assertFloat4D, convGeometry, where, type ConvGeometry } from './geometry.js';
import { floatsOf, withHeapOutput } from './output.js';
import { failMust } from '../../common/validate.js';

const KERNEL = 'DepthwiseConv2dNativeBackpropInput';

/**
 * The input gradient of a depthwise convolution (channels-last), one input pixel at a time, summed in
 * float64:
 *
 *   dX[b, v, u, i] = Σ_(r, c, m) W[r, c, i, m] · dY[b, y, x, i·M + m]   where v = y·sh + r·dh − top and
 *                                                                         u = x·sw + c·dw − left
 *
 * Each tap (r, c) reaches pixel (v, u) from at most one output position, found by dividing back.
 */
export function depthwiseInputGrad(g: ConvGeometry, w: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const { inChannels: inC, outChannels: outC, filterWidth: fw } = g;
  const multiplier = outC / inC;
  const [xb, xh, xw] = g.x;
  const [yb, yh, yw] = g.y;
  const pixel = new Float64Array(inC);
  for (let b = 0; b < g.batch; b++) {
    for (let v = 0; v < g.inHeight; v++) {
      for (let u = 0; u < g.inWidth; u++) {
        pixel.fill(0);
        for (let r = 0; r < g.filterHeight; r++) {
          const ty = v + g.top - r * g.dilationHeight;
          const oy = ty / g.strideHeight;
          if (ty < 0 || !Number.isInteger(oy) || oy >= g.outHeight) continue;
          for (let c = 0; c < fw; c++) {
            const tx = u + g.left - c * g.dilationWidth;
            const ox = tx / g.strideWidth;
            if (tx < 0 || !Number.isInteger(ox) || ox >= g.outWidth) continue;
            const dyAt = b * yb + oy * yh + ox * yw;
            const filterAt = (r * fw + c) * outC;
            for (let i = 0, j = 0; i < inC; i++) {
              let sum = 0;
              for (let m = 0; m < multiplier; m++, j++) sum += w[filterAt + j] * dy[dyAt + j];
              pixel[i] += sum;
            }
          }
        }
        dx.set(pixel, b * xb + v * xh + u * xw);
      }
    }
  }
}

function depthwiseBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
  backend: BackendWasm;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  assertFloat4D(KERNEL, 'dy', inputs.dy);
  assertFloat4D(KERNEL, 'filter', inputs.filter);
  const inputShape = attrs.inputShape as readonly number[];
  if (inputShape.length !== 4) failMust(where(KERNEL), 'inputShape', 'have 4 entries', `[${inputShape.join(',')}]`);
  const g = convGeometry({
    kernel: KERNEL,
    xShape: inputShape,
    filterShape: inputs.filter.shape,
    dyShape: inputs.dy.shape,
    strides: attrs.strides,
    pad: attrs.pad,
    dilations: attrs.dilations,
    dimRoundingMode: attrs.dimRoundingMode,
    dataFormat: 'NHWC', // the kernel has no layout attribute: tfjs's depthwise convolutions are channels-last
    depthwise: true,
  });
  // Both addresses before the output is made (reading one may move its tensor onto the heap); the views
  // are made after it.
  heapAddress(backend, inputs.dy.dataId);
  heapAddress(backend, inputs.filter.dataId);
  return withHeapOutput(backend, g.inShape, (dx) =>
    depthwiseInputGrad(g, floatsOf(backend, inputs.filter), floatsOf(backend, inputs.dy), dx),
  );
}

/** `DepthwiseConv2dNativeBackpropInput` for 'wasm', which tfjs-backend-wasm 4.22 lacks. */
export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInputWasm as unknown as KernelFunc,
};

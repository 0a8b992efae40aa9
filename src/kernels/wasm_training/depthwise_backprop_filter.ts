import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapAddress } from '../wasm/heap.js';
import { assertFloat4D, convGeometry, type ConvGeometry } from './geometry.js';
import { floatsOf, withHeapOutput } from './output.js';

const KERNEL = 'DepthwiseConv2dNativeBackpropFilter';

/**
 * The filter gradient of a depthwise convolution (channels-last; output channel j = i·M + m reads input
 * channel i), summed in float64:
 *
 *   dW[r, c, i, m] = Σ_b Σ_(y, x) X[b, y·sh + r·dh − top, x·sw + c·dw − left, i] · dY[b, y, x, i·M + m]
 *
 * Filter row (r, c) holds its outChannels values in dY's channel order, so each output position adds
 * X's channels, each repeated M times, times dY's row.
 */
export function depthwiseFilterGrad(g: ConvGeometry, x: Float32Array, dy: Float32Array, sums: Float64Array): void {
  const { inChannels: inC, outChannels: outC, filterWidth: fw } = g;
  const multiplier = outC / inC;
  const [xb, xh, xw] = g.x;
  const [yb, yh, yw] = g.y;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        const dyAt = b * yb + oy * yh + ox * yw;
        for (let r = 0; r < g.filterHeight; r++) {
          const iy = oy * g.strideHeight - g.top + r * g.dilationHeight;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let c = 0; c < fw; c++) {
            const ix = ox * g.strideWidth - g.left + c * g.dilationWidth;
            if (ix < 0 || ix >= g.inWidth) continue;
            const xAt = b * xb + iy * xh + ix * xw;
            const filterAt = (r * fw + c) * outC;
            for (let i = 0, j = 0; i < inC; i++) {
              const v = x[xAt + i];
              for (let m = 0; m < multiplier; m++, j++) sums[filterAt + j] += v * dy[dyAt + j];
            }
          }
        }
      }
    }
  }
}

function depthwiseBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
  backend: BackendWasm;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  assertFloat4D(KERNEL, 'x', inputs.x);
  assertFloat4D(KERNEL, 'dy', inputs.dy);
  const g = convGeometry({
    kernel: KERNEL,
    xShape: inputs.x.shape,
    filterShape: attrs.filterShape,
    dyShape: inputs.dy.shape,
    strides: attrs.strides,
    pad: attrs.pad,
    dilations: attrs.dilations,
    dimRoundingMode: attrs.dimRoundingMode,
    dataFormat: 'NHWC', // the kernel has no layout attribute: tfjs's depthwise convolutions are channels-last
    depthwise: true,
  });
  const sums = new Float64Array(g.filterShape.reduce((a, b) => a * b, 1));
  // Both addresses before any view (reading one may move its tensor onto the heap); no allocation until
  // the output, after the views' last use.
  heapAddress(backend, inputs.x.dataId);
  heapAddress(backend, inputs.dy.dataId);
  depthwiseFilterGrad(g, floatsOf(backend, inputs.x), floatsOf(backend, inputs.dy), sums);
  return withHeapOutput(backend, g.filterShape, (out) => out.set(sums));
}

/** `DepthwiseConv2dNativeBackpropFilter` for 'wasm', which tfjs-backend-wasm 4.22 lacks. */
export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilterWasm as unknown as KernelFunc,
};

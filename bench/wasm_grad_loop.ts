import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs-core';
import { convGeometry } from '../src/kernels/wasm_training/geometry.js';
import { floatsOf, withHeapOutput } from '../src/kernels/wasm_training/output.js';

/**
 * The filter gradient as a direct loop in JavaScript over heap views, channels-last, stride and padding
 * from the geometry (the alternative to the matrix product; float64 sums as the cpu kernel's).
 */
export function loopFilterGrad(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  attrs: tf.NamedAttrMap,
): tf.TensorInfo {
  const g = convGeometry({
    ...(attrs as { strides: number; pad: 'same' | 'valid' }),
    kernel: 'loop',
    xShape: x.shape,
    dyShape: dy.shape,
    filterShape: attrs.filterShape as number[],
    dilations: 1,
    dimRoundingMode: undefined,
    dataFormat: 'NHWC',
    depthwise: false,
  });
  const [xs, dys] = [floatsOf(backend, x), floatsOf(backend, dy)];
  const sums = new Float64Array(g.filterShape.reduce((s, d) => s * d, 1));
  const { inChannels: inC, outChannels: outC, filterWidth: fw } = g;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        const dyAt = ((b * g.outHeight + oy) * g.outWidth + ox) * outC;
        for (let r = 0; r < g.filterHeight; r++) {
          const iy = oy * g.strideHeight - g.top + r;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let c = 0; c < fw; c++) {
            const ix = ox * g.strideWidth - g.left + c;
            if (ix < 0 || ix >= g.inWidth) continue;
            const xAt = ((b * g.inHeight + iy) * g.inWidth + ix) * inC;
            for (let i = 0, at = (r * fw + c) * inC * outC; i < inC; i++, at += outC) {
              const v = xs[xAt + i];
              for (let o = 0; o < outC; o++) sums[at + o] += v * dys[dyAt + o];
            }
          }
        }
      }
    }
  }
  return withHeapOutput(backend, g.filterShape, (out) => out.set(sums));
}

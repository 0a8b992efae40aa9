import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { imageDims, type DataFormat } from '../layout.js';

/**
 * Per-sample paste mask, 1 inside sample n's box: shape `[N, 1, H, W]` (NCHW) or `[N, H, W, 1]` (NHWC),
 * so it broadcasts over channels.
 */
export function boxMask(
  shape: readonly number[],
  boxes: Int32Array,
  dataFormat: DataFormat,
  dtype: 'bool' | 'float32',
): tf.Tensor4D {
  const { n, h, w } = imageDims(shape, dataFormat);
  const values = dtype === 'bool' ? new Uint8Array(n * h * w) : new Float32Array(n * h * w);
  for (let s = 0; s < n; s++) {
    const y1 = boxes[4 * s],
      x1 = boxes[4 * s + 1],
      y2 = boxes[4 * s + 2],
      x2 = boxes[4 * s + 3];
    for (let y = y1; y < y2; y++) values.fill(1, s * h * w + y * w + x1, s * h * w + y * w + x2);
  }
  const maskShape: [number, number, number, number] = dataFormat === 'NCHW' ? [n, 1, h, w] : [n, h, w, 1];
  return tf.tensor4d(values, maskShape, dtype);
}

/**
 * The paste from stock tfjs ops, correct on every backend (webgpu, tensorflow, …): gather the partners,
 * then select inside each sample's box. About 100–1000× slower than a registered kernel, so it is only
 * the fallback for backends that have none.
 */
export function pasteComposite(
  images: Tensor4D,
  partners: Int32Array,
  boxes: Int32Array,
  dataFormat: DataFormat,
): Tensor4D {
  // customGrad: the same gradient as the registered kernels (gather's own needs UnsortedSegmentSum,
  // which wasm lacks).
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    return {
      value: tf.tidy(() => {
        const mask = boxMask(x.shape, boxes, dataFormat, 'bool');
        const fromPartner = tf.gather(x, tf.tensor1d(partners, 'int32'));
        return tf.where(mask, fromPartner, x);
      }),
      gradFunc: (dy: tf.Tensor) => pasteGradient(dy as Tensor4D, partners, boxes, dataFormat),
    };
  });
  return op(images) as Tensor4D;
}

/**
 * Gradient of the paste with respect to the images: each output element came from exactly one input
 * element, so the upstream gradient flows back to it — outside a box to the sample itself, inside to its
 * partner (summed when several samples share a partner).
 */
export function pasteGradient(dy: Tensor4D, partners: Int32Array, boxes: Int32Array, dataFormat: DataFormat): Tensor4D {
  return tf.tidy(() => {
    const inBox = boxMask(dy.shape, boxes, dataFormat, 'float32');
    const pasted = tf.mul(dy, inBox);
    const kept = tf.sub(dy, pasted);
    // Scatter-add to the partners as a matMul with the [N, N] routing matrix (every backend has
    // matMul; wasm has no UnsortedSegmentSum).
    const n = dy.shape[0];
    const route = new Float32Array(n * n);
    partners.forEach((p, i) => (route[p * n + i] += 1));
    const toPartner = tf.matMul(tf.tensor2d(route, [n, n]), tf.reshape(pasted, [n, -1]));
    return tf.add(kept, tf.reshape(toPartner, dy.shape)) as Tensor4D;
  });
}

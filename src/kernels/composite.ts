import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { isChannelsLast, type DataFormat } from '../common/layout.js';
import { BLOCK_INTS, blockTable, forEachRun, pasteGeometry, RUN } from './geometry.js';

/**
 * Per-sample mask of the positions filled from the partner (never for a sample paired with itself), one
 * channel wide so it broadcasts over the channels: `[N, 1, D, H, W]`-like for channels-first layouts,
 * `[N, D, H, W, 1]`-like for channels-last, in the input's own rank.
 */
function pasteMask(shape: readonly number[], partners: Int32Array, boxes: Int32Array, dataFormat: DataFormat): Tensor {
  const { n, d, h, w } = pasteGeometry(shape, dataFormat);
  const spatialSize = d * h * w;
  // The spatial positions alone: one channel, so channels-first and -last coincide.
  const positions = { n, c: 1, d, h, w, channelsLast: false, sampleSize: spatialSize };
  const values = new Uint8Array(n * spatialSize);
  const table = blockTable(positions, partners, boxes);
  for (let s = 0; s < n; s++) {
    const run = table[BLOCK_INTS * s + RUN];
    forEachRun(table, s, (start) => values.fill(1, s * spatialSize + start, s * spatialSize + start + run));
  }
  const channelAxis = isChannelsLast(dataFormat) ? shape.length - 1 : 1;
  return tf.tensor(
    values,
    shape.map((size, axis) => (axis === channelAxis ? 1 : size)),
    'bool',
  );
}

/**
 * The paste's gradient from stock ops, for backends without a `CutmixPasteGrad` kernel: outside each box
 * the upstream gradient stays with its sample; inside, it is scatter-added to the partner. O(N·size),
 * and `where` (not a multiply) keeps a non-finite value where it belongs.
 */
export function pasteGradientComposite(
  dy: Tensor,
  partners: Int32Array,
  boxes: Int32Array,
  dataFormat: DataFormat,
): Tensor {
  return tf.tidy(() => {
    const mask = pasteMask(dy.shape, partners, boxes, dataFormat);
    const zero = tf.zerosLike(dy);
    const kept = tf.where(mask, zero, dy);
    const pasted = tf.where(mask, dy, zero);
    const toPartner = tf.scatterND(tf.tensor2d(partners, [partners.length, 1], 'int32'), pasted, dy.shape);
    return tf.add(kept, toPartner);
  });
}

/**
 * The paste from stock tfjs ops, for backends without a registered kernel: gather the partners, then
 * select inside each sample's box. Exact where those ops copy values exactly; on backends whose `gather` and
 * `where` run in float32 (webgpu and webgl without the kernel), int32 beyond ±2²⁴ is rounded and signalling
 * NaNs may come out quiet. Bool batches go through int32 (tfjs 4.22's wasm `where` corrupts the
 * heap on bool values). The same gradient as the kernels, via `customGrad`.
 */
export function pasteComposite(x: Tensor, partners: Int32Array, boxes: Int32Array, dataFormat: DataFormat): Tensor {
  if (x.dtype === 'bool') {
    return tf.tidy(() => tf.cast(pasteComposite(tf.cast(x, 'int32'), partners, boxes, dataFormat), 'bool'));
  }
  const op = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const images = args[0] as Tensor;
    return {
      value: tf.tidy(() => {
        const mask = pasteMask(images.shape, partners, boxes, dataFormat);
        return tf.where(mask, tf.gather(images, tf.tensor1d(partners, 'int32')), images);
      }),
      gradFunc: (dy: Tensor) => pasteGradientComposite(dy, partners, boxes, dataFormat),
    };
  });
  return op(x);
}

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { isChannelsLast, type DataFormat } from '../common/layout.js';
import { BLOCK_INTS, blockTable, forEachRun, pasteGeometry, RUN } from './geometry.js';

/**
 * The rank-3 view every stock op below runs on: `[N, C, D·H·W]` channels-first, `[N, D·H·W, C]`
 * channels-last. webgl and webgpu run `where` only up to rank 4, and their `tile` (what a broadcasting
 * `where` runs) reads rank-5 or small tensors back to the CPU, so nothing here is broadcast by `where`.
 */
function viewOf(shape: readonly number[], dataFormat: DataFormat): number[] {
  const { n, c, d, h, w } = pasteGeometry(shape, dataFormat);
  return isChannelsLast(dataFormat) ? [n, d * h * w, c] : [n, c, d * h * w];
}

/**
 * Where each sample takes its partner's elements (never for a sample paired with itself), full-size on the
 * rank-3 view: the positions are uploaded one channel wide, and an add to a device-side fill broadcasts them
 * over the channels where the batch lives.
 */
function pasteMask(shape: readonly number[], partners: Int32Array, boxes: Int32Array, dataFormat: DataFormat): Tensor {
  const { n, d, h, w } = pasteGeometry(shape, dataFormat);
  const spatialSize = d * h * w;
  // The spatial positions alone: one channel, so channels-first and -last coincide.
  const positions = { n, c: 1, d, h, w, channelsLast: false, sampleSize: spatialSize };
  const values = new Float32Array(n * spatialSize);
  const table = blockTable(positions, partners, boxes);
  for (let s = 0; s < n; s++) {
    const run = table[BLOCK_INTS * s + RUN];
    forEachRun(table, s, (start) => values.fill(1, s * spatialSize + start, s * spatialSize + start + run));
  }
  const oneChannel = isChannelsLast(dataFormat) ? [n, spatialSize, 1] : [n, 1, spatialSize];
  // A broadcast add cast to bool, as in MixUp's blend (wasm's broadcasting comparisons are slow). The fill
  // names its dtype: tfjs-core 4.0's fill passes none, and wasm's Fill kernel then throws.
  // In its own tidy, so that only the bool mask outlives it, not two full-size float32 temporaries.
  return tf.tidy(() =>
    tf.cast(tf.add(tf.fill(viewOf(shape, dataFormat), 0, 'float32'), tf.tensor(values, oneChannel)), 'bool'),
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
    const view = viewOf(dy.shape, dataFormat);
    const rows = tf.reshape(dy, view);
    const mask = pasteMask(dy.shape, partners, boxes, dataFormat);
    const zero = tf.zerosLike(rows);
    const kept = tf.where(mask, zero, rows);
    const pasted = tf.where(mask, rows, zero);
    const toPartner = tf.scatterND(tf.tensor2d(partners, [partners.length, 1], 'int32'), pasted, view);
    return tf.reshape(tf.add(kept, toPartner), dy.shape);
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
        const rows = tf.reshape(images, viewOf(images.shape, dataFormat));
        const mask = pasteMask(images.shape, partners, boxes, dataFormat);
        const pasted = tf.where(mask, tf.gather(rows, tf.tensor1d(partners, 'int32')), rows);
        return tf.reshape(pasted, images.shape);
      }),
      gradFunc: (dy: Tensor) => pasteGradientComposite(dy, partners, boxes, dataFormat),
    };
  });
  return op(x);
}

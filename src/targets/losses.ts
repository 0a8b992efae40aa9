import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { assertTensor, fail, failMust } from '../common/validate.js';
import { checkLabels, checkUnitValues } from './labels.js';
import { toDense } from './mix_targets.js';

/** A per-sample loss: labels and logits `[N, K]` to losses `[N]`, usable as `cutmixLoss`'s `lossFn`. */
export type PerSampleLoss = (labels: Tensor, logits: Tensor2D) => Tensor1D;

/** Checks logits: a live float32 `[N, K]` tensor. */
export function checkLogits(fn: string, logits: unknown): asserts logits is Tensor2D {
  assertTensor(fn, 'logits', logits);
  if (logits.rank !== 2) fail(fn, 'logits', 'rank 2 ([N, K])', `rank ${logits.rank}`);
  if (logits.dtype !== 'float32') fail(fn, 'logits.dtype', 'float32', logits.dtype);
}

/** Checks labels against logits `[N, K]`: class indices in [0, K) `[N]`, or float32 targets `[N, K]`. */
function checkLabelsFor(fn: string, labels: unknown, logits: Tensor2D, indices: boolean): asserts labels is Tensor {
  const [n, k] = logits.shape;
  const classes = { k, of: 'logits.shape[1]' };
  checkLabels(fn, 'labels', labels, { rows: { n, of: 'logits' }, columns: { k, of: 'logits' }, indices, classes });
}

/**
 * A softmax needs two columns or more: over one it is always 1, so the loss would be 0 whatever the
 * model does. One binary output takes a sigmoid loss.
 */
export function assertSoftmaxColumns(fn: string, k: number): void {
  if (k < 2) {
    const why = 'a softmax over one column is always 1; for one binary output use sigmoidCrossEntropyPerSample';
    failMust(fn, 'logits', `have at least 2 columns for softmax cross-entropy (${why})`, String(k));
  }
}

/** Softmax cross-entropy per sample on checked arguments. */
export function softmaxCrossEntropy(labels: Tensor, logits: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const targets = toDense(labels, logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1)) as Tensor1D;
  });
}

/**
 * Softmax cross-entropy per sample, `−Σₖ tₖ·log softmax(logits)ₖ`, for class indices `[N]` or one-hot/soft
 * targets `[N, K]`. Unlike `tf.losses.softmaxCrossEntropy` it does not reduce, so weights can be applied
 * per sample before averaging. Class indices are checked to lie in [0, K) where their values are
 * readable without a GPU read (cpu, wasm, tensorflow; anywhere with tfjs's `DEBUG` flag).
 *
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 0, -1], [0.5, 0.5, 3]]);
 * const losses = softmaxCrossEntropyPerSample(tf.tensor1d([0, 2], 'int32'), logits); // shape [2]
 * ```
 * @param labels int32 class indices `[N]` (values in [0, K)) or float32 targets `[N, K]`.
 * @param logits float32 `[N, K]`.
 * @returns float32 `[N]`.
 */
export function softmaxCrossEntropyPerSample(labels: Tensor, logits: Tensor2D): Tensor1D {
  const fn = 'softmaxCrossEntropyPerSample';
  checkLogits(fn, logits);
  checkLabelsFor(fn, labels, logits, true);
  assertSoftmaxColumns(fn, logits.shape[1]);
  return softmaxCrossEntropy(labels, logits);
}

/**
 * Binary cross-entropy with logits per sample, averaged over the K labels — the multi-label loss:
 * `mean_k [ max(x, 0) − x·t + log(1 + e^(−|x|)) ]`, which equals `−t·log σ(x) − (1−t)·log(1−σ(x))` and
 * stays finite for any |x|. Targets may be multi-hot, soft, or mixed by `mixTargets`. Use it as
 * `cutmixLoss`'s `lossFn`, or inside `optimizer.minimize`.
 *
 * @example
 * ```ts
 * const logits = tf.tensor2d([[3, -2, 0.5], [-1, 4, 2]]);
 * const targets = tf.tensor2d([[1, 0, 1], [0, 1, 1]]);        // two labels per sample
 * const losses = sigmoidCrossEntropyPerSample(targets, logits); // shape [2]
 * const loss = cutmixLoss(logits, targets, targets, 1, sigmoidCrossEntropyPerSample);
 * ```
 * @param labels float32 targets `[N, K]` in [0, 1] (checked where values are readable, as class indices are).
 * @param logits float32 `[N, K]`.
 * @returns float32 `[N]`.
 */
export function sigmoidCrossEntropyPerSample(labels: Tensor, logits: Tensor2D): Tensor1D {
  const fn = 'sigmoidCrossEntropyPerSample';
  checkLogits(fn, logits);
  checkLabelsFor(fn, labels, logits, false);
  checkUnitValues(fn, 'labels', labels);
  // log(1 + e^(−|x|)) with log, not log1p: tfjs-backend-wasm 4.0.0 (inside the peer range) has no Log1p kernel, and the
  // difference (below 1e-7 absolute) is far under float32's resolution of the loss.
  return tf.tidy(() => {
    const perLabel = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, labels)),
      tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(logits))))),
    );
    return tf.mean(perLabel, -1) as Tensor1D;
  });
}

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import {
  assertInRange,
  assertOptions,
  assertPositiveInteger,
  assertTensor,
  describeValue,
  fail,
  failMust,
  readLam,
} from './validate.js';

/** Options of {@link mixTargets}. */
export interface MixTargetsOptions {
  /** Number of classes K; required for class-index labels, checked against K for one-hot labels. */
  numClasses?: number;
  /** Label smoothing ε in [0, 1], applied to both one-hots before mixing (off = ε/K, on = 1 − ε + ε/K). */
  labelSmoothing?: number;
}

/**
 * Checks that a pair of label tensors agree and returns K. Class-index labels are read (a few bytes per
 * sample) so that an index outside [0, K) fails here instead of becoming an all-zero row.
 */
export function checkLabelPair(
  fn: string,
  labelsA: unknown,
  labelsB: unknown,
  numClasses: number | undefined,
  numClassesArg: string,
  n?: number,
): number {
  assertTensor(fn, 'labelsA', labelsA);
  assertTensor(fn, 'labelsB', labelsB);
  for (const [arg, t] of [
    ['labelsA', labelsA],
    ['labelsB', labelsB],
  ] as const) {
    if (t.rank !== 1 && t.rank !== 2)
      fail(fn, arg, 'rank 1 (class indices [N]) or rank 2 (one-hot or soft [N, K])', `rank ${t.rank}`);
    if (t.dtype !== 'int32' && t.dtype !== 'float32') fail(fn, `${arg}.dtype`, 'int32 or float32', t.dtype);
    if (n !== undefined && t.shape[0] !== n) failMust(fn, arg, `have ${n} rows to match logits`, String(t.shape[0]));
  }
  if (labelsB.rank !== labelsA.rank || labelsB.shape[0] !== labelsA.shape[0] || labelsB.shape[1] !== labelsA.shape[1]) {
    failMust(fn, 'labelsB', `have the shape of labelsA [${labelsA.shape.join(',')}]`, `[${labelsB.shape.join(',')}]`);
  }
  if (numClasses !== undefined) assertPositiveInteger(fn, numClassesArg, numClasses);
  if (labelsA.rank === 2) {
    const k = labelsA.shape[1] as number;
    if (numClasses !== undefined && numClasses !== k)
      fail(fn, numClassesArg, `${k} to match the labels' second dim`, String(numClasses));
    if (k < 1) failMust(fn, 'labelsA', 'have at least one class column', '0');
    return k;
  }
  if (numClasses === undefined) fail(fn, numClassesArg, 'a positive integer for class-index labels', 'undefined');
  for (const [arg, t] of [
    ['labelsA', labelsA],
    ['labelsB', labelsB],
  ] as const) {
    const values = t.dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
        fail(fn, `${arg}[${i}]`, `an integer class index in [0, ${numClasses})`, describeValue(v));
      }
    }
  }
  return numClasses;
}

/** Dense float32 targets `[N, K]` from class indices or one-hot/soft labels (call inside a tidy). */
export function toDense(labels: Tensor, numClasses: number): Tensor2D {
  if (labels.rank === 2) return tf.cast(labels, 'float32') as Tensor2D;
  // Cast after oneHot: wasm's OneHot ignores a float32 dtype and writes int32 bits.
  return tf.cast(tf.oneHot(tf.cast(labels, 'int32'), numClasses), 'float32') as Tensor2D;
}

/**
 * Soft targets for a mixed batch: `λ·onehot(a) + (1−λ)·onehot(b)` per sample, optionally label-smoothed
 * (ε applied to both one-hots first, so rows still sum to 1). Use with a soft-target loss such as
 * `tf.losses.softmaxCrossEntropy(targets, logits)`; for CE the result equals {@link cutmixLoss}.
 *
 * @example
 * ```ts
 * const a = tf.tensor1d([3, 7], 'int32');
 * const b = tf.tensor1d([7, 1], 'int32');
 * const targets = mixTargets(a, b, Float32Array.of(0.75, 0.5), { numClasses: 10, labelSmoothing: 0.1 });
 * // row 0: 0.75·smooth(onehot(3)) + 0.25·smooth(onehot(7)); every row sums to 1
 * ```
 * @param labelsA Original labels: int class indices `[N]` or float one-hot/soft `[N, K]`.
 * @param labelsB Partner labels, same shape and kind.
 * @param lam λ for all samples, or one per sample (each in [0, 1]).
 * @param options `numClasses` (required for class indices) and `labelSmoothing`.
 * @returns float32 `[N, K]`; each row sums to 1 for one-hot inputs.
 */
export function mixTargets(
  labelsA: Tensor,
  labelsB: Tensor,
  lam: number | Float32Array,
  options: MixTargetsOptions = {},
): Tensor2D {
  const fn = 'mixTargets';
  assertOptions(fn, 'options', options, ['numClasses', 'labelSmoothing']);
  const eps = options.labelSmoothing === undefined ? 0 : options.labelSmoothing;
  assertInRange(fn, 'options.labelSmoothing', eps, 0, 1);
  const k = checkLabelPair(fn, labelsA, labelsB, options.numClasses, 'options.numClasses');
  const n = labelsA.shape[0];
  const lams = readLam(fn, 'lam', lam, n);
  return tf.tidy(() => {
    const smooth = (t: Tensor2D) => (eps > 0 ? tf.add(tf.mul(t, 1 - eps), eps / k) : t);
    const a = smooth(toDense(labelsA, k));
    const b = smooth(toDense(labelsB, k));
    const w = tf.tensor2d(lams, [n, 1]);
    return tf.add(tf.mul(a, w), tf.mul(b, tf.sub(1, w))) as Tensor2D;
  });
}

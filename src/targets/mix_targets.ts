import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { checkClassIndices } from '../common/batch.js';
import {
  assertInRange,
  assertPositiveInteger,
  assertTensor,
  copyNumbers,
  fail,
  failMust,
  readOptions,
} from '../common/validate.js';

/** Options of {@link mixTargets}. */
export interface MixTargetsOptions {
  /** Number of classes K; required for class-index labels, checked against K for `[N, K]` targets. */
  numClasses?: number;
  /** Label smoothing ε in [0, 1], applied to both targets before mixing (off = ε/K, on = 1 − ε + ε/K). */
  labelSmoothing?: number;
}

const MIX_TARGETS_KEYS = ['numClasses', 'labelSmoothing'] as const;

/**
 * Checks a pair of label tensors that go together: each class indices `[N]` (int32, or integer-valued
 * float32) or float32 targets `[N, K]`, the same shape, `n` rows when `n` is given.
 */
export function checkLabelPair(
  fn: string,
  labelsA: unknown,
  labelsB: unknown,
  n?: number,
  rowsOf = 'logits',
): asserts labelsA is Tensor {
  for (const [arg, t] of [
    ['labelsA', labelsA],
    ['labelsB', labelsB],
  ] as const) {
    assertTensor(fn, arg, t);
    if (t.rank !== 1 && t.rank !== 2) {
      fail(fn, arg, 'rank 1 (class indices [N]) or rank 2 (one-hot, soft or multi-hot [N, K])', `rank ${t.rank}`);
    }
    if (t.dtype !== 'int32' && t.dtype !== 'float32') fail(fn, `${arg}.dtype`, 'int32 or float32', t.dtype);
    if (t.rank === 2 && t.dtype !== 'float32')
      fail(fn, `${arg}.dtype`, 'float32 for targets [N, K] (cast with tf.cast)', t.dtype);
    if (n !== undefined && t.shape[0] !== n) failMust(fn, arg, `have ${n} rows to match ${rowsOf}`, String(t.shape[0]));
  }
  const [a, b] = [labelsA as Tensor, labelsB as Tensor];
  if (b.rank !== a.rank || b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[1]) {
    failMust(fn, 'labelsB', `have the shape of labelsA [${a.shape.join(',')}]`, `[${b.shape.join(',')}]`);
  }
}

/**
 * The number of classes K of checked labels: their second dim for targets `[N, K]` (`numClasses`, when
 * given, must agree), else `numClasses`, which class indices require; indices are checked to lie in
 * [0, K) where their values are readable without a GPU read (see `valuesReadable`).
 */
export function classCount(fn: string, labels: readonly Tensor[], numClasses: unknown, numClassesArg: string): number {
  if (numClasses !== undefined) assertPositiveInteger(fn, numClassesArg, numClasses);
  const first = labels[0];
  if (first.rank === 2) {
    const k = first.shape[1] as number;
    if (numClasses !== undefined && numClasses !== k)
      fail(fn, numClassesArg, `${k} to match the labels' second dim`, String(numClasses));
    if (k < 1) failMust(fn, 'labelsA', 'have at least one class column', '0');
    return k;
  }
  if (numClasses === undefined) fail(fn, numClassesArg, 'a positive integer for class-index labels', 'undefined');
  ['labelsA', 'labelsB'].forEach((arg, i) => labels[i] && checkClassIndices(fn, arg, labels[i], numClasses as number));
  return numClasses as number;
}

/** Per-sample λ given as one number or one per sample, copied once and checked to lie in [0, 1]. */
export function readLamValues(fn: string, arg: string, lam: unknown, n: number): Float32Array {
  if (typeof lam === 'number') {
    assertInRange(fn, arg, lam, 0, 1);
    return new Float32Array(n).fill(lam);
  }
  const values = copyNumbers(fn, arg, lam, 'a number in [0, 1] or a Float32Array of per-sample values');
  if (values.length !== n) fail(fn, `${arg}.length`, `${n} (one λ per sample)`, String(values.length));
  values.forEach((v, i) => assertInRange(fn, `${arg}[${i}]`, v, 0, 1));
  return Float32Array.from(values);
}

/** Dense float32 targets `[N, K]` from class indices or `[N, K]` targets (call inside a tidy). */
export function toDense(labels: Tensor, numClasses: number): Tensor2D {
  if (labels.rank === 2) return tf.cast(labels, 'float32') as Tensor2D;
  // Cast after oneHot: wasm's OneHot ignores a float32 dtype and writes int32 bits.
  return tf.cast(tf.oneHot(tf.cast(labels, 'int32'), numClasses), 'float32') as Tensor2D;
}

/** `λ·smooth(a) + (1−λ)·smooth(b)` per row, on checked arguments. */
export function blendTargets(labelsA: Tensor, labelsB: Tensor, lam: Float32Array, k: number, eps: number): Tensor2D {
  return tf.tidy(() => {
    const smooth = (t: Tensor2D) => (eps > 0 ? tf.add(tf.mul(t, 1 - eps), eps / k) : t);
    const a = smooth(toDense(labelsA, k));
    const b = smooth(toDense(labelsB, k));
    const w = tf.tensor2d(lam, [lam.length, 1]);
    return tf.add(tf.mul(a, w), tf.mul(b, tf.sub(1, w))) as Tensor2D;
  });
}

/**
 * Soft targets for a mixed batch: `λ·onehot(a) + (1−λ)·onehot(b)` per sample, optionally label-smoothed
 * (ε applied to both first, so one-hot rows still sum to 1). Multi-hot targets `[N, K]` (multi-label)
 * mix the same way; their rows need not sum to 1. Use with a soft-target loss such as
 * `tf.losses.softmaxCrossEntropy(targets, logits)`; for CE the result equals {@link cutmixLoss}'s.
 *
 * Class indices are checked to lie in [0, K) on the cpu, wasm and tensorflow backends; on webgl and webgpu
 * they are not read back (a read would stall the GPU in every step) unless tfjs's `DEBUG` flag is on.
 *
 * @example
 * ```ts
 * const a = tf.tensor1d([3, 7], 'int32');
 * const b = tf.tensor1d([7, 1], 'int32');
 * const targets = mixTargets(a, b, Float32Array.of(0.75, 0.5), { numClasses: 10, labelSmoothing: 0.1 });
 * // row 0: 0.75·smooth(onehot(3)) + 0.25·smooth(onehot(7)); every row sums to 1
 * ```
 * @param labelsA Original labels: int32 class indices `[N]` or float32 one-hot/soft/multi-hot `[N, K]`.
 * @param labelsB Partner labels, same shape and kind.
 * @param lam λ for all samples, or one per sample (each in [0, 1]).
 * @param options `numClasses` (required for class indices) and `labelSmoothing`.
 * @returns float32 `[N, K]`.
 */
export function mixTargets(
  labelsA: Tensor,
  labelsB: Tensor,
  lam: number | Float32Array | readonly number[],
  options?: MixTargetsOptions,
): Tensor2D {
  const fn = 'mixTargets';
  const o = readOptions(fn, 'options', options, MIX_TARGETS_KEYS);
  const eps = o.labelSmoothing === undefined ? 0 : o.labelSmoothing;
  assertInRange(fn, 'options.labelSmoothing', eps, 0, 1);
  checkLabelPair(fn, labelsA, labelsB);
  const k = classCount(fn, [labelsA, labelsB], o.numClasses, 'options.numClasses');
  const lams = readLamValues(fn, 'lam', lam, labelsA.shape[0]);
  return blendTargets(labelsA, labelsB, lams, k, eps);
}

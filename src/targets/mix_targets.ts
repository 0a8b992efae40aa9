import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { assertInRange, readOptions } from '../common/validate.js';
import { checkLabelPair, classCount, readLamValues } from './labels.js';

/** Options of {@link mixTargets}. */
export interface MixTargetsOptions {
  /** Number of classes K; required for class-index labels, checked against K for `[N, K]` targets. */
  numClasses?: number;
  /** Label smoothing ε in [0, 1], applied to both targets before mixing (off = ε/K, on = 1 − ε + ε/K). */
  labelSmoothing?: number;
}

const MIX_TARGETS_KEYS = ['numClasses', 'labelSmoothing'] as const;

/** Dense float32 targets `[N, K]` from class indices or `[N, K]` targets (call inside a tidy). */
export function toDense(labels: Tensor, numClasses: number): Tensor2D {
  if (labels.rank === 2) return tf.cast(labels, 'float32') as Tensor2D;
  // Cast after oneHot: wasm's OneHot ignores a float32 dtype and writes int32 bits.
  return tf.cast(tf.oneHot(tf.cast(labels, 'int32'), numClasses), 'float32') as Tensor2D;
}

/** Dense targets `[N, K]` with label smoothing ε: `t·(1−ε) + ε/K` (call inside a tidy). */
export function smoothedTargets(labels: Tensor, k: number, eps: number): Tensor2D {
  const dense = toDense(labels, k);
  return eps > 0 ? (tf.add(tf.mul(dense, 1 - eps), eps / k) as Tensor2D) : dense;
}

/** `λ·smooth(a) + (1−λ)·smooth(b)` per row, on checked arguments. */
export function blendTargets(labelsA: Tensor, labelsB: Tensor, lam: Float32Array, k: number, eps: number): Tensor2D {
  return tf.tidy(() => {
    const a = smoothedTargets(labelsA, k, eps);
    const b = smoothedTargets(labelsB, k, eps);
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
  checkLabelPair(fn, labelsA, labelsB, { indexValues: false });
  const k = classCount(fn, [labelsA, labelsB], o.numClasses, 'options.numClasses');
  const lams = readLamValues(fn, 'lam', lam, labelsA.shape[0]);
  return blendTargets(labelsA, labelsB, lams, k, eps);
}

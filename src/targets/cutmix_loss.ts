import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { checkLogits, softmaxCrossEntropy, type PerSampleLoss } from './losses.js';
import { checkLabelPair, classCount, readLamValues } from './mix_targets.js';
import { assertFunction, describeValue, fail, failMust } from '../common/validate.js';

/**
 * `mean_i [ λᵢ·L(aᵢ) + (1−λᵢ)·L(bᵢ) ]` on checked arguments; `fn` names the caller for a bad `lossFn`
 * result. `lossFn` undefined: softmax cross-entropy.
 */
export function weightedLoss(
  fn: string,
  logits: Tensor2D,
  labelsA: Tensor,
  labelsB: Tensor,
  lam: Float32Array,
  lossFn: PerSampleLoss | undefined,
): Scalar {
  const n = logits.shape[0];
  const loss = lossFn ?? softmaxCrossEntropy;
  return tf.tidy(() => {
    const lossA = loss(labelsA, logits);
    const lossB = loss(labelsB, logits);
    for (const l of [lossA, lossB]) {
      if (!(l instanceof tf.Tensor) || l.rank !== 1 || l.shape[0] !== n) {
        fail(fn, 'lossFn(labels, logits)', `a per-sample loss of shape [${n}]`, describeValue(l));
      }
    }
    const w = tf.tensor1d(lam);
    const perSample = tf.add(tf.mul(w, lossA), tf.mul(tf.sub(1, w), lossB));
    // An empty batch sums one appended zero: tfjs-backend-wasm's Sum of nothing returns whatever its
    // output memory held, and the loss stays connected to the logits for minimize.
    const summed = n === 0 ? tf.concat([perSample, tf.zeros([1])]) : perSample;
    return tf.div(tf.sum(summed), Math.max(n, 1)) as Scalar;
  });
}

/**
 * The CutMix loss: `mean_i [ λᵢ·L(logitsᵢ, aᵢ) + (1−λᵢ)·L(logitsᵢ, bᵢ) ]`, weighted per sample before the
 * mean (weighting averaged losses is wrong when λ varies per sample). Differentiable with respect to
 * `logits`; usable inside `optimizer.minimize`. An empty batch gives 0. For multi-label targets pass
 * `sigmoidCrossEntropyPerSample` as `lossFn`.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers'; // registers the gradients minimize needs
 * const rng = seededRng(0);
 * optimizer.minimize(() => {
 *   const mixed = cutmixBatch(xs, ys, { rng }); // xs [N, C, H, W], ys int32 [N]
 *   return cutmixLoss(model.predict(mixed.images) as tf.Tensor2D, mixed.labelsA, mixed.labelsB, mixed.lam);
 * });
 * ```
 * @param logits float32 `[N, K]`, unnormalised scores.
 * @param labelsA Original labels: int32 class indices `[N]` or float32 one-hot/soft/multi-hot `[N, K]`.
 * @param labelsB Partner labels, same shape and kind.
 * @param lam λ for all samples, or one per sample (each in [0, 1]).
 * @param lossFn Per-sample loss returning `[N]`. Default softmax cross-entropy.
 * @returns A scalar.
 */
export function cutmixLoss(
  logits: Tensor2D,
  labelsA: Tensor,
  labelsB: Tensor,
  lam: number | Float32Array | readonly number[],
  lossFn?: PerSampleLoss,
): Scalar {
  const fn = 'cutmixLoss';
  checkLogits(fn, logits);
  const [n, k] = logits.shape;
  checkLabelPair(fn, labelsA, labelsB, n);
  if (labelsA.rank === 2 && labelsA.shape[1] !== k) {
    failMust(fn, 'labelsA', `have ${k} columns to match logits`, String(labelsA.shape[1]));
  }
  classCount(fn, [labelsA, labelsB], labelsA.rank === 2 ? undefined : k, 'logits.shape[1]');
  const lams = readLamValues(fn, 'lam', lam, n);
  if (lossFn !== undefined) assertFunction(fn, 'lossFn', lossFn);
  return weightedLoss(fn, logits, labelsA, labelsB, lams, lossFn);
}

import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { describeValue, fail } from '../common/validate.js';
import { softmaxCrossEntropy, type PerSampleLoss } from './losses.js';
import { blendTargets } from './mix_targets.js';

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
  return tf.tidy(() => {
    const perSample =
      lossFn === undefined
        ? mixedCrossEntropy(logits, labelsA, labelsB, lam)
        : weighted(fn, logits, labelsA, labelsB, lam, lossFn);
    // An empty batch sums one appended zero: tfjs-backend-wasm's Sum of nothing returns whatever its
    // output memory held, and the loss stays connected to the logits for minimize.
    const summed = n === 0 ? tf.concat([perSample, tf.zeros([1])]) : perSample;
    return tf.div(tf.sum(summed), Math.max(n, 1)) as Scalar;
  });
}

/**
 * Softmax cross-entropy is linear in its target, so `λ·CE(a) + (1−λ)·CE(b)` is the cross-entropy of the
 * mixed target `λ·a + (1−λ)·b`: one log-softmax (and one in the gradient) instead of two (call in a tidy).
 */
function mixedCrossEntropy(logits: Tensor2D, labelsA: Tensor, labelsB: Tensor, lam: Float32Array): Tensor {
  return softmaxCrossEntropy(blendTargets(labelsA, labelsB, lam, logits.shape[1], 0), logits);
}

/** `λ·L(a) + (1−λ)·L(b)` per sample for a caller's per-sample loss, its results checked (call in a tidy). */
function weighted(
  fn: string,
  logits: Tensor2D,
  labelsA: Tensor,
  labelsB: Tensor,
  lam: Float32Array,
  lossFn: PerSampleLoss,
): Tensor {
  const n = logits.shape[0];
  const [lossA, lossB] = [lossFn(labelsA, logits), lossFn(labelsB, logits)];
  for (const l of [lossA, lossB]) {
    if (!(l instanceof tf.Tensor) || l.rank !== 1 || l.shape[0] !== n) {
      fail(fn, 'lossFn(labels, logits)', `a per-sample loss of shape [${n}]`, describeValue(l));
    }
  }
  const w = tf.tensor1d(lam);
  return tf.add(tf.mul(w, lossA), tf.mul(tf.sub(1, w), lossB));
}

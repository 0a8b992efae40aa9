import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { describeValue, fail } from '../common/validate.js';
import { softmaxCrossEntropy, type PerSampleLoss } from './losses.js';

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

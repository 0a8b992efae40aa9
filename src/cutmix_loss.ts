import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { checkLabelPair, toDense } from './targets.js';
import { assertFunction, assertTensor, describeValue, fail, failMust, readLam } from './validate.js';

/** A per-sample loss: labels (as given to {@link cutmixLoss}) and logits `[N, K]` to losses `[N]`. */
export type PerSampleLoss = (labels: Tensor, logits: Tensor2D) => Tensor1D;

/**
 * Softmax cross-entropy per sample, `−Σₖ tₖ·log softmax(logits)ₖ`, for class indices `[N]` or one-hot/soft
 * targets `[N, K]`. Unlike `tf.losses.softmaxCrossEntropy` it does not reduce, so weights can be applied
 * per sample before averaging.
 *
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 0, -1], [0.5, 0.5, 3]]);
 * const losses = softmaxCrossEntropyPerSample(tf.tensor1d([0, 2], 'int32'), logits); // shape [2]
 * ```
 * @param labels int class indices `[N]` (values in [0, K)) or float targets `[N, K]`.
 * @param logits float32 `[N, K]`.
 */
export function softmaxCrossEntropyPerSample(labels: Tensor, logits: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const targets = toDense(labels, logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1)) as Tensor1D;
  });
}

/**
 * The CutMix loss: `mean_i [ λᵢ·L(logitsᵢ, aᵢ) + (1−λᵢ)·L(logitsᵢ, bᵢ) ]`, weighted per sample before the
 * mean (weighting averaged losses is wrong when λ varies per sample). Differentiable with respect to
 * `logits`; usable inside `optimizer.minimize`. An empty batch gives 0.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-layers'; // registers the gradients minimize needs
 * const rng = seededRng(0);
 * optimizer.minimize(() => {
 *   const mixed = cutmixBatch(xs, ys, { rng }); // xs [N, C, H, W], ys int32 [N]
 *   const loss = cutmixLoss(model.predict(mixed.images) as tf.Tensor2D, mixed.labelsA, mixed.labelsB, mixed.lam);
 *   return loss;
 * });
 * ```
 * @param logits float32 `[N, K]`, unnormalised scores.
 * @param labelsA Original labels: int class indices `[N]` or float one-hot/soft `[N, K]`.
 * @param labelsB Partner labels, same shape and kind.
 * @param lam λ for all samples, or one per sample (each in [0, 1]).
 * @param lossFn Per-sample loss returning `[N]`. Default {@link softmaxCrossEntropyPerSample}.
 * @returns A scalar.
 */
export function cutmixLoss(
  logits: Tensor2D,
  labelsA: Tensor,
  labelsB: Tensor,
  lam: number | Float32Array,
  lossFn: PerSampleLoss = softmaxCrossEntropyPerSample,
): Scalar {
  const fn = 'cutmixLoss';
  assertTensor(fn, 'logits', logits);
  if (logits.rank !== 2) fail(fn, 'logits', 'rank 2 ([N, K])', `rank ${logits.rank}`);
  if (logits.dtype !== 'float32') fail(fn, 'logits.dtype', 'float32', logits.dtype);
  const [n, k] = logits.shape;
  checkLabelPair(
    fn,
    labelsA,
    labelsB,
    labelsA instanceof tf.Tensor && labelsA.rank === 2 ? undefined : k,
    'logits.shape[1]',
    n,
  );
  if (labelsA.rank === 2 && labelsA.shape[1] !== k) {
    failMust(fn, 'labelsA', `have ${k} columns to match logits`, String(labelsA.shape[1]));
  }
  const lams = readLam(fn, 'lam', lam, n);
  assertFunction(fn, 'lossFn', lossFn);
  return tf.tidy(() => {
    const lossA = lossFn(labelsA, logits);
    const lossB = lossFn(labelsB, logits);
    for (const loss of [lossA, lossB]) {
      if (!(loss instanceof tf.Tensor) || loss.rank !== 1 || loss.shape[0] !== n) {
        fail(fn, 'lossFn(labels, logits)', `a per-sample loss of shape [${n}]`, describeValue(loss));
      }
    }
    const w = tf.tensor1d(lams);
    const perSample = tf.add(tf.mul(w, lossA), tf.mul(tf.sub(1, w), lossB));
    return tf.div(tf.sum(perSample), Math.max(n, 1)) as Scalar;
  });
}

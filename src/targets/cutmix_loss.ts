import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { assertSoftmaxColumns, checkLogits, type PerSampleLoss } from './losses.js';
import { weightedLoss } from './weighted_loss.js';
import { checkLabelPair, classCount, readLamValues } from './labels.js';
import { assertFunction } from '../common/validate.js';

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
  checkLabelPair(fn, labelsA, labelsB, { rows: { n, of: 'logits' }, columns: { k, of: 'logits' }, indexValues: false });
  classCount(fn, [labelsA, labelsB], labelsA.rank === 2 ? undefined : k, 'logits.shape[1]');
  const lams = readLamValues(fn, 'lam', lam, n);
  if (lossFn !== undefined) assertFunction(fn, 'lossFn', lossFn);
  else assertSoftmaxColumns(fn, k);
  return weightedLoss(fn, logits, labelsA, labelsB, lams, lossFn);
}

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor3D, Tensor4D, Tensor5D } from '@tensorflow/tfjs-core';
import type { DtypeRule } from '../common/batch.js';
import type { AnyBox, Box, Box1D, Box3D } from '../plan/box.js';
import { ARG_NAMES, checkMix, runMix, type CheckedMix, type CutMixResult } from './runner.js';
import { MIXUP_OPTION_KEYS, resolveMixOptions, type MixSettings, type MixUpOptions } from '../plan/options.js';
import type { CutMixPlan } from '../plan/plan.js';
import { readOptions } from '../common/validate.js';

/** float32 only: a blend of integer values is not an integer. */
export const MIXUP_DTYPES: DtypeRule = {
  dtypes: ['float32'],
  expected: 'float32 (MixUp blends pixel values; cast integer images with tf.cast first)',
};

/**
 * `λᵢ·xᵢ + (1−λᵢ)·x_partner(i)` for every sample in one broadcast multiply-add; a sample that is not mixed
 * (λ = 1, or paired with itself) is its input's exact bytes, not a blend that would turn `-0` into `+0` or
 * `Infinity` into NaN (0·∞).
 */
export function blend(x: Tensor, plan: CutMixPlan<AnyBox>): Tensor {
  const { lam, partners } = plan;
  const n = lam.length;
  const unmixed = Uint8Array.from(lam, (l, i) => (l === 1 || partners[i] === i ? 1 : 0));
  if (unmixed.every((u) => u === 1)) return tf.clone(x);
  return tf.tidy(() => {
    const perSample = [n, ...new Array<number>(x.rank - 1).fill(1)];
    const own = tf.tensor(lam, perSample);
    const other = tf.tensor(
      lam.map((l) => 1 - l),
      perSample,
    );
    const mixed = tf.add(tf.mul(x, own), tf.mul(tf.gather(x, tf.tensor1d(partners, 'int32')), other));
    if (unmixed.every((u) => u === 0)) return mixed;
    return tf.where(tf.tensor(unmixed, perSample, 'bool'), x, mixed);
  });
}

/** MixUp on checked settings; the adapters call it under their own names. */
export function runMixup(s: MixSettings, images: Tensor, labels: Tensor, checked: CheckedMix): CutMixResult<AnyBox> {
  return runMix(s, images, labels, checked, false, (plan) => blend(images, plan));
}

/**
 * MixUp on a batch (Zhang et al. 2018): each sample becomes `λᵢ·xᵢ + (1−λᵢ)·x_partner(i)`, and λᵢ weights
 * its label against the partner's, exactly as in `cutmixBatch`. It shares CutMix's options (λ ~
 * Beta(α, α), `prob`, `mode`, `partner`, injected `lam`/`partners`) and its result, so `cutmixLoss` and
 * `mixTargets` serve both; batches of rank 3–5 alike. Its boxes are all empty: MixUp replaces no region,
 * λ alone says how much of each sample is its own. A sample that is not mixed keeps its exact bytes.
 *
 * @example
 * ```ts
 * const { images, labelsA, labelsB, lam } = mixupBatch(xs, ys, { alpha: 0.4, seed: 42 });
 * const loss = cutmixLoss(logits, labelsA, labelsB, lam);
 * tf.dispose([images, labelsA, labelsB]);
 * ```
 * @param images `[N, C, H, W]` (or NHWC, or rank 3/5 as in `cutmixBatch`), float32 only (cast integer
 *   images with `tf.cast` first).
 * @param labels int32 class indices `[N]`, or float32 one-hot/soft/multi-hot targets `[N, K]`.
 * @param options See {@link MixUpOptions}.
 * @returns New tensors (owned by the caller) and the λ, (empty) boxes and partners used.
 */
export function mixupBatch(images: Tensor4D, labels: Tensor, options?: MixUpOptions): CutMixResult<Box>;
export function mixupBatch(images: Tensor3D, labels: Tensor, options?: MixUpOptions): CutMixResult<Box1D>;
export function mixupBatch(images: Tensor5D, labels: Tensor, options?: MixUpOptions): CutMixResult<Box3D>;
export function mixupBatch(images: Tensor, labels: Tensor, options?: MixUpOptions): CutMixResult<AnyBox>;
export function mixupBatch(images: Tensor, labels: Tensor, options?: MixUpOptions): CutMixResult<AnyBox> {
  const fn = 'mixupBatch';
  const s = resolveMixOptions(fn, readOptions(fn, 'options', options, MIXUP_OPTION_KEYS));
  return runMixup(s, images, labels, checkMix(s, images, labels, ARG_NAMES, MIXUP_DTYPES));
}

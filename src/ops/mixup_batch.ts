import type { Tensor } from '@tensorflow/tfjs-core';
import { MIXUP_OPTION_KEYS, resolveMixOptions, type MixUpOptions } from '../plan/options.js';
import type { BoxOf, LabelsArg, ResultFor } from './result.js';
import { ARG_NAMES, checkMix, MIXUP_DTYPES, runMix } from './runner.js';
import { readOptions } from '../common/validate.js';

/** The images alone (no labels, default options): see the signature below. */
export function mixupBatch<T extends Tensor>(images: T): ResultFor<BoxOf<T>, undefined>;
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
 * @param labels int32 class indices `[N]`, or float32 one-hot/soft/multi-hot targets `[N, K]`, or `undefined`/`null` (or omitted) to mix the images alone.
 * @param options See {@link MixUpOptions}.
 * @returns New tensors (owned by the caller) and the λ, (empty) boxes and partners used.
 */
export function mixupBatch<T extends Tensor, L extends LabelsArg>(
  images: T,
  labels: L,
  options?: MixUpOptions,
): ResultFor<BoxOf<T>, L>;
// Labels are required in the signature with labels, as in `cutmixBatch` (so `Tensor | undefined` stays so).
export function mixupBatch(images: Tensor, labels?: LabelsArg, options?: MixUpOptions): unknown {
  const fn = 'mixupBatch';
  const s = resolveMixOptions(fn, readOptions(fn, 'options', options, MIXUP_OPTION_KEYS));
  const checked = checkMix(s, images, labels, ARG_NAMES, MIXUP_DTYPES);
  return runMix(s, images, checked, 'mixup');
}

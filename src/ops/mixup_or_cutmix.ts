import type { Tensor } from '@tensorflow/tfjs-core';
import { assertInRange, readOptions } from '../common/validate.js';
import type { AnyBox, Box } from '../plan/box.js';
import { rejectConflicts } from '../plan/conflicts.js';
import { CUTMIX_OPTION_KEYS, resolveMixOptions, type CutMixOptions } from '../plan/options.js';
import { assertAlpha } from '../plan/sample_lambda.js';
import type { BoxOf, LabelsArg, ResultFor } from './result.js';
import { ARG_NAMES, checkMix, IMAGE_DTYPES, MIXUP_DTYPES, runMix } from './runner.js';

/**
 * Options of {@link mixupOrCutmix}. MixUp and CutMix each get their own α (one shared α is how torchvision's
 * reference script came to feed MixUp's α to CutMix, pytorch/vision#8440), so a plain `alpha` is rejected.
 */
export interface MixUpOrCutMixOptions extends Omit<CutMixOptions, 'alpha' | 'lam' | 'box'> {
  /** Chance, per batch, of CutMix rather than MixUp (timm's `switch_prob`). Default 0.5. */
  switchProb?: number;
  /** Beta(α, α) concentration for MixUp's λ, finite and > 0. Default 1. */
  mixupAlpha?: number;
  /** Beta(α, α) concentration for CutMix's λ, finite and > 0. Default 1. */
  cutmixAlpha?: number;
}

/** The result of {@link mixupOrCutmix}: the chosen op's result and which op it was. */
export type MixUpOrCutMixResult<B extends AnyBox = Box, L = Tensor> = ResultFor<B, L> & {
  /** Which op mixed this batch. MixUp's `boxes` are all empty. */
  method: 'mixup' | 'cutmix';
};

const OWN_KEYS = ['switchProb', 'mixupAlpha', 'cutmixAlpha'];
const MIXUP_OR_CUTMIX_OPTION_KEYS = [
  ...CUTMIX_OPTION_KEYS.filter((k) => !['alpha', 'lam', 'box'].includes(k)),
  ...OWN_KEYS,
];

/** The images alone (no labels, default options): see the signature below. */
export function mixupOrCutmix<T extends Tensor>(images: T): MixUpOrCutMixResult<BoxOf<T>, undefined>;
/**
 * MixUp or CutMix, chosen per batch (timm's `Mixup` with both enabled, torchvision's `RandomChoice`):
 * one draw picks CutMix with chance `switchProb`, else MixUp; the chosen op then draws its own λ and
 * partners from the same generator. The result has `cutmixBatch`'s shape plus `method`, so `cutmixLoss`
 * and `mixTargets` serve both. Every option and argument is checked before the switch is drawn, so a bad
 * one fails on every call and a failing call consumes no draw; for the same reason int32 images are
 * rejected whenever MixUp can be picked (`switchProb < 1`). In `'elem'` mode the chosen op draws per sample.
 *
 * @example
 * ```ts
 * const rng = seededRng(42);
 * const { images, labelsA, labelsB, lam, method } = mixupOrCutmix(xs, ys, { rng, mixupAlpha: 0.8, cutmixAlpha: 1 });
 * const loss = cutmixLoss(logits, labelsA, labelsB, lam);
 * ```
 * @param images A batch of rank 3–5 as in `cutmixBatch`; float32 (int32 only when `switchProb` is 1).
 * @param labels int32 class indices `[N]`, or float32 targets `[N, K]`, or `undefined`/`null` (or omitted) to mix the images alone.
 * @param options See {@link MixUpOrCutMixOptions}.
 * @returns The chosen op's result (new tensors owned by the caller) and `method`.
 */
export function mixupOrCutmix<T extends Tensor, L extends LabelsArg>(
  images: T,
  labels: L,
  options?: MixUpOrCutMixOptions,
): MixUpOrCutMixResult<BoxOf<T>, L>;
// Labels are required in the signature with labels, as in `cutmixBatch` (so `Tensor | undefined` stays so).
export function mixupOrCutmix(images: Tensor, labels?: LabelsArg, options?: MixUpOrCutMixOptions): unknown {
  const fn = 'mixupOrCutmix';
  const read = readOptions(fn, 'options', options, MIXUP_OR_CUTMIX_OPTION_KEYS);
  const { switchProb = 0.5, mixupAlpha = 1, cutmixAlpha, ...shared } = read;
  assertInRange(fn, 'options.switchProb', switchProb, 0, 1);
  assertAlpha(fn, 'options.mixupAlpha', mixupAlpha);
  if (cutmixAlpha !== undefined) assertAlpha(fn, 'options.cutmixAlpha', cutmixAlpha);
  // Before cutmixAlpha becomes CutMix's alpha below, so that a conflict names the option the user gave.
  rejectConflicts(fn, read);
  // One stream for the switch and the chosen op.
  const cutmix = resolveMixOptions(fn, cutmixAlpha === undefined ? shared : { ...shared, alpha: cutmixAlpha });
  const mixup = { ...cutmix, alpha: mixupAlpha };
  const checked = checkMix(cutmix, images, labels, ARG_NAMES, switchProb < 1 ? MIXUP_DTYPES : IMAGE_DTYPES);
  const result =
    cutmix.draw() < switchProb
      ? { ...runMix(cutmix, images, checked, 'cutmix'), method: 'cutmix' as const }
      : { ...runMix(mixup, images, checked, 'mixup'), method: 'mixup' as const };
  return result;
}

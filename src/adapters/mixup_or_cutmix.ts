import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { cutmixBatchAs, resolveOptions, type CutMixOptions, type CutMixResult } from '../cutmix_batch.js';
import { imageDims } from '../layout.js';
import { assertFloatImages, mixupBatchAs } from '../mixup_batch.js';
import { draw } from '../rng.js';
import { assertImages, assertInRange, assertLabels, assertOptions, describeValue, fail } from '../validate.js';

/**
 * Options of {@link mixupOrCutmix}. MixUp and CutMix each get their own α (one shared α is how torchvision's
 * reference script came to feed MixUp's α to CutMix, pytorch/vision#8440), so a plain `alpha` is rejected.
 */
export interface MixUpOrCutMixOptions extends Pick<
  CutMixOptions,
  'rng' | 'seed' | 'mode' | 'partner' | 'partners' | 'prob' | 'dataFormat' | 'placement' | 'ratioMinMax'
> {
  /** Chance, per batch, of CutMix rather than MixUp (timm's `switch_prob`). Default 0.5. */
  switchProb?: number;
  /** Beta(α, α) concentration for MixUp's λ, finite and > 0. Default 1. */
  mixupAlpha?: number;
  /** Beta(α, α) concentration for CutMix's λ, finite and > 0. Default 1. */
  cutmixAlpha?: number;
}

/** The result of {@link mixupOrCutmix}: the chosen op's result and which op it was. */
export interface MixUpOrCutMixResult extends CutMixResult {
  /** Which op mixed this batch. MixUp's `boxes` are all empty. */
  method: 'mixup' | 'cutmix';
}

export const MIXUP_OR_CUTMIX_OPTION_KEYS = [
  'switchProb',
  'mixupAlpha',
  'cutmixAlpha',
  'rng',
  'seed',
  'mode',
  'partner',
  'partners',
  'prob',
  'dataFormat',
  'placement',
  'ratioMinMax',
] as const;

function assertAlpha(fn: string, arg: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(fn, arg, 'a finite number > 0', describeValue(value));
  }
}

/**
 * MixUp or CutMix, chosen per batch (timm's `Mixup` with both enabled, torchvision's `RandomChoice`):
 * one draw picks CutMix with chance `switchProb`, else MixUp; the chosen op then draws its own λ and
 * partners from the same generator. The result has {@link cutmixBatch}'s shape plus `method`, so
 * {@link cutmixLoss} and {@link mixTargets} serve both. A thin composition of {@link cutmixBatch} and
 * {@link mixupBatch}: every option is checked before the switch is drawn, so a bad option fails on
 * every call, not only on the batches that happen to pick the op that reads it. For the same reason
 * int32 images are rejected whenever MixUp can be picked (`switchProb < 1`).
 *
 * The switch is per batch in both modes; in `'elem'` mode the chosen op draws per sample.
 *
 * @example
 * ```ts
 * const rng = seededRng(42);
 * const { images, labelsA, labelsB, lam, method } = mixupOrCutmix(xs, ys, { rng, mixupAlpha: 0.8, cutmixAlpha: 1 });
 * const loss = cutmixLoss(logits, labelsA, labelsB, lam);
 * ```
 * @param images `[N, C, H, W]` (or `[N, H, W, C]` with `dataFormat: 'NHWC'`); float32 (int32 only when
 *   `switchProb` is 1).
 * @param labels int32 class indices `[N]`, or float one-hot/soft targets `[N, K]`.
 * @param options See {@link MixUpOrCutMixOptions}.
 * @returns The chosen op's result (new tensors owned by the caller) and `method`.
 */
export function mixupOrCutmix(images: Tensor4D, labels: Tensor, options?: MixUpOrCutMixOptions): MixUpOrCutMixResult {
  const fn = 'mixupOrCutmix';
  assertOptions(fn, 'options', options, MIXUP_OR_CUTMIX_OPTION_KEYS);
  const { switchProb = 0.5, mixupAlpha = 1, cutmixAlpha = 1, seed, rng, ...shared } = options ?? {};
  assertInRange(fn, 'options.switchProb', switchProb, 0, 1);
  assertAlpha(fn, 'options.mixupAlpha', mixupAlpha);
  assertAlpha(fn, 'options.cutmixAlpha', cutmixAlpha);
  // One generator for the switch and the chosen op, made once (a seed gives a fresh stream per call).
  const r = resolveOptions(fn, { ...shared, seed, rng }, MIXUP_OR_CUTMIX_OPTION_KEYS);
  if (switchProb < 1) assertFloatImages(fn, 'images', images, r.dataFormat);
  else assertImages(fn, 'images', images, r.dataFormat);
  assertLabels(fn, 'labels', labels, imageDims(images.shape, r.dataFormat).n);

  if (draw(fn, r.rng) < switchProb) {
    return { ...cutmixBatchAs(fn, images, labels, { ...shared, alpha: cutmixAlpha, rng: r.rng }), method: 'cutmix' };
  }
  const { placement: _placement, ratioMinMax: _ratioMinMax, ...mixupShared } = shared;
  return { ...mixupBatchAs(fn, images, labels, { ...mixupShared, alpha: mixupAlpha, rng: r.rng }), method: 'mixup' };
}

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkBatch, type CheckedBatch, type DtypeRule } from '../common/batch.js';
import { fail, failMust } from '../common/validate.js';
import { pairLabels } from '../kernels/pair_labels.js';
import { paste } from '../kernels/paste.js';
import { kernelBoxes, type AnyBox } from '../plan/box.js';
import { checkInjected, type Injected } from '../plan/injected.js';
import type { MixSettings } from '../plan/options.js';
import { planMix, type CutMixPlan } from '../plan/plan.js';
import { checkLabels, type LabelRule } from '../targets/labels.js';
import { blend } from './blend.js';
import type { CutMixResult, MixedImages } from './result.js';

/**
 * The one runner every mixing op shares: `checkMix` judges a call before anything is drawn or allocated,
 * `runMix` plans it and builds its tensors.
 */

/** How a caller names its image and label arguments in messages (`element.xs` in the dataset adapter). */
export interface ArgNames {
  images: string;
  labels: string;
  /** Added to the message when rank-1 labels have other rows than the images (the dataset's `.batch` hint). */
  rank1RowsHint?: string;
}

export const ARG_NAMES: Readonly<ArgNames> = Object.freeze({ images: 'images', labels: 'labels' });

/** The dtypes a paste carries: it copies elements, whatever they hold. */
export const PASTE_DTYPES: DtypeRule = { dtypes: ['float32', 'int32', 'bool'], expected: 'float32, int32 or bool' };
/** The dtypes a mixing op takes as images (bool is for masks, through `applyCutmix`). */
export const IMAGE_DTYPES: DtypeRule = { dtypes: ['float32', 'int32'], expected: 'float32 or int32' };
/** float32 only: a blend of integer values is not an integer. */
export const MIXUP_DTYPES: DtypeRule = {
  dtypes: ['float32'],
  expected: 'float32 (MixUp blends pixel values; cast integer images with tf.cast first)',
};

/** How the images of a mixed batch are made from the plan: CutMix's paste or MixUp's blend. */
export type Method = 'cutmix' | 'mixup';

/** A checked call: the batch, its labels (if any), its injected values; nothing drawn or allocated yet. */
export interface CheckedMix {
  batch: CheckedBatch;
  /** The labels, or undefined when the call has none (`undefined` or `null` was passed). */
  labels: Tensor | undefined;
  injected: Injected;
}

/**
 * Checks the images, labels (when given; `labelRule` adds what the caller requires of them) and injected
 * values of a mixing call, in that order.
 */
export function checkMix(
  s: MixSettings,
  images: unknown,
  labels: unknown,
  names: ArgNames,
  dtypes: DtypeRule,
  labelRule: LabelRule = {},
): CheckedMix {
  const batch = checkBatch(s.fn, names.images, images, s.dataFormat, dtypes, s.channelsLastDefault, s.optionsArg);
  if (labels !== undefined && labels !== null) {
    const rows = { n: batch.n, of: names.images, rank1Hint: names.rank1RowsHint };
    checkLabels(s.fn, names.labels, labels, { ...labelRule, rows });
  }
  return { batch, labels: labels ?? undefined, injected: checkInjected(s, batch.n, batch.spatial) };
}

/**
 * Checks an extra batch that a plan will paste too (a mask, a depth map): the images' layout, a paste
 * dtype, and the images' batch size and spatial sizes.
 */
export function checkTarget(fn: string, arg: string, x: unknown, images: CheckedBatch, imagesArg: string): Tensor {
  const target = checkBatch(fn, arg, x, images.dataFormat, PASTE_DTYPES);
  if (target.n !== images.n) failMust(fn, arg, `have ${images.n} samples to match ${imagesArg}`, String(target.n));
  if (target.spatial.some((size, i) => size !== images.spatial[i])) {
    fail(
      fn,
      `${arg} spatial shape`,
      `[${images.spatial.join(', ')}] to match ${imagesArg}`,
      `[${target.spatial.join(', ')}]`,
    );
  }
  return x as Tensor;
}

/** Pastes one batch with a plan's boxes and partners (one kernel call). */
export function pasteWithPlan(
  x: Tensor,
  plan: Pick<CutMixPlan<AnyBox>, 'boxes' | 'partners'>,
  batch: CheckedBatch,
): Tensor {
  return paste(x, plan.partners, kernelBoxes(plan.boxes), batch.dataFormat);
}

/**
 * Plans a checked call and builds its tensors: the images pasted (CutMix) or blended (MixUp) with the
 * plan, and (when the call has labels) the labels and the partners' labels from one `pairLabels` call.
 * Everything is new and owned by the caller.
 */
export function runMix(s: MixSettings, images: Tensor, checked: CheckedMix, method: Method): MixResult {
  const plan = planMix(s, checked.batch.n, checked.batch.spatial, checked.injected, method === 'cutmix');
  const { labels } = checked;
  const tensors = tf.tidy(() => {
    // Labels before images: on cpu the mixed batch is then the call's last allocation, so nothing makes
    // V8 collect while that large array is young (docs/benchmarks.md).
    const pair = labels && pairLabels(labels, plan.partners);
    const mixed = method === 'cutmix' ? pasteWithPlan(images, plan, checked.batch) : blend(images, plan);
    return { images: mixed, ...(pair && { labelsA: pair[0], labelsB: pair[1] }) };
  });
  return { ...tensors, ...plan };
}

/** `runMix`'s result: labels present exactly when the checked call had them. */
export type MixResult = MixedImages<AnyBox> & Partial<Pick<CutMixResult<AnyBox>, 'labelsA' | 'labelsB'>>;

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor3D, Tensor4D, Tensor5D } from '@tensorflow/tfjs-core';
import { checkBatch, checkLabels, type CheckedBatch, type DtypeRule } from '../common/batch.js';
import { kernelBoxes, type AnyBox, type Box, type Box3D } from '../plan/box.js';
import { paste } from '../kernels/paste.js';
import { pairLabels } from '../kernels/pair_labels.js';
import { checkInjected, type Injected } from '../plan/injected.js';
import type { MixSettings } from '../plan/options.js';
import { planMix, type CutMixPlan } from '../plan/plan.js';
import { fail, failMust } from '../common/validate.js';

/** The batch tensor type that goes with a box type: rank 3 for 1-D cuts, 4 for 2-D, 5 for 3-D. */
export type BatchOf<B extends AnyBox> = [B] extends [Box3D]
  ? Tensor5D
  : [B] extends [Box]
    ? Tensor4D
    : (B extends Box ? true : false) extends false
      ? Tensor3D
      : Tensor;

/** What a mixing op returns: the plan it used and new tensors, all owned by the caller. */
export interface CutMixResult<B extends AnyBox = Box> extends CutMixPlan<B> {
  /** The mixed batch: same shape, layout and dtype as the input. */
  images: BatchOf<B>;
  /** The input labels (a clone: disposing it never disposes the input). */
  labelsA: Tensor;
  /** The partners' labels: `labels` gathered by `partners`. */
  labelsB: Tensor;
}

/** How a caller names its image and label arguments in messages (`element.xs` in the dataset adapter). */
export interface ArgNames {
  images: string;
  labels: string;
}

export const ARG_NAMES: Readonly<ArgNames> = Object.freeze({ images: 'images', labels: 'labels' });

/** The dtypes a paste carries: it copies elements, whatever they hold. */
export const PASTE_DTYPES: DtypeRule = { dtypes: ['float32', 'int32', 'bool'], expected: 'float32, int32 or bool' };
/** The dtypes a mixing op takes as images (bool is for masks, through `applyCutmix`). */
export const IMAGE_DTYPES: DtypeRule = { dtypes: ['float32', 'int32'], expected: 'float32 or int32' };

/** A checked call: the batch, its injected values, nothing drawn and nothing allocated yet. */
export interface CheckedMix {
  batch: CheckedBatch;
  injected: Injected;
}

/** Checks the images, labels and injected values of a mixing call, in that order. */
export function checkMix(
  s: MixSettings,
  images: unknown,
  labels: unknown,
  names: ArgNames,
  dtypes: DtypeRule,
): CheckedMix {
  const batch = checkBatch(s.fn, names.images, images, s.dataFormat, dtypes, s.channelsLastDefault);
  checkLabels(s.fn, names.labels, labels, batch.n, names.images);
  return { batch, injected: checkInjected(s, batch.n, batch.spatial) };
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
 * Plans a checked call and builds its tensors: `blend` makes the mixed images from the plan (CutMix's
 * paste, MixUp's blend); the labels and the partners' labels come from one `pairLabels` call. Everything
 * is new and owned by the caller.
 */
export function runMix(
  s: MixSettings,
  images: Tensor,
  labels: Tensor,
  checked: CheckedMix,
  cut: boolean,
  blend: (plan: CutMixPlan<AnyBox>) => Tensor,
): CutMixResult<AnyBox> {
  const plan = planMix(s, checked.batch.n, checked.batch.spatial, checked.injected, cut);
  const tensors = tf.tidy(() => {
    // Labels before images: on cpu the mixed batch is then the call's last allocation, so nothing makes
    // V8 collect while that large array is young (docs/benchmarks.md).
    const [labelsA, labelsB] = pairLabels(labels, plan.partners);
    return { images: blend(plan), labelsA, labelsB };
  });
  return { ...tensors, ...plan };
}

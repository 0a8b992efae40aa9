import type { Tensor, Tensor3D, Tensor4D, Tensor5D } from '@tensorflow/tfjs-core';
import { checkBatch } from '../common/batch.js';
import { checkBox, copyBox } from '../plan/box.js';
import { DATA_FORMAT_OPTIONS, type DataFormatOption } from '../common/layout.js';
import { PASTE_DTYPES, pasteWithPlan } from './runner.js';
import type { PlanBoxes } from '../plan/plan.js';
import { readPlanParts } from '../plan/read_plan.js';
import { assertOneOf, readOptions } from '../common/validate.js';

/** A new tensor of the same rank as `T` (a plain tensor, not a variable). */
export type SameRank<T extends Tensor> = T extends Tensor5D
  ? Tensor5D
  : T extends Tensor4D
    ? Tensor4D
    : T extends Tensor3D
      ? Tensor3D
      : Tensor;

/** Options of {@link applyCutmix}. */
export interface ApplyCutmixOptions {
  /**
   * Layout of `x`, or tfjs-layers' `'channelsFirst'`/`'channelsLast'`. Default: channels-first for its rank
   * (`'NCW'`, `'NCHW'`, `'NCDHW'`); a shape that reads far more plausibly as channels-last is refused.
   */
  dataFormat?: DataFormatOption;
}

/**
 * Pastes a plan's boxes into any batch that shares the images' batch and spatial sizes — segmentation masks
 * (`[N, H, W, 1]`, `[N, 1, H, W]`, one-hot `[N, H, W, K]`), depth or heat maps — so that every target of a
 * sample gets the same cut: for sample n, `x[partners[n]]` inside `boxes[n]` and `x[n]` outside, for every
 * channel. Byte for byte what {@link cutmixBatch} does to the images (the same kernel on every backend):
 * `cutmixBatch(images, labels, o).images` equals `applyCutmix(images, cutmixBatch(images, labels, o))`.
 * float32, int32 and bool (masks) are copied exactly.
 *
 * @example
 * ```ts
 * const mixed = cutmixBatch(images, labels, { seed: 7, dataFormat: 'NHWC' }); // images [N, H, W, 3]
 * const mixedMasks = applyCutmix(masks, mixed, { dataFormat: 'NHWC' });      // masks [N, H, W, 1]
 * // mixedMasks[n] is the true mask of mixed.images[n]
 * ```
 * @param x The batch to paste, rank 3–5 in `dataFormat`; float32, int32 or bool.
 * @param plan `{ boxes, partners }`, e.g. a `cutmixBatch` result; one box of x's spatial rank per sample.
 * @param options `dataFormat` of `x`.
 * @returns A new tensor, same shape and dtype as `x`, owned by the caller.
 */
export function applyCutmix<T extends Tensor>(x: T, plan: PlanBoxes, options?: ApplyCutmixOptions): SameRank<T> {
  const fn = 'applyCutmix';
  const o = readOptions(fn, 'options', options, ['dataFormat']);
  if (o.dataFormat !== undefined) assertOneOf(fn, 'options.dataFormat', o.dataFormat, DATA_FORMAT_OPTIONS);
  const batch = checkBatch(fn, 'x', x, o.dataFormat as DataFormatOption | undefined, PASTE_DTYPES);
  const { boxes, partners } = readPlanParts(fn, plan, batch.n);
  const checked = boxes.map((box, i) =>
    checkBox(fn, `plan.boxes[${i}]`, copyBox(fn, `plan.boxes[${i}]`, box), batch.spatial),
  );
  return pasteWithPlan(x, { boxes: checked, partners }, batch) as SameRank<T>;
}

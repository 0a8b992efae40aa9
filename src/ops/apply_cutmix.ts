import type { Tensor, Tensor3D, Tensor4D, Tensor5D } from '@tensorflow/tfjs-core';
import { checkBatch, type CheckedBatch } from '../common/batch.js';
import { checkBox, copyBox, fitBox } from '../plan/box.js';
import {
  batchDims,
  DATA_FORMAT_OPTIONS,
  defaultDataFormat,
  isChannelsLast,
  type DataFormatOption,
} from '../common/layout.js';
import { PASTE_DTYPES, pasteWithPlan } from './runner.js';
import type { PlanBoxes } from '../plan/plan.js';
import { readPlanParts } from '../plan/read_plan.js';
import { assertOneOf, fail, readOptions } from '../common/validate.js';

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
  const copies = boxes.map((box, i) => copyBox(fn, `plan.boxes[${i}]`, box));
  if (o.dataFormat === undefined) rejectOtherFamilyFit(fn, x.shape, batch, copies);
  const checked = copies.map((copy, i) => checkBox(fn, `plan.boxes[${i}]`, copy, batch.spatial));
  return pasteWithPlan(x, { boxes: checked, partners }, batch) as SameRank<T>;
}

/**
 * Refuses a defaulted layout when the plan's boxes do not fit it but fit the other family's reading of
 * the same shape: a one-hot mask `[N, H, W, K]` with K > 4 passes the shape rule of `checkBatch`, and its
 * boxes then say which layout the plan was made for.
 */
function rejectOtherFamilyFit(
  fn: string,
  shape: readonly number[],
  batch: CheckedBatch,
  copies: readonly Readonly<Record<string, unknown>>[],
): void {
  if (copies.every((copy) => fitBox(copy, batch.spatial) !== undefined)) return;
  const other = defaultDataFormat(shape.length, !isChannelsLast(batch.dataFormat));
  const spatial = batchDims(shape, other).spatial;
  if (!copies.every((copy) => fitBox(copy, spatial) !== undefined)) return;
  const family = isChannelsLast(other) ? 'channelsLast' : 'channelsFirst';
  fail(
    fn,
    'options.dataFormat',
    `given for x of shape [${shape.join(',')}]: plan.boxes fit its spatial sizes as '${other}' ` +
      `([${spatial.join(', ')}]), not as the default '${batch.dataFormat}' ([${batch.spatial.join(', ')}]); ` +
      `pass '${other}' (tfjs-layers' '${family}')`,
    'undefined',
  );
}

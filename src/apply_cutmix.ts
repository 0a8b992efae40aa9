import type { Tensor, Tensor3D, Tensor4D, Tensor5D } from '@tensorflow/tfjs-core';
import { checkBatch } from './batch.js';
import { checkBox, copyBox, type AnyBox } from './box.js';
import type { DataFormat } from './layout.js';
import { PASTE_DTYPES, pasteWithPlan } from './mix.js';
import { checkPartners } from './partners.js';
import type { CutMixPlan, PlanBoxes } from './plan.js';
import { assertOneOf, copyNumbers, describeValue, fail, readOptions } from './validate.js';
import { DATA_FORMATS } from './layout.js';

/** Options of {@link applyCutmix}. */
export interface ApplyCutmixOptions {
  /** Layout of `x`. Default: channels-first for its rank (`'NCW'`, `'NCHW'`, `'NCDHW'`). */
  dataFormat?: DataFormat;
}

/**
 * Reads a plan's boxes and partners once and checks them against a batch of `n` samples with spatial sizes
 * `spatial`: one box (of that rank, inside the batch) and one partner index in [0, n) per sample.
 */
export function readPlan(
  fn: string,
  plan: unknown,
  n: number,
  spatial: readonly number[],
): Pick<CutMixPlan<AnyBox>, 'boxes' | 'partners'> {
  if (plan === null || typeof plan !== 'object' || Array.isArray(plan))
    fail(fn, 'plan', 'a plan { boxes, partners }', describeValue(plan));
  const { boxes, partners } = plan as Record<string, unknown>;
  const partnerList = copyNumbers(fn, 'plan.partners', partners, 'an Int32Array or number[] of partner indices');
  if (!Array.isArray(boxes)) fail(fn, 'plan.boxes', 'an array of boxes', describeValue(boxes));
  const length = boxes.length;
  const copies = Array.from({ length }, (_, i) => copyBox(fn, `plan.boxes[${i}]`, boxes[i]));
  if (length !== n) fail(fn, 'plan.boxes.length', `${n} (one box per sample of x)`, String(length));
  return {
    boxes: copies.map((copy, i) => checkBox(fn, `plan.boxes[${i}]`, copy, spatial)),
    partners: checkPartners(fn, 'plan.partners', partnerList, n),
  };
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
export function applyCutmix<T extends Tensor3D | Tensor4D | Tensor5D | Tensor>(
  x: T,
  plan: PlanBoxes,
  options?: ApplyCutmixOptions,
): T {
  const fn = 'applyCutmix';
  const o = readOptions(fn, 'options', options, ['dataFormat']);
  if (o.dataFormat !== undefined) assertOneOf(fn, 'options.dataFormat', o.dataFormat, DATA_FORMATS);
  const batch = checkBatch(fn, 'x', x, o.dataFormat as DataFormat | undefined, PASTE_DTYPES);
  const checked = readPlan(fn, plan, batch.n, batch.spatial);
  return pasteWithPlan(x, checked, batch) as T;
}

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D, Tensor4D, TensorContainer, TensorContainerObject } from '@tensorflow/tfjs-core';
// Types only: the dataset brings its own `map`, so this module loads nothing from tfjs-data at run time.
import type { Dataset } from '@tensorflow/tfjs-data';
import { checkClassIndices } from '../targets/labels.js';
import { checkMix, checkTarget, IMAGE_DTYPES, pasteWithPlan, runMix } from '../ops/runner.js';
import { CUTMIX_OPTION_KEYS, INJECTED_KEYS, resolveMixOptions, type CutMixOptions } from '../plan/options.js';
import type { Box } from '../plan/box.js';
import { readBatchObjects, readMinVisible } from '../targets/read_objects.js';
import { moveObjects } from '../targets/cutmix_objects.js';
import { blendTargets } from '../targets/mix_targets.js';
import {
  assertInRange,
  assertPositiveInteger,
  describeValue,
  fail,
  failMust,
  readOptions,
} from '../common/validate.js';

/**
 * Options of {@link cutmixDataset}: the sampling options of `CutMixOptions` (not the per-batch injections
 * `lam`, `box` and `partners`), the target options of `mixTargets`, and the element keys to cut with the
 * images. The layout defaults to channels-last here (`'NHWC'` for images).
 */
export interface CutMixDatasetOptions extends Omit<CutMixOptions, 'lam' | 'box' | 'partners'> {
  /** Number of classes K; required when `ys` holds class indices `[N]`. */
  numClasses?: number;
  /** Label smoothing ε in [0, 1] applied to both targets before mixing. Default 0. */
  labelSmoothing?: number;
  /**
   * Keys of each element cut with the same plan as `xs`: tensors with the images' layout and sizes (masks,
   * depth maps) are pasted; arrays of per-sample object boxes are moved as `cutmixObjects` does. Other keys
   * pass through.
   */
  targets?: readonly string[];
  /** For object targets: the share of an object that must stay visible, as in `cutmixObjects`. Default 0.1. */
  minVisible?: number;
}

/** One batch of a dataset that {@link cutmixDataset} accepts (other keys pass through). */
export interface ImageBatch<X extends Tensor = Tensor> extends TensorContainerObject {
  /** Images `[N, H, W, C]` (or another layout given by `dataFormat`), float32 or int32. */
  xs: X;
  /** int32 class indices `[N]` or float32 one-hot/soft/multi-hot targets `[N, K]`. */
  ys: Tensor;
}

/** One batch {@link cutmixDataset} yields: mixed images and float32 soft targets `[N, K]`. */
export interface MixedBatch<X extends Tensor = Tensor4D> extends TensorContainerObject {
  /** The mixed images: same shape, layout and dtype as the input `xs`. */
  xs: X;
  /** float32 targets `[N, K]`, λ·a + (1−λ)·b per row. */
  ys: Tensor2D;
}

const DATASET_OPTION_KEYS = [
  ...CUTMIX_OPTION_KEYS.filter((k) => !INJECTED_KEYS.includes(k)),
  'numClasses',
  'labelSmoothing',
  'targets',
  'minVisible',
];

/**
 * CutMix for `model.fitDataset` (tfjs-layers): maps a **batched** tf.data dataset of `{ xs, ys }` to
 * `{ xs: mixed images, ys: mixed targets }`, the targets as `mixTargets` makes them (optional label
 * smoothing), ready for a `categoricalCrossentropy` (or, for multi-hot targets, `binaryCrossentropy`)
 * model. Keys named in `targets` (masks, depth maps) are cut with the same plan as `xs`; other keys of each
 * element pass through. Options are read once, here.
 *
 * The layout defaults to channels-last, tfjs-layers' (`'NHWC'` for images, `'NWC'` for signals). One
 * random stream serves the dataset's lifetime (`seed` → one `seededRng`), so every epoch draws new boxes
 * and a run repeats per seed. tf.data runs the map inside `tf.tidy` and disposes each input batch, so
 * nothing accumulates across epochs. Batch the dataset before mapping it: CutMix mixes within a batch.
 *
 * Imported from `tfjs-cutmix/data`, so the core entry point never references tfjs-data.
 *
 * @example
 * ```ts
 * import { cutmixDataset } from 'tfjs-cutmix/data';
 * const train = cutmixDataset(tf.data.zip({ xs: images, ys: labels }).batch(32), { numClasses: 10, seed: 42 });
 * await model.fitDataset(train, { epochs: 5 });
 * ```
 * @param dataset A batched `Dataset<{ xs, ys }>`.
 * @param options See {@link CutMixDatasetOptions}.
 * @returns A dataset of `{ xs: mixed images, ys: float32 [N, K] targets, …targets mixed, …others }`.
 */
export function cutmixDataset<X extends Tensor = Tensor4D>(
  dataset: Dataset<ImageBatch<X>>,
  options?: CutMixDatasetOptions,
): Dataset<MixedBatch<X>>;
/** A dataset typed only as tensor containers (what `tf.data.zip(…).batch(n)` gives). */
export function cutmixDataset(
  dataset: Dataset<TensorContainer>,
  options?: CutMixDatasetOptions,
): Dataset<MixedBatch<Tensor>>;
export function cutmixDataset<X extends Tensor = Tensor4D>(
  dataset: Dataset<ImageBatch<X>> | Dataset<TensorContainer>,
  options?: CutMixDatasetOptions,
): Dataset<MixedBatch<X>> {
  const fn = 'cutmixDataset';
  // An array has a map method too: it is the likeliest wrong argument, so it is named.
  if (
    dataset === null ||
    typeof dataset !== 'object' ||
    Array.isArray(dataset) ||
    typeof (dataset as { map?: unknown }).map !== 'function'
  ) {
    fail(fn, 'dataset', 'a tf.data.Dataset (an object with a map method)', describeValue(dataset));
  }
  const {
    numClasses,
    labelSmoothing = 0,
    targets = [],
    minVisible,
    ...sampling
  } = readOptions(fn, 'options', options, DATASET_OPTION_KEYS);
  const visible = readMinVisible({ minVisible }, fn);
  if (numClasses !== undefined) assertPositiveInteger(fn, 'options.numClasses', numClasses);
  assertInRange(fn, 'options.labelSmoothing', labelSmoothing, 0, 1);
  const targetKeys = readTargetKeys(fn, targets);
  const s = resolveMixOptions(fn, sampling, { channelsLastDefault: true });

  return (dataset as Dataset<ImageBatch<X>>).map((given: ImageBatch<X>): MixedBatch<X> => {
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      fail(fn, 'element', 'an object { xs, ys } (a batched dataset)', describeValue(given));
    }
    // Each key read once: what is checked is what is mixed and passed through.
    const element = { ...given } as ImageBatch<X>;
    const { xs, ys } = element;
    const checked = checkMix(s, xs, ys, { images: 'element.xs', labels: 'element.ys' }, IMAGE_DTYPES);
    const k = ys.rank === 2 ? (ys.shape[1] as number) : numClasses;
    if (k === undefined)
      fail(fn, 'options.numClasses', 'a positive integer when element.ys holds class indices [N]', 'undefined');
    if (ys.rank === 2 && numClasses !== undefined && numClasses !== k)
      fail(fn, 'options.numClasses', `${k} to match element.ys`, String(numClasses));
    if (ys.rank === 1) checkClassIndices(fn, 'element.ys', ys, k);
    const extras = targetKeys.map((key) => {
      const arg = `element.${key}`;
      const value = element[key];
      if (value === undefined) failMust(fn, arg, 'be present (it is named in options.targets)', 'undefined');
      if (Array.isArray(value)) return { key, objects: readBatchObjects(fn, arg, value, checked.batch) };
      return { key, tensor: checkTarget(fn, arg, value, checked.batch, 'element.xs') };
    });
    const mixed = runMix(s, xs, ys, checked, 'cutmix');
    // Inside tf.data's tidy: labelsA/labelsB and the inputs are released with it.
    const mixedTargets = Object.fromEntries(
      extras.map(({ key, tensor, objects }) => [
        key,
        tensor
          ? pasteWithPlan(tensor, mixed, checked.batch)
          : moveObjects(objects, mixed.boxes as Box[], mixed.partners, visible),
      ]),
    );
    const targetsOut = blendTargets(mixed.labelsA, mixed.labelsB, mixed.lam, k as number, labelSmoothing as number);
    tf.dispose([mixed.labelsA, mixed.labelsB]);
    return { ...element, ...mixedTargets, xs: mixed.images as X, ys: targetsOut };
  });
}

/** `options.targets`: an array of element keys other than `xs` and `ys`, copied once. */
function readTargetKeys(fn: string, value: unknown): string[] {
  if (!Array.isArray(value)) fail(fn, 'options.targets', 'an array of element keys', describeValue(value));
  const length = value.length;
  const keys = Array.from({ length }, (_, i): unknown => value[i]);
  keys.forEach((key, i) => {
    if (typeof key !== 'string' || key === 'xs' || key === 'ys')
      fail(fn, `options.targets[${i}]`, "an element key other than 'xs' and 'ys'", describeValue(key));
  });
  return keys as string[];
}

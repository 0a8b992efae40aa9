import type { Tensor, Tensor2D, TensorContainer, TensorContainerObject } from '@tensorflow/tfjs-core';
// Types only: the dataset brings its own `map`, so this module loads nothing from tfjs-data at run time.
import type { Dataset } from '@tensorflow/tfjs-data';
import { assertInRange, assertPositiveInteger, describeValue, fail, readOptions } from '../common/validate.js';
import { IMAGE_DTYPES } from '../ops/runner.js';
import { CUTMIX_OPTION_KEYS, INJECTED_KEYS, resolveMixOptions, type CutMixOptions } from '../plan/options.js';
import { readMinVisible } from '../targets/read_objects.js';
import { mixElement, type DatasetSettings } from './dataset_element.js';

/**
 * Options of {@link cutmixDataset}: the sampling options of `CutMixOptions` (not the per-batch injections
 * `lam`, `box` and `partners`), the label options of `mixTargets`, and the element keys to cut with the
 * images. The layout defaults to channels-last here (`'NHWC'` for images).
 */
export interface CutMixDatasetOptions extends Omit<CutMixOptions, 'lam' | 'box' | 'partners'> {
  /** Number of classes K; required when `ys` holds class indices `[N]`. */
  numClasses?: number;
  /** Label smoothing ε in [0, 1] applied to both labels before mixing. Default 0. */
  labelSmoothing?: number;
  /**
   * Keys of each element cut with the same plan as `xs`: tensors with the images' layout and sizes (masks,
   * depth maps) are pasted; arrays of per-sample object boxes are moved as `cutmixObjects` does. Other keys
   * pass through.
   */
  alsoCut?: readonly string[];
  /** For object boxes: the share of an object that must stay visible, as in `cutmixObjects`. Default 0.1. */
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
export interface MixedBatch<X extends Tensor = Tensor> extends TensorContainerObject {
  /** The mixed images: same shape, layout and dtype as the input `xs`. */
  xs: X;
  /** float32 targets `[N, K]`, λ·a + (1−λ)·b per row. */
  ys: Tensor2D;
}

const DATASET_OPTION_KEYS = [
  ...CUTMIX_OPTION_KEYS.filter((k) => !INJECTED_KEYS.includes(k)),
  'numClasses',
  'labelSmoothing',
  'alsoCut',
  'minVisible',
];

/**
 * CutMix for `model.fitDataset` (tfjs-layers): maps a **batched** tf.data dataset of `{ xs, ys }` to
 * `{ xs: mixed images, ys: mixed targets }`, the targets as `mixTargets` makes them (optional label
 * smoothing), ready for a `categoricalCrossentropy` (or, for multi-hot targets, `binaryCrossentropy`)
 * model. Keys named in `alsoCut` (masks, depth maps, object boxes) are cut with the same plan as `xs`;
 * other keys of each element pass through. An element without `ys` (a segmentation batch) yields none.
 * Options are read once, here.
 *
 * The layout defaults to channels-last, tfjs-layers' (`'NHWC'` for images, `'NWC'` for signals); a batch
 * that reads far more plausibly as channels-first is refused unless `dataFormat` says so. One random
 * stream serves the dataset's lifetime (`seed` → one `seededRng`), so every epoch draws new boxes and a run
 * repeats per seed. tf.data runs the map inside `tf.tidy` and disposes each input batch, so nothing
 * accumulates across epochs. Batch the dataset before mapping it: CutMix mixes within a batch. Validation
 * data with class indices needs the same targets: map it with `oneHotDataset`.
 *
 * Imported from `tfjs-cutmix/data`, so the core entry point never references tfjs-data.
 *
 * @example
 * ```ts
 * import { cutmixDataset, oneHotDataset } from 'tfjs-cutmix/data';
 * const train = cutmixDataset(tf.data.zip({ xs: images, ys: labels }).batch(32), { numClasses: 10, seed: 42 });
 * const val = oneHotDataset(tf.data.zip({ xs: valImages, ys: valLabels }).batch(32), { numClasses: 10 });
 * await model.fitDataset(train, { epochs: 5, validationData: val });
 * ```
 * @param dataset A batched `Dataset<{ xs, ys }>`.
 * @param options See {@link CutMixDatasetOptions}.
 * @returns A dataset of `{ xs: mixed images, ys: float32 [N, K] targets, …alsoCut mixed, …others }`.
 */
export function cutmixDataset<X extends Tensor = Tensor>(
  dataset: Dataset<ImageBatch<X>>,
  options?: CutMixDatasetOptions,
): Dataset<MixedBatch<X>>;
/** A dataset typed only as tensor containers (what `tf.data.zip(…).batch(n)` gives). */
export function cutmixDataset(
  dataset: Dataset<TensorContainer>,
  options?: CutMixDatasetOptions,
): Dataset<MixedBatch<Tensor>>;
export function cutmixDataset<X extends Tensor = Tensor>(
  dataset: Dataset<ImageBatch<X>> | Dataset<TensorContainer>,
  options?: CutMixDatasetOptions,
): Dataset<MixedBatch<X>> {
  const fn = 'cutmixDataset';
  assertDataset(fn, dataset);
  const {
    numClasses,
    labelSmoothing = 0,
    alsoCut = [],
    minVisible,
    ...sampling
  } = readOptions(fn, 'options', options, DATASET_OPTION_KEYS);
  const visible = readMinVisible({ minVisible }, fn);
  if (numClasses !== undefined) assertPositiveInteger(fn, 'options.numClasses', numClasses);
  assertInRange(fn, 'options.labelSmoothing', labelSmoothing, 0, 1);
  const settings: DatasetSettings = {
    fn,
    mix: resolveMixOptions(fn, sampling, { channelsLastDefault: true }),
    numClasses: numClasses as number | undefined,
    labelSmoothing,
    alsoCut: readKeys(fn, alsoCut),
    minVisible: visible,
    dtypes: IMAGE_DTYPES,
  };
  const mapped = (dataset as Dataset<TensorContainer>).map((element) => mixElement(settings, element));
  return mapped as unknown as Dataset<MixedBatch<X>>;
}

/** A tf.data dataset: an object with a `map` method (an array has one too: the likeliest wrong argument). */
export function assertDataset(fn: string, dataset: unknown): void {
  if (
    dataset === null ||
    typeof dataset !== 'object' ||
    Array.isArray(dataset) ||
    typeof (dataset as { map?: unknown }).map !== 'function'
  ) {
    fail(fn, 'dataset', 'a tf.data.Dataset (an object with a map method)', describeValue(dataset));
  }
}

/** `options.alsoCut`: an array of element keys other than `xs` and `ys`, copied once. */
function readKeys(fn: string, value: unknown): string[] {
  if (!Array.isArray(value)) fail(fn, 'options.alsoCut', 'an array of element keys', describeValue(value));
  const length = value.length;
  const keys = Array.from({ length }, (_, i): unknown => value[i]);
  keys.forEach((key, i) => {
    if (typeof key !== 'string' || key === 'xs' || key === 'ys')
      fail(fn, `options.alsoCut[${i}]`, "an element key other than 'xs' and 'ys'", describeValue(key));
  });
  return keys as string[];
}

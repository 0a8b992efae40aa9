import { Tensor, type Tensor2D, type Tensor4D, type TensorContainerObject } from '@tensorflow/tfjs-core';
// Types only: the dataset brings its own `map`, so this module loads nothing from tfjs-data at run time.
import type { Dataset } from '@tensorflow/tfjs-data';
import { CUTMIX_OPTION_KEYS, cutmixBatchAs, resolveOptions, type CutMixOptions } from '../cutmix_batch.js';
import { mixTargets } from '../targets.js';
import { assertInRange, assertOptions, assertPositiveInteger, describeValue, fail } from '../validate.js';

/**
 * Options of {@link cutmixDataset}: the sampling options of {@link CutMixOptions} (not the per-batch
 * injections `lam`, `box` and `partners`, which cannot fit every batch of a dataset) plus the target options
 * of {@link mixTargets}. `dataFormat` defaults to `'NHWC'` here.
 */
export interface CutMixDatasetOptions extends Pick<
  CutMixOptions,
  'alpha' | 'rng' | 'mode' | 'partner' | 'prob' | 'dataFormat' | 'ratioMinMax'
> {
  /** Seed of the one random stream the dataset draws from for its whole lifetime. Give `rng` or `seed`. */
  seed?: number;
  /** `'center-clip'` (default, the paper's) or `'inside'` (boxes always fully inside), as in `randBbox`. */
  placement?: CutMixOptions['placement'];
  /** Number of classes K; required when `ys` holds class indices `[N]`. */
  numClasses?: number;
  /** Label smoothing ε in [0, 1] applied to both one-hots before mixing. Default 0. */
  labelSmoothing?: number;
}

/** One batch of a dataset that {@link cutmixDataset} accepts (other keys pass through). */
export interface ImageBatch extends TensorContainerObject {
  /** Images `[N, H, W, C]` (or `[N, C, H, W]` with `dataFormat: 'NCHW'`), float32 or int32. */
  xs: Tensor4D;
  /** int32 class indices `[N]` or float one-hot/soft targets `[N, K]`. */
  ys: Tensor;
}

/** One batch {@link cutmixDataset} yields: mixed images and float32 soft targets `[N, K]`. */
export interface MixedBatch extends TensorContainerObject {
  /** The mixed images: same shape, layout and dtype as the input `xs`. */
  xs: Tensor4D;
  /** float32 soft targets `[N, K]`, λ·onehot(a) + (1−λ)·onehot(b), rows summing to 1. */
  ys: Tensor2D;
}

const SAMPLING_KEYS = CUTMIX_OPTION_KEYS.filter((k) => k !== 'lam' && k !== 'box' && k !== 'partners');
const DATASET_OPTION_KEYS = [...SAMPLING_KEYS, 'numClasses', 'labelSmoothing'];

/**
 * CutMix for `model.fitDataset` (tfjs-layers): maps a **batched** tf.data dataset of `{ xs, ys }` to
 * `{ xs: mixed images, ys: soft targets }`, the targets from {@link mixTargets} (rows sum to 1, optional
 * label smoothing), ready for a `categoricalCrossentropy` model. A thin composition of `cutmixBatch`
 * and {@link mixTargets}; other keys of each element pass through.
 *
 * Layout defaults to `'NHWC'`, the layout of tfjs-layers' `conv2d` (channels-last); pass
 * `dataFormat: 'NCHW'` for channels-first data. One random stream serves the dataset's lifetime (`seed` →
 * one `seededRng`), so every epoch draws new boxes and a run repeats per seed. tf.data runs the map
 * inside `tf.tidy` and disposes each input batch, so nothing accumulates across epochs. Batch the dataset
 * before mapping it: CutMix mixes within a batch.
 *
 * Imported from `tfjs-cutmix/data`, so the core entry point never references tfjs-data.
 *
 * @example
 * ```ts
 * import { cutmixDataset } from 'tfjs-cutmix/data';
 * const train = cutmixDataset(tf.data.zip({ xs: images, ys: labels }).batch(32), { numClasses: 10, seed: 42 });
 * await model.fitDataset(train, { epochs: 5 });
 * ```
 * @param dataset A batched `Dataset<{ xs, ys }>`: `xs` `[N, H, W, C]` (or NCHW) float32/int32, `ys` int32
 *   class indices `[N]` or float one-hot/soft `[N, K]`.
 * @param options See {@link CutMixDatasetOptions}.
 * @returns A dataset of `{ xs: [N, H, W, C] mixed images, ys: float32 [N, K] targets }`.
 */
export function cutmixDataset(dataset: Dataset<ImageBatch>, options?: CutMixDatasetOptions): Dataset<MixedBatch> {
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
  assertOptions(fn, 'options', options, DATASET_OPTION_KEYS);
  const { numClasses, labelSmoothing = 0, seed, rng, ...sampling } = options ?? {};
  if (numClasses !== undefined) assertPositiveInteger(fn, 'options.numClasses', numClasses);
  assertInRange(fn, 'options.labelSmoothing', labelSmoothing, 0, 1);
  // NHWC unless a layout is given (an explicit undefined too means the default).
  const dataFormat = sampling.dataFormat === undefined ? 'NHWC' : sampling.dataFormat;
  const r = resolveOptions(fn, { ...sampling, dataFormat, seed, rng }, SAMPLING_KEYS);
  const cutmixOptions: CutMixOptions = { ...sampling, dataFormat: r.dataFormat, rng: r.rng };

  return dataset.map((element: ImageBatch): MixedBatch => {
    if (element === null || typeof element !== 'object' || Array.isArray(element)) {
      fail(fn, 'element', 'an object { xs, ys } (a batched dataset)', describeValue(element));
    }
    if ((element.ys as unknown) instanceof Tensor && element.ys.rank === 1 && numClasses === undefined) {
      fail(fn, 'options.numClasses', 'a positive integer when element.ys holds class indices [N]', 'undefined');
    }
    const mixed = cutmixBatchAs(fn, element.xs, element.ys, cutmixOptions, {
      images: 'element.xs',
      labels: 'element.ys',
    });
    const ys = mixTargets(mixed.labelsA, mixed.labelsB, mixed.lam, { numClasses, labelSmoothing });
    // Inside tf.data's tidy: labelsA/labelsB are released with it, and the input batch by tf.data.
    return { ...element, xs: mixed.images, ys };
  });
}

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorContainer, TensorContainerObject } from '@tensorflow/tfjs-core';
import type { Dataset } from '@tensorflow/tfjs-data';
import { assertPositiveInteger, describeValue, fail, readOptions } from '../common/validate.js';
import { checkLabels } from '../targets/labels.js';
import { toDense } from '../targets/mix_targets.js';
import { assertDataset, type ImageBatch, type MixedBatch } from './dataset.js';

/** Options of {@link oneHotDataset}. */
export interface OneHotDatasetOptions {
  /** Number of classes K (≥ 2 for class indices), as given to `cutmixDataset`. */
  numClasses: number;
}

/**
 * The targets a model trained through `cutmixDataset` expects, for data that is not mixed: maps a batched
 * dataset of `{ xs, ys }` with class indices `[N]` to `{ xs, ys: float32 one-hot [N, K] }` (targets
 * `[N, K]` pass through as float32; other keys too). Use it for `fitDataset`'s `validationData`, whose
 * loss and metrics would otherwise compare `[N]` labels with `[N, K]` predictions.
 *
 * @example
 * ```ts
 * import { cutmixDataset, oneHotDataset } from 'tfjs-cutmix/data';
 * const val = oneHotDataset(tf.data.zip({ xs: valImages, ys: valLabels }).batch(64), { numClasses: 10 });
 * await model.fitDataset(cutmixDataset(train, { numClasses: 10 }), { epochs: 5, validationData: val });
 * ```
 * @param dataset A batched `Dataset<{ xs, ys }>`.
 * @param options `numClasses`.
 * @returns A dataset of `{ xs, ys: float32 [N, K], …others }`.
 */
export function oneHotDataset<X extends Tensor = Tensor>(
  dataset: Dataset<ImageBatch<X>> | Dataset<TensorContainer>,
  options: OneHotDatasetOptions,
): Dataset<MixedBatch<X>> {
  const fn = 'oneHotDataset';
  assertDataset(fn, dataset);
  const { numClasses } = readOptions(fn, 'options', options, ['numClasses']);
  assertPositiveInteger(fn, 'options.numClasses', numClasses);
  const mapped = (dataset as Dataset<TensorContainer>).map((given) => {
    if (given === null || typeof given !== 'object' || Array.isArray(given) || given instanceof tf.Tensor) {
      fail(fn, 'element', 'an object { xs, ys } (a batched dataset)', describeValue(given));
    }
    const element = { ...(given as TensorContainerObject) };
    const { ys } = element;
    if (typeof ys === 'number' || (ys instanceof tf.Tensor && !ys.isDisposed && ys.rank === 0)) {
      const hint = 'the dataset looks unbatched: call .batch(n) on it first';
      fail(fn, 'element.ys', `labels of a batch, [N] or [N, K] (${hint})`, describeValue(ys));
    }
    const columns = { k: numClasses, of: 'options.numClasses' };
    checkLabels(fn, 'element.ys', ys, { columns, classes: columns });
    return { ...element, ys: toDense(ys, numClasses) };
  });
  return mapped as unknown as Dataset<MixedBatch<X>>;
}

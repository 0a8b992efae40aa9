import type { Tensor } from '@tensorflow/tfjs-core';
import type { BoxOf, LabelsArg, ResultFor } from './result.js';
import { ARG_NAMES, checkMix, IMAGE_DTYPES, runMix } from './runner.js';
import { CUTMIX_OPTION_KEYS, resolveMixOptions, type CutMixOptions } from '../plan/options.js';
import { readOptions } from '../common/validate.js';

/** The images alone (no labels, default options): see the signature below. */
export function cutmixBatch<T extends Tensor>(images: T): ResultFor<BoxOf<T>, undefined>;
/**
 * CutMix on a batch (Yun et al. 2019): each sample gets a box of its partner's elements, and λ — the share
 * of its own positions left — weights its label against the partner's. Outside its box every output
 * element is the sample's own; inside, the partner's. Images (rank 4), signals (rank 3, a 1-D cut) and
 * volumes (rank 5, a 3-D cut) alike: with d spatial axes each side of the cut is ⌊Lₖ·(1−λ)^{1/d}⌋. The
 * paste is one kernel call in every mode. The result is a plan (`lam`, `boxes`, `partners`) that
 * `applyCutmix` and `cutmixObjects` reuse for the sample's masks and object boxes.
 *
 * Options are read once (own keys only), checked, and nothing is drawn before every argument has passed.
 *
 * @example
 * ```ts
 * const xs = tf.randomUniform([8, 3, 32, 32]) as tf.Tensor4D;      // NCHW batch
 * const ys = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32');        // class indices
 * const { images, labelsA, labelsB, lam, boxes, partners } = cutmixBatch(xs, ys, { seed: 42 });
 * // images: xs with boxes[i] of sample i replaced by sample partners[i]'s pixels; lam[i] = kept share
 * tf.dispose([xs, ys, images, labelsA, labelsB]);
 * ```
 * @param images `[N, C, H, W]` (or `[N, H, W, C]` with `dataFormat: 'NHWC'`), `[N, C, W]`/`[N, W, C]`, or
 *   `[N, C, D, H, W]`/`[N, D, H, W, C]`; float32 or int32, dtype kept.
 * @param labels int32 class indices `[N]`, or float32 one-hot/soft/multi-hot targets `[N, K]`, or `undefined`/`null` (or omitted) to mix the images alone.
 * @param options See {@link CutMixOptions}.
 * @returns New tensors (owned by the caller) and the plan used.
 */
export function cutmixBatch<T extends Tensor, L extends LabelsArg>(
  images: T,
  labels: L,
  options?: CutMixOptions,
): ResultFor<BoxOf<T>, L>;
// Labels are a required parameter in the signature with labels: an optional one would infer
// `Tensor | undefined` as `Tensor` and type the label outputs of possibly unlabelled calls as present.
export function cutmixBatch(images: Tensor, labels?: LabelsArg, options?: CutMixOptions): unknown {
  const fn = 'cutmixBatch';
  const s = resolveMixOptions(fn, readOptions(fn, 'options', options, CUTMIX_OPTION_KEYS));
  const checked = checkMix(s, images, labels, ARG_NAMES, IMAGE_DTYPES);
  return runMix(s, images, checked, 'cutmix');
}

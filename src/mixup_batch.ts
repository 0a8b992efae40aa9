import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { EMPTY_BOX } from './box.js';
import {
  CUTMIX_OPTION_KEYS,
  DEFAULT_ARG_NAMES,
  partnerLabels,
  resolveOptions,
  type ArgNames,
  type CutMixOptions,
  type CutMixResult,
  type Resolved,
} from './cutmix_batch.js';
import { imageDims } from './layout.js';
import { drawPartners, readPartners } from './partners.js';
import { draw } from './rng.js';
import { sampleLambda } from './sample_lambda.js';
import { assertImages, assertLabels, assertTensor, fail, readLam } from './validate.js';

/**
 * Options of {@link mixupBatch}: the λ, partner, probability and layout options of {@link CutMixOptions}
 * (MixUp has no box, so no `box`, `placement` or `ratioMinMax`). Unknown keys are rejected.
 */
export type MixUpOptions = Pick<
  CutMixOptions,
  'alpha' | 'rng' | 'seed' | 'mode' | 'partner' | 'partners' | 'lam' | 'prob' | 'dataFormat'
>;

/** CutMix's option keys less the box ones: MixUp replaces no region. */
export const MIXUP_OPTION_KEYS = CUTMIX_OPTION_KEYS.filter(
  (k) => k !== 'box' && k !== 'placement' && k !== 'ratioMinMax',
);

/**
 * Draws (or takes as injected) λ and partners for a MixUp batch, in {@link planCutmix}'s order without the
 * box: per batch (`'batch'`) or per sample in turn (`'elem'`) the `prob` gate, then λ; then the partners.
 */
function planMixup(
  fn: string,
  n: number,
  r: Resolved,
  options: MixUpOptions,
): { lam: Float32Array; partners: Int32Array } {
  const injectedLam = options.lam !== undefined ? readLam(fn, 'options.lam', options.lam, n) : undefined;
  const injectedPartners =
    options.partners !== undefined ? readPartners(fn, 'options.partners', options.partners, n) : undefined;
  const perSample = r.mode === 'elem' || (options.lam !== undefined && typeof options.lam !== 'number');
  const groupSize = perSample ? 1 : n;
  const lam = new Float32Array(n);
  for (let start = 0; start < n; start += groupSize) {
    let l: number;
    if (injectedLam) l = injectedLam[start];
    else l = draw(fn, r.rng) < r.prob ? sampleLambda(r.alpha, r.rng) : 1;
    lam.fill(l, start, start + groupSize);
  }
  const partners = injectedPartners ?? drawPartners(fn, n, r.partner, r.rng);
  return { lam, partners };
}

/**
 * MixUp on a batch (Zhang et al. 2018): each sample becomes `λᵢ·xᵢ + (1−λᵢ)·x_partner(i)`, and λᵢ weights
 * its label against the partner's, exactly as in {@link cutmixBatch}. It shares CutMix's options (λ ~
 * Beta(α, α), `prob`, `mode`, `partner`, injected `lam`/`partners`) and its result, so {@link cutmixLoss}
 * and {@link mixTargets} serve both. In `'elem'` mode each sample draws its own λ; the blend is still one
 * broadcast multiply-add for the whole batch.
 *
 * `boxes` are all empty: MixUp replaces no region, it blends every pixel, and λ alone says how much of
 * each sample is its own (λ = 1: not mixed, output equal to the input).
 *
 * @example
 * ```ts
 * const { images, labelsA, labelsB, lam } = mixupBatch(xs, ys, { alpha: 0.4, seed: 42 });
 * const loss = cutmixLoss(logits, labelsA, labelsB, lam);
 * tf.dispose([images, labelsA, labelsB]);
 * ```
 * @param images `[N, C, H, W]` (or `[N, H, W, C]` with `dataFormat: 'NHWC'`), float32 only (a blend of
 *   integer pixels is not an integer: cast first).
 * @param labels int32 class indices `[N]`, or float one-hot/soft targets `[N, K]`.
 * @param options See {@link MixUpOptions}.
 * @returns New tensors (owned by the caller) and the λ, (empty) boxes and partners used.
 */
export function mixupBatch(images: Tensor4D, labels: Tensor, options?: MixUpOptions): CutMixResult {
  return mixupBatchAs('mixupBatch', images, labels, options);
}

/** {@link mixupBatch} under another public name, for the adapters' error messages. Same checks and draws. */
export function mixupBatchAs(
  fn: string,
  images: Tensor4D,
  labels: Tensor,
  options: MixUpOptions | undefined,
  names: ArgNames = DEFAULT_ARG_NAMES,
): CutMixResult {
  const r = resolveOptions(fn, options, MIXUP_OPTION_KEYS);
  assertFloatImages(fn, names.images, images, r.dataFormat);
  const { n } = imageDims(images.shape, r.dataFormat);
  assertLabels(fn, names.labels, labels, n, names.images);
  const { lam, partners } = planMixup(fn, n, r, options ?? {});
  const tensors = tf.tidy(() => {
    const labelsA = tf.clone(labels);
    const labelsB = partnerLabels(labels, partners);
    // An empty batch, or one nobody mixes, is an exact copy.
    if (n === 0 || lam.every((l) => l === 1)) return { images: tf.clone(images), labelsA, labelsB };
    const index = tf.tensor1d(partners, 'int32');
    const own = tf.tensor4d(lam, [n, 1, 1, 1]);
    const other = tf.tensor4d(
      lam.map((l) => 1 - l),
      [n, 1, 1, 1],
    );
    const mixed = tf.add(tf.mul(images, own), tf.mul(tf.gather(images, index), other)) as Tensor4D;
    return { images: mixed, labelsA, labelsB };
  });
  return { ...tensors, lam, boxes: Array.from({ length: n }, () => ({ ...EMPTY_BOX })), partners };
}

/** A rank-4 float32 batch: the dtype check comes before the shape checks so int32 gets MixUp's own hint. */
export function assertFloatImages(
  fn: string,
  arg: string,
  images: unknown,
  dataFormat: 'NCHW' | 'NHWC',
): asserts images is Tensor4D {
  assertTensor(fn, arg, images);
  if (images.rank !== 4) fail(fn, arg, `rank 4 (${dataFormat})`, `rank ${images.rank}`);
  if (images.dtype !== 'float32') {
    fail(
      fn,
      `${arg}.dtype`,
      'float32 (MixUp blends pixel values; cast integer images with tf.cast first)',
      images.dtype,
    );
  }
  assertImages(fn, arg, images, dataFormat);
}

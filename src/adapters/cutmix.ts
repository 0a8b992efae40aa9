import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { assertBoolean, assertFunction, failMust, readOptions } from '../common/validate.js';
import type { BoxOf, CutMixResult } from '../ops/result.js';
import { ARG_NAMES, checkMix, IMAGE_DTYPES, runMix, type CheckedMix } from '../ops/runner.js';
import { cloneBox, emptyBox, type AnyBox, type Box } from '../plan/box.js';
import { CUTMIX_OPTION_KEYS, resolveMixOptions, type CutMixOptions, type MixSettings } from '../plan/options.js';
import { moveObjects, type ObjectBox } from '../targets/cutmix_objects.js';
import { valuesReadable } from '../targets/labels.js';
import { checkLogits, type PerSampleLoss } from '../targets/losses.js';
import { readBatchObjects, readMinVisible } from '../targets/read_objects.js';
import { weightedLoss } from '../targets/weighted_loss.js';
import { checkExtras, cutExtras, readMixCall } from './mix_call.js';

/** Options of the {@link CutMix} adapter: any {@link CutMixOptions} plus the initial `training` flag. */
export interface CutMixAdapterOptions extends CutMixOptions {
  /** Mix in {@link CutMix.mix} (true, default) or pass batches through (false, evaluation). */
  training?: boolean;
  /** For `mix(…, { objects })`: the share of an object that must stay visible, as in `cutmixObjects`. Default 0.1. */
  minVisible?: number;
}

/**
 * Per-call options of {@link CutMix.mix}: `training`, and any number of extra targets to cut with the same
 * plan as the images — each a tensor with the images' layout, batch size and spatial sizes (a mask
 * `[N, H, W, 1]`, a depth map) — returned under the same name.
 */
export interface MixCallOptions {
  /** Overrides {@link CutMix.training} for this call only. */
  training?: boolean;
  /** Detection targets of a 2-D batch: one array of object boxes per sample, moved as `cutmixObjects` does. */
  objects?: ObjectBox[][];
  [target: string]: Tensor | ObjectBox[][] | boolean | undefined;
}

/** The result of {@link CutMix.mix}: `cutmixBatch`'s, plus each extra target mixed under its own name. */
export type CutMixAdapterResult<O = object, B extends AnyBox = Box> = CutMixResult<B> & {
  [K in Exclude<keyof O, 'training'>]: K extends 'objects' ? ObjectBox[][] : Tensor;
};

const ADAPTER_OPTION_KEYS = [...CUTMIX_OPTION_KEYS, 'training', 'minVisible'];

/**
 * CutMix for a custom training loop (the role of fastai's `CutMix` callback and timm's `Mixup`): `mix`
 * runs `cutmixBatch` and keeps the labels and λ it drew, `loss` scores logits with `cutmixLoss` against
 * what was kept. It owns one random stream for its lifetime (`seed` → one `seededRng`, or the `rng` you
 * pass), so consecutive batches draw new boxes and the run repeats per seed. Options are read once, here.
 *
 * Extra targets (`mix(xs, ys, { masks })`) get the very same cut as the images: `result.masks[n]` is the
 * true mask of `result.images[n]`.
 *
 * Evaluation (`cutmix.training = false`, or `mix(…, { training: false })`) passes the batch through
 * untouched, draws nothing, and `loss` becomes the plain mean per-sample loss (λ = 1).
 *
 * Memory: `images` and the extra targets from `mix` belong to the caller (clones in evaluation, so they can
 * always be disposed). The kept `labelsA`/`labelsB` belong to the adapter: they survive an enclosing
 * `tf.tidy` or `optimizer.minimize` (they are `tf.keep`-ed) and are disposed by the next `mix` or `dispose()`.
 *
 * @example
 * ```ts
 * const cutmix = new CutMix({ alpha: 1, seed: 42, dataFormat: 'NHWC' });
 * for (const { xs, ys, masks } of batches) {
 *   optimizer.minimize(() => {
 *     const { images, masks: mixedMasks } = cutmix.mix(xs, ys, { masks });
 *     return cutmix.loss(model.apply(images, { training: true }) as tf.Tensor2D);
 *   });
 * }
 * cutmix.dispose();
 * ```
 */
export class CutMix {
  private readonly settings: MixSettings;
  private readonly minVisible: number;
  private isTraining: boolean;
  private kept: { labelsA: Tensor; labelsB: Tensor; lam: Float32Array; maxClass: number | undefined } | undefined;

  /**
   * @param options Any {@link CutMixOptions} (the layout defaults to channels-first as in `cutmixBatch`;
   *   tfjs-layers models want `'NHWC'`), plus `training` (default true). Read and checked here, once.
   */
  constructor(options?: CutMixAdapterOptions) {
    const fn = 'CutMix';
    const { training = true, minVisible, ...rest } = readOptions(fn, 'options', options, ADAPTER_OPTION_KEYS);
    assertBoolean(fn, 'options.training', training);
    this.minVisible = readMinVisible({ minVisible }, fn);
    this.settings = resolveMixOptions(fn, rest, { rngFn: 'CutMix.mix', optionsArg: 'the CutMix options' });
    this.isTraining = training;
  }

  /** Whether {@link CutMix.mix} mixes (true) or passes batches through (false). */
  get training(): boolean {
    return this.isTraining;
  }

  /** Switches mixing on (training) or off (evaluation) for the following `mix` calls. */
  set training(value: boolean) {
    assertBoolean('CutMix.training', 'the assigned value', value);
    this.isTraining = value;
  }

  /**
   * Mixes a batch (training) or passes it through (evaluation), with any extra targets, and keeps labels
   * and λ for {@link CutMix.loss}. Releases what the previous call kept.
   *
   * @param images A batch in the adapter's layout (rank 3–5), float32 or int32.
   * @param labels int32 class indices `[N]`, or float32 targets `[N, K]`.
   * @param options `{ training }` for this call, and extra targets by name (`{ masks }`).
   * @returns `cutmixBatch`'s result plus each extra target, mixed; in evaluation λ = 1, empty boxes and
   *   partners `i → i`. Tensors are the caller's to dispose except `labelsA`/`labelsB`.
   */
  mix<T extends Tensor, O extends MixCallOptions = { training?: boolean }>(
    images: T,
    labels: Tensor,
    options?: O,
  ): CutMixAdapterResult<O, BoxOf<T>> {
    const fn = 'CutMix.mix';
    const s = { ...this.settings, fn };
    const call = readMixCall(fn, options);
    const checked = checkMix(s, images, labels, ARG_NAMES, IMAGE_DTYPES);
    const extras = checkExtras(fn, call.extras, checked.batch);
    const objects =
      call.objects === undefined ? undefined : readBatchObjects(fn, 'options.objects', call.objects, checked.batch);
    const maxClass = labels.rank === 1 && valuesReadable() ? largest(labels.dataSync()) : undefined;
    // Released before anything new is made, so a failure below cannot strand the previous step's labels.
    this.release();
    const training = call.training ?? this.isTraining;
    const result = training ? runMix(s, images, labels, checked, 'cutmix') : passThrough(images, labels, checked);
    const mixed = cutExtras(result, extras, checked.batch, training);
    const moved = objects && { objects: moveObjects(objects, result.boxes as Box[], result.partners, this.minVisible) };
    // Kept across steps: an enclosing tidy (minimize's) must not dispose them; release() does.
    this.kept = { labelsA: tf.keep(result.labelsA), labelsB: tf.keep(result.labelsB), lam: result.lam, maxClass };
    return { ...result, ...mixed, ...moved } as CutMixAdapterResult<O, BoxOf<T>>;
  }

  /**
   * The loss of `logits` against the last mixed batch: `cutmixLoss` with the kept labels and λ (in
   * evaluation, λ = 1: the plain mean loss). Differentiable; call it inside `optimizer.minimize`.
   *
   * @param logits float32 `[N, K]` for the batch of the last {@link CutMix.mix}.
   * @param lossFn Per-sample loss returning `[N]`. Default softmax cross-entropy.
   * @returns A scalar.
   */
  loss(logits: Tensor2D, lossFn?: PerSampleLoss): Scalar {
    const fn = 'CutMix.loss';
    if (this.kept === undefined) failMust(fn, 'mix(images, labels)', 'be called before loss', 'no mixed batch');
    const { labelsA, labelsB, lam, maxClass } = this.kept;
    checkLogits(fn, logits);
    const [n, k] = logits.shape;
    if (n !== lam.length) failMust(fn, 'logits', `have ${lam.length} rows to match the last mixed batch`, String(n));
    if (labelsA.rank === 2 && labelsA.shape[1] !== k) {
      failMust(fn, 'logits', `have ${labelsA.shape[1]} columns to match the last batch's targets`, String(k));
    }
    if (maxClass !== undefined && maxClass >= k) {
      failMust(fn, 'logits', `have more than ${maxClass} columns (the last batch's largest class index)`, String(k));
    }
    if (lossFn !== undefined) assertFunction(fn, 'lossFn', lossFn);
    return weightedLoss(fn, logits, labelsA, labelsB, lam, lossFn);
  }

  /** Releases the kept labels. The adapter stays usable: the next `mix` keeps new ones. */
  dispose(): void {
    this.release();
  }

  private release(): void {
    // Forgotten first: if disposing fails (their backend was removed), the adapter is still usable.
    const kept = this.kept;
    this.kept = undefined;
    if (kept !== undefined) tf.dispose([kept.labelsA, kept.labelsB]);
  }
}

/** The largest value, without spreading a large array into arguments; undefined for none. */
function largest(values: ArrayLike<number>): number | undefined {
  let max: number | undefined;
  for (let i = 0; i < values.length; i++) if (max === undefined || values[i] > max) max = values[i];
  return max;
}

/** Evaluation: the batch as it is, λ = 1, empty boxes, partners i → i; every tensor new. */
function passThrough(images: Tensor, labels: Tensor, checked: CheckedMix): CutMixResult<AnyBox> {
  const { n, spatial } = checked.batch;
  const none = emptyBox(spatial.length);
  return {
    ...tf.tidy(() => ({ images: tf.clone(images), labelsA: tf.clone(labels), labelsB: tf.clone(labels) })),
    lam: new Float32Array(n).fill(1),
    boxes: Array.from({ length: n }, () => cloneBox(none)),
    partners: Int32Array.from({ length: n }, (_, i) => i),
  };
}

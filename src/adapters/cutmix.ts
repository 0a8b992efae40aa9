import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { EMPTY_BOX } from '../box.js';
import { cutmixLoss, softmaxCrossEntropyPerSample, type PerSampleLoss } from '../cutmix_loss.js';
import {
  CUTMIX_OPTION_KEYS,
  cutmixBatchAs,
  resolveOptions,
  type CutMixOptions,
  type CutMixResult,
} from '../cutmix_batch.js';
import { imageDims } from '../layout.js';
import { assertImages, assertLabels, assertOptions, assertTensor, describeValue, fail, failMust } from '../validate.js';

/** Options of the {@link CutMix} adapter: any {@link CutMixOptions} plus the initial `training` flag. */
export interface CutMixAdapterOptions extends CutMixOptions {
  /** Mix in {@link CutMix.mix} (true, default) or pass batches through (false, evaluation). */
  training?: boolean;
}

/** Per-call options of {@link CutMix.mix}. */
export interface MixCallOptions {
  /** Overrides {@link CutMix.training} for this call only. */
  training?: boolean;
}

const ADAPTER_OPTION_KEYS = [...CUTMIX_OPTION_KEYS, 'training'] as const;

function assertBoolean(fn: string, arg: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') fail(fn, arg, 'a boolean', describeValue(value));
}

/**
 * CutMix for a custom training loop (the role of fastai's `CutMix` callback and timm's `Mixup`): `mix`
 * runs {@link cutmixBatch} and keeps the labels and λ it drew, `loss` scores logits with
 * {@link cutmixLoss} against what was kept. It owns one random stream for its lifetime (`seed` → one
 * {@link seededRng}, or the `rng` you pass), so consecutive batches draw new boxes and the run repeats
 * per seed.
 *
 * Evaluation (`cutmix.training = false`, or `mix(…, { training: false })`) passes the batch through
 * untouched, draws nothing, and `loss` becomes the plain mean per-sample loss (λ = 1).
 *
 * Memory: `images` from `mix` belongs to the caller (a clone in evaluation, so it can always be
 * disposed). The kept `labelsA`/`labelsB` belong to the adapter: they survive an enclosing `tf.tidy` or
 * `optimizer.minimize` (they are `tf.keep`-ed) and are disposed by the next `mix` or by `dispose()`.
 *
 * @example
 * ```ts
 * const cutmix = new CutMix({ alpha: 1, seed: 42, dataFormat: 'NHWC' });
 * for (const { xs, ys } of batches) {
 *   optimizer.minimize(() => {
 *     const { images } = cutmix.mix(xs, ys);
 *     return cutmix.loss(model.apply(images, { training: true }) as tf.Tensor2D);
 *   });
 * }
 * cutmix.dispose();
 * ```
 */
export class CutMix {
  private readonly options: CutMixOptions;
  private isTraining: boolean;
  private kept: Pick<CutMixResult, 'labelsA' | 'labelsB' | 'lam'> | undefined;

  /**
   * @param options Any {@link CutMixOptions} (`dataFormat` defaults to `'NCHW'` as in
   *   {@link cutmixBatch}; tfjs-layers models want `'NHWC'`), plus `training` (default true). Checked
   *   here, once; `seed` makes the adapter's single stream.
   */
  constructor(options: CutMixAdapterOptions = {}) {
    const fn = 'CutMix';
    assertOptions(fn, 'options', options, ADAPTER_OPTION_KEYS);
    const { training = true, seed, rng, ...rest } = options ?? {};
    assertBoolean(fn, 'options.training', training);
    const r = resolveOptions(fn, { ...rest, seed, rng }, CUTMIX_OPTION_KEYS);
    this.options = { ...rest, rng: r.rng, dataFormat: r.dataFormat };
    this.isTraining = training;
  }

  /** Whether {@link CutMix.mix} mixes (true) or passes batches through (false). */
  get training(): boolean {
    return this.isTraining;
  }

  /** Switches mixing on (training) or off (evaluation) for the following `mix` calls. */
  set training(value: boolean) {
    assertBoolean('CutMix', 'training', value);
    this.isTraining = value;
  }

  /**
   * Mixes a batch (training) or passes it through (evaluation) and keeps labels and λ for {@link CutMix.loss}.
   * Releases what the previous call kept.
   *
   * @param images `[N, C, H, W]` or `[N, H, W, C]` per the adapter's `dataFormat`, float32 or int32.
   * @param labels int32 class indices `[N]`, or float one-hot/soft targets `[N, K]`.
   * @param options `{ training }` to override {@link CutMix.training} for this call.
   * @returns {@link cutmixBatch}'s result; in evaluation λ = 1, empty boxes and partners `i → i`.
   *   `images` is the caller's to dispose; `labelsA`/`labelsB` stay the adapter's.
   */
  mix(images: Tensor4D, labels: Tensor, options?: MixCallOptions): CutMixResult {
    const fn = 'CutMix.mix';
    assertOptions(fn, 'options', options, ['training']);
    // null is a wrong value, not a request for the default.
    const training = options?.training === undefined ? this.isTraining : options.training;
    assertBoolean(fn, 'options.training', training);
    const dataFormat = this.options.dataFormat ?? 'NCHW';
    let result: CutMixResult;
    if (training) {
      result = cutmixBatchAs(fn, images, labels, this.options);
    } else {
      assertImages(fn, 'images', images, dataFormat);
      const { n } = imageDims(images.shape, dataFormat);
      assertLabels(fn, 'labels', labels, n);
      result = {
        images: tf.clone(images),
        labelsA: tf.clone(labels),
        labelsB: tf.clone(labels),
        lam: new Float32Array(n).fill(1),
        boxes: Array.from({ length: n }, () => ({ ...EMPTY_BOX })),
        partners: Int32Array.from({ length: n }, (_, i) => i),
      };
    }
    this.release();
    // Kept across steps: an enclosing tidy (minimize's) must not dispose them; release() does.
    this.kept = { labelsA: tf.keep(result.labelsA), labelsB: tf.keep(result.labelsB), lam: result.lam };
    return result;
  }

  /**
   * The loss of `logits` against the last mixed batch: {@link cutmixLoss} with the kept labels and λ
   * (in evaluation, λ = 1: the plain mean loss). Differentiable; call it inside `optimizer.minimize`.
   *
   * @param logits float32 `[N, K]` for the batch of the last {@link CutMix.mix}.
   * @param lossFn Per-sample loss returning `[N]`. Default softmax cross-entropy.
   * @returns A scalar.
   */
  loss(logits: Tensor2D, lossFn: PerSampleLoss = softmaxCrossEntropyPerSample): Scalar {
    const fn = 'CutMix.loss';
    if (this.kept === undefined) failMust(fn, 'mix(images, labels)', 'be called before loss', 'no mixed batch');
    const { labelsA, labelsB, lam } = this.kept;
    assertTensor(fn, 'logits', logits);
    if (logits.rank !== 2) fail(fn, 'logits', 'rank 2 ([N, K])', `rank ${logits.rank}`);
    if (logits.shape[0] !== lam.length) {
      failMust(fn, 'logits', `have ${lam.length} rows to match the last mixed batch`, String(logits.shape[0]));
    }
    return cutmixLoss(logits, labelsA, labelsB, lam, lossFn);
  }

  /** Releases the kept labels. The adapter stays usable: the next `mix` keeps new ones. */
  dispose(): void {
    this.release();
  }

  private release(): void {
    if (this.kept !== undefined) tf.dispose([this.kept.labelsA, this.kept.labelsB]);
    this.kept = undefined;
  }
}

import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { assertBoolean, assertFunction, fail, failMust } from '../common/validate.js';
import type { BoxOf, LabelsArg } from '../ops/result.js';
import { ARG_NAMES, checkMix, IMAGE_DTYPES, MIXUP_DTYPES, runMix, type Method } from '../ops/runner.js';
import type { Box } from '../plan/box.js';
import { moveObjects } from '../targets/cutmix_objects.js';
import { assertIndexClasses, valuesReadable, type LabelRule } from '../targets/labels.js';
import { assertSoftmaxColumns, checkLogits, type PerSampleLoss } from '../targets/losses.js';
import { blendTargets, smoothedTargets } from '../targets/mix_targets.js';
import { readBatchObjects } from '../targets/read_objects.js';
import { weightedLoss } from '../targets/weighted_loss.js';
import { readAdapterOptions, type AdapterSettings, type CutMixAdapterOptions } from './adapter_options.js';
import { type CutMixAdapterResult, type MixCallOptions } from './adapter_result.js';
import { checkExtras, cutExtras, largest, passThrough, readMixCall } from './mix_call.js';

/** What `mix` keeps for `loss` and `targets`: its own copies, released by the next `mix` or `dispose`. */
interface Kept {
  labels: { a: Tensor; b: Tensor } | undefined;
  lam: Float32Array;
  maxClass: number | undefined;
}

/**
 * CutMix for a custom training loop (the role of fastai's `CutMix` callback and timm's `Mixup`): `mix`
 * mixes a batch and keeps the labels and λ it drew; `loss` scores logits against what was kept, and
 * `targets` gives the mixed soft targets for `model.trainOnBatch`. It owns one random stream for its
 * lifetime (`seed` → one `seededRng`, or the `rng` you pass), so consecutive batches draw new boxes and the
 * run repeats per seed. Options are read once, here. With `mixupAlpha` or `switchProb`, each batch is MixUp
 * instead of CutMix with chance 1 − `switchProb`, as `mixupOrCutmix` does.
 *
 * Extra tensors (`mix(xs, ys, { masks })`) and detection boxes (`{ objects }`) get the very same cut as the
 * images: `result.masks[n]` is the true mask of `result.images[n]`. Labels may be omitted (`mix(xs,
 * undefined, { masks })`) for a segmentation batch; `loss` and `targets` then have nothing to score.
 *
 * Evaluation (`cutmix.training = false`, or `mix(…, { training: false })`) passes the batch through
 * untouched, draws nothing, and `loss` becomes the plain mean per-sample loss (λ = 1).
 *
 * Memory: `images` and the extra tensors from `mix` belong to the caller (clones in evaluation, so they can
 * always be disposed). The kept `labelsA`/`labelsB` belong to the adapter: they survive an enclosing
 * `tf.tidy` or `optimizer.minimize` (they are `tf.keep`-ed) and are disposed by the next `mix` or `dispose()`.
 *
 * @example
 * ```ts
 * const cutmix = new CutMix({ seed: 42, dataFormat: 'NHWC', numClasses: 10, labelSmoothing: 0.1 });
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
  private readonly config: AdapterSettings;
  private isTraining: boolean;
  private kept: Kept | undefined;

  /**
   * @param options Any {@link CutMixOptions} (the layout defaults to channels-first as in `cutmixBatch`;
   *   tfjs-layers models want `'NHWC'`), plus `training` (default true), `numClasses`, `labelSmoothing`,
   *   `minVisible`, and the MixUp switch `mixupAlpha`/`switchProb`. Read and checked here, once.
   */
  constructor(options?: CutMixAdapterOptions) {
    this.config = readAdapterOptions('CutMix', options);
    this.isTraining = this.config.training;
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

  /** The images alone (no labels, no extras): see the signature below. */
  mix<T extends Tensor>(images: T): CutMixAdapterResult<object, BoxOf<T>, undefined>;
  /**
   * Mixes a batch (training) or passes it through (evaluation), with any extra tensors and object boxes,
   * and keeps labels and λ for {@link CutMix.loss}. Releases what the previous call kept.
   *
   * @param images A batch in the adapter's layout (rank 3–5), float32 or int32 (float32 when MixUp is on).
   * @param labels int32 class indices `[N]`, float32 targets `[N, K]`, or omitted (`undefined`/`null`).
   * @param options `{ training }` for this call, `objects`, and extra tensors by name (`{ masks }`).
   * @returns `cutmixBatch`'s result (without labels when none were given), `method`, and each extra mixed.
   *   In evaluation λ = 1, empty boxes and partners `i → i`. Tensors are the caller's to dispose except
   *   `labelsA`/`labelsB`.
   */
  mix<T extends Tensor, L extends LabelsArg, O extends MixCallOptions = { training?: boolean }>(
    images: T,
    labels: L,
    options?: O,
  ): CutMixAdapterResult<O, BoxOf<T>, L>;
  // Labels are required in the signature with labels, as in `cutmixBatch` (so `Tensor | undefined` stays so).
  mix(images: Tensor, labels?: LabelsArg, options?: MixCallOptions): unknown {
    const fn = 'CutMix.mix';
    const { cutmix, mixup, switchProb, numClasses } = this.config;
    const call = readMixCall(fn, options);
    const training = call.training ?? this.isTraining;
    const mayMixup = training && switchProb < 1;
    const s = { ...cutmix, fn };
    const checked = checkMix(
      s,
      images,
      labels,
      ARG_NAMES,
      mayMixup ? MIXUP_DTYPES : IMAGE_DTYPES,
      classRule(numClasses),
    );
    const extras = checkExtras(fn, call.extras, checked.batch);
    const objects =
      call.objects === undefined ? undefined : readBatchObjects(fn, 'options.objects', call.objects, checked.batch);
    if (mayMixup && (extras.length > 0 || objects !== undefined)) {
      const what = extras.length > 0 ? `options.${extras[0][0]}` : 'options.objects';
      fail(fn, what, 'omitted while MixUp is on (a blend has no cut to apply to them; set switchProb: 1)', 'a value');
    }
    const given = checked.labels;
    const maxClass = given?.rank === 1 && valuesReadable() ? largest(given.dataSync()) : undefined;
    // The previous step's labels are forgotten now and disposed when this call ends, whether it succeeds
    // or fails: the labels given may be those very tensors (a kept labelsA mixed again).
    const previous = this.forget();
    try {
      // The switch is drawn after every check, so a failing call consumes no draw.
      const method: Method = mixup !== undefined && training && s.draw() >= switchProb ? 'mixup' : 'cutmix';
      const result = !training
        ? passThrough(images, given, checked)
        : runMix(method === 'mixup' ? { ...mixup!, fn } : s, images, checked, method);
      const mixed = cutExtras(result, extras, checked.batch, training);
      const moved = objects && {
        objects: moveObjects(objects, result.boxes as Box[], result.partners, this.config.minVisible),
      };
      // Kept across steps: an enclosing tidy (minimize's) must not dispose them; release() does. λ is
      // copied, so that a caller writing to result.lam cannot change what loss() computes.
      const labelsKept = result.labelsA && { a: tf.keep(result.labelsA), b: tf.keep(result.labelsB!) };
      this.kept = { labels: labelsKept, lam: Float32Array.from(result.lam), maxClass };
      return { ...result, ...mixed, ...moved, method: training ? method : 'none' };
    } finally {
      disposeKept(previous);
    }
  }

  /**
   * The loss of `logits` against the last mixed batch: `cutmixLoss` with the kept labels and λ, label
   * smoothing applied (in evaluation, λ = 1: the plain mean loss). Differentiable; call it inside
   * `optimizer.minimize`.
   *
   * @param logits float32 `[N, K]` for the batch of the last {@link CutMix.mix}.
   * @param lossFn Per-sample loss returning `[N]`. Default softmax cross-entropy.
   * @returns A scalar.
   */
  loss(logits: Tensor2D, lossFn?: PerSampleLoss): Scalar {
    const fn = 'CutMix.loss';
    const { a, b, lam } = this.keptLabels(fn);
    checkLogits(fn, logits);
    const [n, k] = logits.shape;
    if (n !== lam.length) failMust(fn, 'logits', `have ${lam.length} rows to match the last mixed batch`, String(n));
    this.checkClasses(fn, 'logits', k, a);
    if (lossFn !== undefined) assertFunction(fn, 'lossFn', lossFn);
    else assertSoftmaxColumns(fn, k);
    const eps = this.config.labelSmoothing;
    if (eps === 0) return weightedLoss(fn, logits, a, b, lam, lossFn);
    return tf.tidy(() => {
      const [sa, sb] = [smoothedTargets(a, k, eps), smoothedTargets(b, k, eps)];
      return weightedLoss(fn, logits, sa, sb, lam, lossFn);
    });
  }

  /**
   * The soft targets of the last mixed batch, `λ·smooth(a) + (1−λ)·smooth(b)` per row (as `mixTargets`
   * makes them), for `model.trainOnBatch(images, targets)`. Class indices need the `numClasses` option.
   *
   * @returns float32 `[N, K]`, a new tensor owned by the caller.
   */
  targets(): Tensor2D {
    const fn = 'CutMix.targets';
    const { a, b, lam } = this.keptLabels(fn);
    const k = a.rank === 2 ? a.shape[1]! : this.config.numClasses;
    if (k === undefined) fail(fn, 'the CutMix options.numClasses', 'given for class-index labels', 'undefined');
    this.checkClasses(fn, 'the CutMix options.numClasses', k, a);
    return blendTargets(a, b, lam, k, this.config.labelSmoothing);
  }

  /** Releases the kept labels. The adapter stays usable: the next `mix` keeps new ones. */
  dispose(): void {
    this.release();
  }

  private keptLabels(fn: string): { a: Tensor; b: Tensor; lam: Float32Array } {
    if (this.kept === undefined) {
      failMust(fn, 'mix(images, labels)', `be called before ${fn.slice('CutMix.'.length)}`, 'no mixed batch');
    }
    const { labels, lam } = this.kept;
    if (labels === undefined) failMust(fn, 'the last mix', 'have labels to score', 'a batch mixed without labels');
    for (const [name, t] of [
      ['labelsA', labels.a],
      ['labelsB', labels.b],
    ] as const) {
      if (t.isDisposed) {
        const why = 'stay live until the next mix (the adapter owns them: do not dispose them yourself)';
        failMust(fn, `the last mix's ${name}`, why, 'a disposed tensor');
      }
    }
    return { ...labels, lam };
  }

  /** K (the logits' columns, or numClasses) checked against the option and the kept labels. */
  private checkClasses(fn: string, arg: string, k: number, a: Tensor): void {
    const { numClasses } = this.config;
    if (numClasses !== undefined && k !== numClasses) {
      failMust(fn, arg, `have ${numClasses} columns (the CutMix options.numClasses)`, String(k));
    }
    if (a.rank === 2 && a.shape[1] !== k) {
      failMust(fn, arg, `have ${a.shape[1]} columns to match the last batch's targets`, String(k));
    }
    if (a.rank === 1) assertIndexClasses(fn, `${arg === 'logits' ? 'logits.shape[1]' : arg}`, k);
    const { maxClass } = this.kept!;
    if (maxClass !== undefined && maxClass >= k) {
      failMust(fn, arg, `have more than ${maxClass} columns (the last batch's largest class index)`, String(k));
    }
  }

  private release(): void {
    // Forgotten first: if disposing fails (their backend was removed), the adapter is still usable.
    disposeKept(this.forget());
  }

  /** What the adapter kept, now forgotten (the caller disposes it). */
  private forget(): Kept | undefined {
    const kept = this.kept;
    this.kept = undefined;
    return kept;
  }
}

function disposeKept(kept: Kept | undefined): void {
  if (kept?.labels !== undefined) tf.dispose([kept.labels.a, kept.labels.b]);
}

/** What the adapter's `numClasses` adds to the label check of `mix`. */
function classRule(numClasses: number | undefined): LabelRule {
  if (numClasses === undefined) return {};
  const of = 'the CutMix options.numClasses';
  return { classes: { k: numClasses, of }, columns: { k: numClasses, of } };
}

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { EMPTY_BOX, lamOfBox, PLACEMENTS, type Box, type Placement } from './box.js';
import { paste } from './kernels/paste.js';
import { DATA_FORMATS, imageDims, type DataFormat } from './layout.js';
import { drawPartners, PARTNER_SCHEMES, readPartners, type PartnerScheme } from './partners.js';
import { assertRatioMinMax, sampleBox } from './rand_bbox.js';
import { draw, resolveRng, type Rng } from './rng.js';
import { sampleLambda } from './sample_lambda.js';
import {
  assertImages,
  assertInRange,
  assertLabels,
  assertOneOf,
  assertOptions,
  describeValue,
  fail,
  readLam,
} from './validate.js';

/** `'batch'`: one λ and box for the whole batch (the paper). `'elem'`: each sample draws its own. */
export type MixMode = 'batch' | 'elem';

export const MIX_MODES: readonly MixMode[] = ['batch', 'elem'];

/** Options of {@link cutmixBatch}. Every field is optional; unknown keys are rejected. */
export interface CutMixOptions {
  /** Beta(α, α) concentration for λ, finite and > 0. Default 1 (the paper). */
  alpha?: number;
  /** Uniform source in [0, 1) for every draw. Give `rng` or `seed`, not both. Default `Math.random`. */
  rng?: Rng;
  /** Seed for a fresh {@link seededRng}. Each call with the same seed repeats the same draws. */
  seed?: number;
  /** One λ and box per batch (`'batch'`, default) or per sample (`'elem'`). */
  mode?: MixMode;
  /** Partner scheme: `'permutation'` (default), `'flip'` or `'roll'`. */
  partner?: PartnerScheme;
  /** Explicit partner indices (length N), overriding `partner`. */
  partners?: Int32Array | number[];
  /** Injected λ (one number, or one per sample): sets the nominal cut size; the realised λ is returned. */
  lam?: number | Float32Array | number[];
  /** Injected box (one, or one per sample), used as given; λ is then the box's exact area share. */
  box?: Box | Box[];
  /** Chance that the batch (each sample in `'elem'` mode) is mixed. Default 1. */
  prob?: number;
  /** Image layout. Default `'NCHW'`. */
  dataFormat?: DataFormat;
  /** Box placement, see {@link BoxOptions}. Default `'center-clip'`. */
  placement?: Placement;
  /** Box side ratios drawn in `[min, max]` instead of from λ (timm's `cutmix_minmax`). */
  ratioMinMax?: readonly [number, number];
}

export const CUTMIX_OPTION_KEYS = [
  'alpha',
  'rng',
  'seed',
  'mode',
  'partner',
  'partners',
  'lam',
  'box',
  'prob',
  'dataFormat',
  'placement',
  'ratioMinMax',
] as const;

/** What {@link cutmixBatch} returns. Every tensor is new and owned by the caller. */
export interface CutMixResult {
  /** The mixed batch, same shape, layout and dtype as the input. */
  images: Tensor4D;
  /** The input labels (a clone: disposing it never disposes the input). */
  labelsA: Tensor;
  /** The partners' labels: `labels` gathered by `partners`. */
  labelsB: Tensor;
  /** Per-sample λ: the exact share of each sample's pixels kept from itself (1 when not mixed). */
  lam: Float32Array;
  /** Per-sample box pasted from the partner (empty when not mixed). */
  boxes: Box[];
  /** Per-sample partner index. */
  partners: Int32Array;
}

/** The sampled (or injected) parameters of one CutMix batch, before any tensor is touched. */
export interface CutMixPlan {
  lam: Float32Array;
  boxes: Box[];
  partners: Int32Array;
}

/** Fully validated options with defaults filled in. */
export interface Resolved {
  alpha: number;
  rng: Rng;
  mode: MixMode;
  partner: PartnerScheme;
  prob: number;
  dataFormat: DataFormat;
  placement: Placement;
  ratioMinMax: readonly [number, number] | undefined;
}

/** The default only for an absent option: `null` is a wrong value and must reach the checks. */
function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

/** Checks every option of {@link CutMixOptions} and fills in defaults; `allowed` lists accepted keys. */
export function resolveOptions(fn: string, options: CutMixOptions | undefined, allowed: readonly string[]): Resolved {
  assertOptions(fn, 'options', options, allowed);
  const o = options ?? {};
  const alpha = orDefault(o.alpha, 1);
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0) {
    fail(fn, 'options.alpha', 'a finite number > 0', describeValue(alpha));
  }
  const rng = resolveRng(fn, o.rng, o.seed);
  const mode = orDefault(o.mode, 'batch');
  assertOneOf(fn, 'options.mode', mode, MIX_MODES);
  const partner = orDefault(o.partner, 'permutation');
  assertOneOf(fn, 'options.partner', partner, PARTNER_SCHEMES);
  const prob = orDefault(o.prob, 1);
  assertInRange(fn, 'options.prob', prob, 0, 1);
  const dataFormat = orDefault(o.dataFormat, 'NCHW');
  assertOneOf(fn, 'options.dataFormat', dataFormat, DATA_FORMATS);
  const placement = orDefault(o.placement, 'center-clip');
  assertOneOf(fn, 'options.placement', placement, PLACEMENTS);
  if (o.ratioMinMax !== undefined) assertRatioMinMax(fn, 'options.ratioMinMax', o.ratioMinMax);
  return { alpha, rng, mode, partner, prob, dataFormat, placement, ratioMinMax: o.ratioMinMax };
}

function readBox(fn: string, arg: string, b: unknown, h: number, w: number): Box {
  const box = b as Box;
  const ok =
    b !== null &&
    typeof b === 'object' &&
    !Array.isArray(b) &&
    [box.y1, box.x1, box.y2, box.x2].every((v) => typeof v === 'number' && Number.isInteger(v)) &&
    0 <= box.y1 &&
    box.y1 <= box.y2 &&
    box.y2 <= h &&
    0 <= box.x1 &&
    box.x1 <= box.x2 &&
    box.x2 <= w;
  if (!ok) {
    const got =
      b !== null && typeof b === 'object' && !Array.isArray(b)
        ? `{y1: ${describeValue(box.y1)}, x1: ${describeValue(box.x1)}, y2: ${describeValue(box.y2)}, x2: ${describeValue(box.x2)}}`
        : describeValue(b);
    fail(fn, arg, `integers with 0 ≤ y1 ≤ y2 ≤ ${h} and 0 ≤ x1 ≤ x2 ≤ ${w}`, got);
  }
  return { y1: box.y1, x1: box.x1, y2: box.y2, x2: box.x2 };
}

/** One box for every sample, or one per sample; a single box is checked even for an empty batch. */
function readBoxes(fn: string, value: unknown, n: number, h: number, w: number): Box[] {
  if (!Array.isArray(value)) {
    const box = readBox(fn, 'options.box', value, h, w);
    return Array.from({ length: n }, () => ({ ...box }));
  }
  if (value.length !== n) fail(fn, 'options.box.length', `${n} (one box per sample)`, String(value.length));
  return value.map((b, i) => readBox(fn, `options.box[${i}]`, b, h, w));
}

/**
 * Draws (or takes as injected) λ, boxes and partners for a batch of `n` images of `h`×`w`. Pure JavaScript.
 * Draw order, per batch (`'batch'`) or per sample in turn (`'elem'`): the `prob` gate, λ, the box; then
 * the partners. Injected λ and boxes are always applied (`prob` gates only what is sampled).
 */
export function planCutmix(
  fn: string,
  n: number,
  h: number,
  w: number,
  r: Resolved,
  options: CutMixOptions,
): CutMixPlan {
  const injectedLam = options.lam !== undefined ? readLam(fn, 'options.lam', options.lam, n) : undefined;
  const injectedBoxes = options.box !== undefined ? readBoxes(fn, options.box, n, h, w) : undefined;
  const injectedPartners =
    options.partners !== undefined ? readPartners(fn, 'options.partners', options.partners, n) : undefined;

  // Per-sample injected values make every sample its own group, whatever the mode.
  const perSample =
    r.mode === 'elem' || Array.isArray(options.box) || (options.lam !== undefined && typeof options.lam !== 'number');
  const lam = new Float32Array(n);
  const boxes: Box[] = new Array(n);
  const groupSize = perSample ? 1 : n;
  for (let start = 0; start < n; start += groupSize) {
    let box: Box;
    let l: number;
    if (injectedBoxes) {
      box = injectedBoxes[start];
      l = injectedLam ? injectedLam[start] : lamOfBox(box, h, w);
    } else if (injectedLam) {
      ({ box, lam: l } = sampleBox(fn, h, w, injectedLam[start], r.rng, r.placement, r.ratioMinMax));
    } else if (draw(fn, r.rng) < r.prob) {
      const nominal = r.ratioMinMax ? 1 : sampleLambda(r.alpha, r.rng);
      ({ box, lam: l } = sampleBox(fn, h, w, nominal, r.rng, r.placement, r.ratioMinMax));
    } else {
      box = EMPTY_BOX;
      l = 1;
    }
    for (let i = start; i < start + groupSize; i++) {
      boxes[i] = { ...box };
      lam[i] = l;
    }
  }
  const partners = injectedPartners ?? drawPartners(fn, n, r.partner, r.rng);
  return { lam, boxes, partners };
}

/** Flattens boxes into the kernel's `[y1, x1, y2, x2, …]` attribute. */
export function flattenBoxes(boxes: Box[]): Int32Array {
  const flat = new Int32Array(boxes.length * 4);
  boxes.forEach((b, i) => flat.set([b.y1, b.x1, b.y2, b.x2], 4 * i));
  return flat;
}

/**
 * CutMix on a batch: each sample gets a box of its partner's pixels, and λ — the share of its own pixels
 * left — weights its label against the partner's (Yun et al. 2019). Outside its box every output element
 * is the sample's own; inside, the partner's. The paste is one kernel call in both modes.
 *
 * @example
 * ```ts
 * const xs = tf.randomUniform([8, 3, 32, 32]) as tf.Tensor4D;      // NCHW batch
 * const ys = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32');        // class indices
 * const { images, labelsA, labelsB, lam, boxes, partners } = cutmixBatch(xs, ys, { seed: 42 });
 * // images: xs with boxes[i] of sample i replaced by sample partners[i]'s pixels; lam[i] = kept share
 * tf.dispose([xs, ys, images, labelsA, labelsB]);
 * ```
 * @param images `[N, C, H, W]` (or `[N, H, W, C]` with `dataFormat: 'NHWC'`), float32 or int32; dtype is kept.
 * @param labels int32 class indices `[N]`, or float one-hot/soft targets `[N, K]`.
 * @param options See {@link CutMixOptions}.
 * @returns New tensors (owned by the caller) and the λ, boxes and partners used.
 */
export function cutmixBatch(images: Tensor4D, labels: Tensor, options?: CutMixOptions): CutMixResult {
  return cutmixBatchAs('cutmixBatch', images, labels, options);
}

/** How a caller names its image and label arguments in error messages. */
export interface ArgNames {
  images: string;
  labels: string;
}

export const DEFAULT_ARG_NAMES: Readonly<ArgNames> = Object.freeze({ images: 'images', labels: 'labels' });

/** `labels` gathered by `partners` (call inside a tidy); shared by every mixing op's `labelsB`. */
export function partnerLabels(labels: Tensor, partners: Int32Array): Tensor {
  // wasm's gather mis-shapes an empty index list; an empty batch's partner labels are just empty.
  return partners.length === 0 ? tf.clone(labels) : tf.gather(labels, tf.tensor1d(partners, 'int32'));
}

/**
 * {@link cutmixBatch} under another public name: the adapters call it so that a bad argument is reported
 * in the caller's words (`Error in CutMix.mix: …`, `element.xs`). Same checks, draws and result.
 */
export function cutmixBatchAs(
  fn: string,
  images: Tensor4D,
  labels: Tensor,
  options: CutMixOptions | undefined,
  names: ArgNames = DEFAULT_ARG_NAMES,
): CutMixResult {
  const r = resolveOptions(fn, options, CUTMIX_OPTION_KEYS);
  assertImages(fn, names.images, images, r.dataFormat);
  const { n, h, w } = imageDims(images.shape, r.dataFormat);
  assertLabels(fn, names.labels, labels, n, names.images);
  const plan = planCutmix(fn, n, h, w, r, options ?? {});
  const tensors = tf.tidy(() => {
    const mixed = paste(images, plan.partners, flattenBoxes(plan.boxes), r.dataFormat);
    return { images: mixed, labelsA: tf.clone(labels), labelsB: partnerLabels(labels, plan.partners) };
  });
  return { ...tensors, ...plan };
}

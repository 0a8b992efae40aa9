import { PLACEMENTS, type AnyBox, type Box, type Box1D, type Box3D, type BoxSample, type Placement } from './box.js';
import { drawBox, readRatioMinMax } from './draw_box.js';
import { checkedRng, type Rng } from './rng.js';
import {
  assertInRange,
  assertOneOf,
  assertPositiveInteger,
  describeValue,
  fail,
  readOptions,
} from '../common/validate.js';

/** How {@link randBox} and {@link randBbox} size and place their box. */
export interface BoxOptions {
  /**
   * `'center-clip'` (default, the paper's official code): a centre drawn uniformly over every position and
   * a box clipped to the batch, so its realised size is often smaller than 1 − λ.
   * `'inside'`: the box always lies fully inside, each side ⌊Lₖ·(1−λ)^{1/d}⌋; every origin is reachable.
   */
  placement?: Placement;
  /**
   * `[min, max]` with 0 < min ≤ max ≤ 1: draw each axis's side ratio uniformly in this range instead of
   * deriving it from λ (timm's `cutmix_minmax`). The `lam` argument is then ignored.
   */
  ratioMinMax?: readonly [number, number];
}

const BOX_OPTION_KEYS = ['placement', 'ratioMinMax'] as const;

/** The box a spatial shape gets: `[W]` a 1-D box, `[H, W]` a 2-D one, `[D, H, W]` a 3-D one. */
export type BoxForShape<S extends readonly number[]> = S extends readonly [number]
  ? Box1D
  : S extends readonly [number, number]
    ? Box
    : S extends readonly [number, number, number]
      ? Box3D
      : AnyBox;

/** Shared argument checks of the two public box samplers. */
function sampleChecked(
  fn: string,
  spatial: readonly number[],
  lam: unknown,
  rng: unknown,
  options: unknown,
): BoxSample<AnyBox> {
  assertInRange(fn, 'lam', lam, 0, 1);
  const draw = checkedRng(fn, 'rng', rng);
  const o = readOptions(fn, 'options', options, BOX_OPTION_KEYS);
  // Only an absent option takes the default: a null is a wrong value.
  const placement = o.placement === undefined ? 'center-clip' : o.placement;
  assertOneOf(fn, 'options.placement', placement, PLACEMENTS);
  const ratioMinMax =
    o.ratioMinMax === undefined ? undefined : readRatioMinMax(fn, 'options.ratioMinMax', o.ratioMinMax);
  return drawBox(spatial, lam, draw, placement, ratioMinMax);
}

/**
 * Draws a CutMix box for a batch with 1, 2 or 3 spatial axes and returns it with the λ that exactly
 * matches it: `lam = 1 − box volume / total volume`.
 *
 * With d axes each side of the nominal cut is `⌊Lₖ·(1−λ)^{1/d}⌋`, so the cut's volume share is 1 − λ on
 * every rank (√(1−λ) per side is right only in 2-D). `'center-clip'` (default, the paper's): centre
 * uniform over each axis's positions, `⌊cut/2⌋` either side, clipped. `'inside'`: the box lies fully
 * inside. Draws from `rng`, axes outermost first: the ratios (only with `ratioMinMax`), then the positions.
 * `randBox([h, w], …)` equals {@link randBbox}`(h, w, …)` draw for draw.
 *
 * @example
 * ```ts
 * const { box, lam } = randBox([16000], 0.8, seededRng(1));          // 1-D: { x1, x2 }
 * const cube = randBox([64, 128, 128], 0.5, seededRng(1), { placement: 'inside' }); // { z1, y1, x1, z2, y2, x2 }
 * ```
 * @param spatialShape The spatial sizes, outermost first: `[W]`, `[H, W]` or `[D, H, W]`, positive integers.
 * @param lam Target λ in [0, 1]: the nominal cut holds (1 − λ) of the positions. Ignored with `ratioMinMax`.
 * @param rng Uniform source in [0, 1). Default `Math.random`.
 * @param options Placement and `ratioMinMax`; see {@link BoxOptions}.
 * @returns `box`: the drawn box (integers, half-open); `lam`: the share of positions kept.
 */
export function randBox<const S extends readonly number[]>(
  spatialShape: S,
  lam: number,
  rng: Rng = Math.random,
  options?: BoxOptions,
): BoxSample<BoxForShape<S>> {
  const fn = 'randBox';
  const length = Array.isArray(spatialShape) ? spatialShape.length : -1;
  if (length < 1 || length > 3) {
    fail(
      fn,
      'spatialShape',
      'an array of 1 to 3 positive integers ([W], [H, W] or [D, H, W])',
      describeValue(spatialShape),
    );
  }
  // Each size read once, by index: Array.from would read the length again at every step.
  const spatial = Array.from({ length }, (_, i) => spatialShape[i]);
  spatial.forEach((size, i) => assertPositiveInteger(fn, `spatialShape[${i}]`, size));
  return sampleChecked(fn, spatial, lam, rng, options) as BoxSample<BoxForShape<S>>;
}

/**
 * Draws a CutMix box for an image of `height`×`width` pixels and returns it with the λ that exactly
 * matches it: `lam = 1 − (y2−y1)(x2−x1)/(H·W)`, the share of pixels kept from the original image.
 *
 * Default (`placement: 'center-clip'`, the paper's official code): centre `cy ~ U{0..H−1}`,
 * `cx ~ U{0..W−1}`; `cut_h = ⌊H√(1−λ)⌋`, `cut_w = ⌊W√(1−λ)⌋`; the box spans `⌊cut/2⌋` on each side of the
 * centre, clipped to the image. Height always comes from `height`, width from `width`.
 * Draws from `rng`, in order: the two ratios (only with `ratioMinMax`), then y, then x.
 *
 * @example
 * ```ts
 * const { box, lam } = randBbox(224, 224, 0.7, seededRng(1));
 * // box = { y1, x1, y2, x2 } in pixels; lam = 1 − box area / (224·224)
 * ```
 * @param height Image height H in pixels (positive integer).
 * @param width Image width W in pixels (positive integer).
 * @param lam Target λ in [0, 1]: the box's nominal area is (1 − λ)·H·W. Ignored with `ratioMinMax`.
 * @param rng Uniform source in [0, 1). Default `Math.random`.
 * @param options Placement and `ratioMinMax`; see {@link BoxOptions}.
 * @returns `box`: the drawn box (integers, half-open); `lam`: `1 − box area / (H·W)`, the share of pixels kept.
 */
export function randBbox(
  height: number,
  width: number,
  lam: number,
  rng: Rng = Math.random,
  options?: BoxOptions,
): BoxSample {
  const fn = 'randBbox';
  assertPositiveInteger(fn, 'height', height);
  assertPositiveInteger(fn, 'width', width);
  return sampleChecked(fn, [height, width], lam, rng, options) as BoxSample;
}

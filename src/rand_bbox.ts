import { lamOfBox, PLACEMENTS, type Box, type Placement } from './box.js';
import { draw, drawInt, type Rng } from './rng.js';
import {
  assertFunction,
  assertInRange,
  assertOneOf,
  assertOptions,
  assertPositiveInteger,
  describeValue,
  fail,
} from './validate.js';

/** How `randBbox` sizes and places its box. */
export interface BoxOptions {
  /**
   * `'center-clip'` (default, the paper's official code): a centre drawn uniformly over every pixel and
   * a box clipped to the image, so its realised area is often smaller than 1 − λ.
   * `'inside'`: the box always lies fully inside the image with area ⌊H√(1−λ)⌋×⌊W√(1−λ)⌋; every origin is
   * reachable.
   */
  placement?: Placement;
  /**
   * `[min, max]` with 0 < min ≤ max ≤ 1: draw the box's height and width ratios uniformly in this range
   * instead of deriving them from λ (timm's `cutmix_minmax`). The `lam` argument is then ignored.
   */
  ratioMinMax?: readonly [number, number];
}

/** A drawn box and the λ that exactly matches it. */
export interface BoxSample {
  /** The box, in pixels (integers, half-open). */
  box: Box;
  /** `1 − box area / (H·W)`: the share of pixels kept from the original image. */
  lam: number;
}

export const BOX_OPTION_KEYS = ['placement', 'ratioMinMax'] as const;

/** Checks `ratioMinMax`; shared by every function that accepts it. */
export function assertRatioMinMax(fn: string, arg: string, value: unknown): asserts value is readonly [number, number] {
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'number' &&
    value[0] > 0 &&
    value[0] <= value[1] &&
    value[1] <= 1;
  if (!ok) {
    const got = Array.isArray(value) ? `[${value.map(describeValue).join(', ')}]` : describeValue(value);
    fail(fn, arg, 'a pair [min, max] with 0 < min ≤ max ≤ 1', got);
  }
}

/** `randBbox` after its arguments are known to be valid; `cutmixBatch` calls it once per box. */
export function sampleBox(
  fn: string,
  height: number,
  width: number,
  lam: number,
  rng: Rng,
  placement: Placement,
  ratioMinMax: readonly [number, number] | undefined,
): BoxSample {
  let cutH: number;
  let cutW: number;
  if (ratioMinMax) {
    const [lo, hi] = ratioMinMax;
    cutH = Math.floor(height * (lo + (hi - lo) * draw(fn, rng)));
    cutW = Math.floor(width * (lo + (hi - lo) * draw(fn, rng)));
  } else {
    const cutRatio = Math.sqrt(1 - lam);
    cutH = Math.floor(height * cutRatio);
    cutW = Math.floor(width * cutRatio);
  }
  let box: Box;
  if (placement === 'inside') {
    const y1 = drawInt(fn, rng, height - cutH + 1);
    const x1 = drawInt(fn, rng, width - cutW + 1);
    box = { y1, x1, y2: y1 + cutH, x2: x1 + cutW };
  } else {
    // The paper's box: centre on any pixel, ⌊cut/2⌋ either side, clipped (odd cuts lose one pixel).
    const cy = drawInt(fn, rng, height);
    const cx = drawInt(fn, rng, width);
    const halfH = Math.floor(cutH / 2);
    const halfW = Math.floor(cutW / 2);
    box = {
      y1: clip(cy - halfH, height),
      x1: clip(cx - halfW, width),
      y2: clip(cy + halfH, height),
      x2: clip(cx + halfW, width),
    };
  }
  return { box, lam: lamOfBox(box, height, width) };
}

function clip(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
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
  options: BoxOptions = {},
): BoxSample {
  const fn = 'randBbox';
  assertPositiveInteger(fn, 'height', height);
  assertPositiveInteger(fn, 'width', width);
  assertInRange(fn, 'lam', lam, 0, 1);
  assertFunction(fn, 'rng', rng);
  assertOptions(fn, 'options', options, BOX_OPTION_KEYS);
  // Only `undefined` means "default": a null is a wrong value, not an absent one.
  const placement = options.placement === undefined ? 'center-clip' : options.placement;
  assertOneOf(fn, 'options.placement', placement, PLACEMENTS);
  if (options.ratioMinMax !== undefined) assertRatioMinMax(fn, 'options.ratioMinMax', options.ratioMinMax);
  return sampleBox(fn, height, width, lam, rng, placement, options.ratioMinMax);
}

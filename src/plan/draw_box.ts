import { describeValue, fail } from '../common/validate.js';
import { lamOfBox, makeBox, type AnyBox, type BoxSample, type Placement } from './box.js';
import { drawInt, type Draw } from './rng.js';

/** Checks `ratioMinMax` and copies it once; shared by every function that accepts it. */
export function readRatioMinMax(fn: string, arg: string, value: unknown): readonly [number, number] {
  const pair = Array.isArray(value) && value.length === 2 ? [value[0], value[1]] : undefined;
  const ok =
    pair !== undefined &&
    typeof pair[0] === 'number' &&
    typeof pair[1] === 'number' &&
    pair[0] > 0 &&
    pair[0] <= pair[1] &&
    pair[1] <= 1;
  if (!ok) {
    const got = pair ? `[${pair.map(describeValue).join(', ')}]` : describeValue(value);
    fail(fn, arg, 'a pair [min, max] with 0 < min ≤ max ≤ 1', got);
  }
  return Object.freeze([pair[0], pair[1]] as [number, number]);
}

/** The side ratio (1 − λ)^{1/d} with d spatial axes; sqrt and cbrt are exact where pow may not be. */
function sideRatio(lam: number, d: number): number {
  const keep = 1 - lam;
  return d === 1 ? keep : d === 2 ? Math.sqrt(keep) : Math.cbrt(keep);
}

/**
 * The box draw below the boundary (arguments already checked). Draws, in order: each axis's ratio (only
 * with `ratioMinMax`), then each axis's centre or origin; axes outermost first.
 */
export function drawBox(
  spatial: readonly number[],
  lam: number,
  draw: Draw,
  placement: Placement,
  ratioMinMax: readonly [number, number] | undefined,
): BoxSample<AnyBox> {
  const side = sideRatio(lam, spatial.length);
  const ratios = spatial.map(() => (ratioMinMax ? ratioMinMax[0] + (ratioMinMax[1] - ratioMinMax[0]) * draw() : side));
  const cuts = spatial.map((size, i) => Math.floor(size * ratios[i]));
  const lo: number[] = [];
  const hi: number[] = [];
  spatial.forEach((size, i) => {
    if (placement === 'inside') {
      const origin = drawInt(draw, size - cuts[i] + 1);
      lo.push(origin);
      hi.push(origin + cuts[i]);
    } else {
      // The paper's box: centre on any position, ⌊cut/2⌋ either side, clipped (odd cuts lose one).
      const centre = drawInt(draw, size);
      const half = Math.floor(cuts[i] / 2);
      lo.push(Math.max(0, centre - half));
      hi.push(Math.min(size, centre + half));
    }
  });
  const box = makeBox(lo, hi);
  return { box, lam: lamOfBox(box, spatial) };
}

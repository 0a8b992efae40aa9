/**
 * Exact expected pasted share E[box volume / total volume] of a CutMix box, for λ ~ Beta(α, α).
 *
 * Independent of src/: a statement of the box rules in closed arithmetic, used to check the package's
 * statistics and to compute the figures in docs/conventions.md.
 *
 * Rules (d = number of spatial axes, u = 1 − λ, which is also Beta(α, α) because Beta(α, α) is symmetric):
 * - every axis k gets the cut ⌊Lₖ · u^(1/d)⌋;
 * - 'center-clip': the centre is uniform on {0 … Lₖ−1}, the box spans ⌊cut/2⌋ either side of it and is
 *   clipped to [0, Lₖ];
 * - 'inside': the box keeps its cut and lies inside the axis, so its length is the cut.
 *
 * Given λ the axes are independent (independent centres), so E[share | λ] is the product of each axis's
 * expected length over Lₖ. Each factor is a step function of u that changes only where the cut changes,
 * at u = (m / Lₖ)^d, so the integral over λ is a finite sum over the merged breakpoints, weighted by the
 * Beta CDF. Centre positions are summed exactly. The only rounding is floating point.
 */
import jStat from 'jstat';

export type ReferencePlacement = 'center-clip' | 'inside';

/** A step function of u on [0, 1]: `values[i]` holds on `[bounds[i], bounds[i + 1])`. */
interface Steps {
  bounds: number[];
  values: number[];
}

/**
 * E[clipped length] on an axis of length L for a given cut (0 ≤ cut ≤ L), the centre p uniform on
 * {0 … L−1}: the mean over p of min(p + h, L) − max(p − h, 0), h = ⌊cut/2⌋, summed in closed form.
 */
export function centerClipMeanLength(length: number, cut: number): number {
  const h = Math.floor(cut / 2);
  // Σ_p min(p + h, L) = Σ_p (p + h) − Σ_{p > L−h} (p + h − L); Σ_p max(p − h, 0) = Σ_{p > h} (p − h).
  const upper = (length * (length - 1)) / 2 + length * h - (h * (h - 1)) / 2;
  const lower = h <= length - 1 ? ((length - 1 - h) * (length - h)) / 2 : 0;
  return (upper - lower) / length;
}

/** E[clipped length] for MONAI's rule: start s uniform on {0 … L−1}, extent `cut` (≤ L), clipped at L. */
export function startClipMeanLength(length: number, cut: number): number {
  // Σ_s min(cut, L − s) = Σ_{t=1..L} min(cut, t).
  return ((cut * (cut + 1)) / 2 + (length - cut) * cut) / length;
}

/**
 * The cut ⌊L·u^e⌋ (rounding 'floor') or ⌈L·u^e⌉ (rounding 'ceil') as a step function of u, mapped through
 * `meanLength(cut) / L`. ⌊L·u^e⌋ = m on [(m/L)^(1/e), ((m+1)/L)^(1/e)); ⌈L·u^e⌉ = m + 1 on
 * ((m/L)^(1/e), ((m+1)/L)^(1/e)] (the endpoints differ on a set of measure zero).
 */
function axisSteps(
  length: number,
  exponent: number,
  rounding: 'floor' | 'ceil',
  meanLength: (cut: number) => number,
): Steps {
  const bounds: number[] = [];
  const values: number[] = [];
  for (let m = 0; m < length; m++) {
    bounds.push(m === 0 ? 0 : Math.pow(m / length, 1 / exponent));
    values.push(meanLength(rounding === 'floor' ? m : m + 1) / length);
  }
  bounds.push(1);
  return { bounds, values };
}

/** ∫ Π_k steps_k(u) dF(u) over [0, 1], F the Beta(α, α) CDF (exactly u for α = 1). */
function integrate(axes: Steps[], alpha: number): number {
  const cdf = alpha === 1 ? (u: number) => u : (u: number) => jStat.beta.cdf(u, alpha, alpha);
  const points = [...new Set(axes.flatMap((a) => a.bounds))].sort((a, b) => a - b);
  const index = axes.map(() => 0);
  let total = 0;
  let fa = cdf(points[0]);
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const fb = cdf(b);
    let product = 1;
    axes.forEach((axis, k) => {
      while (axis.bounds[index[k] + 1] <= a) index[k]++;
      product *= axis.values[index[k]];
    });
    total += product * (fb - fa);
    fa = fb;
  }
  return total;
}

function checkShape(shape: readonly number[]): void {
  if (shape.length < 1 || shape.length > 3 || !shape.every((l) => Number.isInteger(l) && l >= 1)) {
    throw new Error(`shape must be 1 to 3 positive integers, but got [${shape.join(', ')}].`);
  }
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new Error(`alpha must be a finite number > 0, but got ${alpha}.`);
}

export interface ReferenceOptions {
  /** The side rule's exponent e in ⌊Lₖ·(1−λ)^e⌋. Default 1/d (this package); 1/2 is the 2-D rule on any rank. */
  sideExponent?: number;
}

/**
 * E[pasted volume share] for λ ~ Beta(α, α), each side ⌊Lₖ·(1−λ)^(1/d)⌋, under the given placement.
 *
 * @param shape spatial sizes, 1 to 3 axes (e.g. [W], [H, W], [D, H, W]); the order does not matter.
 */
export function expectedPastedShare(
  shape: readonly number[],
  placement: ReferencePlacement,
  alpha = 1,
  options: ReferenceOptions = {},
): number {
  checkShape(shape);
  checkAlpha(alpha);
  const exponent = options.sideExponent ?? 1 / shape.length;
  const axes = shape.map((length) =>
    axisSteps(length, exponent, 'floor', (cut) => (placement === 'inside' ? cut : centerClipMeanLength(length, cut))),
  );
  return integrate(axes, alpha);
}

/**
 * E[pasted volume share] under MONAI's CutMix box (`monai/transforms/regularization/array.py`): each axis's
 * start uniform on {0 … Lₖ−1}, extent ⌈Lₖ·√(1−λ)⌉ whatever the rank, clipped at Lₖ (one side only).
 */
export function monaiExpectedPastedShare(shape: readonly number[], alpha = 1): number {
  checkShape(shape);
  checkAlpha(alpha);
  const axes = shape.map((length) => axisSteps(length, 1 / 2, 'ceil', (cut) => startClipMeanLength(length, cut)));
  return integrate(axes, alpha);
}

/** E[pasted volume share | λ] under the package's rule: the product of the axes' expected lengths. */
export function expectedPastedShareGivenLambda(
  shape: readonly number[],
  lam: number,
  placement: ReferencePlacement,
): number {
  checkShape(shape);
  const u = 1 - lam;
  return shape.reduce((product, length) => {
    const cut = Math.floor(length * Math.pow(u, 1 / shape.length));
    const mean = placement === 'inside' ? cut : centerClipMeanLength(length, cut);
    return (product * mean) / length;
  }, 1);
}

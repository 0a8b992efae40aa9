import jStat from 'jstat';
import { checkedRng, type Draw, type Rng } from './rng.js';
import { describeValue, fail } from '../common/validate.js';

/**
 * From this α on, Beta(α, α) is drawn from its normal limit N(½, 1/(8α+4)): jstat's incomplete beta loses
 * accuracy near the centre for α around 10⁵ and above, while the normal's CDF error here is below 10⁻⁵.
 */
const NORMAL_FROM = 1e4;
/** Newton steps allowed before the bracket is trusted as it is (a bound, so no input can loop forever). */
const MAX_STEPS = 100;

/** Checks α: finite and > 0. */
export function assertAlpha(fn: string, arg: string, alpha: unknown): asserts alpha is number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0) {
    fail(fn, arg, 'a finite number > 0', describeValue(alpha));
  }
}

/**
 * The lower-half quantile of Beta(α, α): the x in [0, ½) with I_x(α, α) = u for u in (0, ½). Newton's
 * method on the incomplete beta, kept inside a shrinking bracket (bisection when a step leaves it), from
 * the small-x expansion I_x ≈ x^α / (α·B(α, α)). Values below the smallest double come out as 0.
 */
function lowerQuantile(u: number, alpha: number): number {
  const logB = jStat.betaln(alpha, alpha);
  let x = Math.exp((Math.log(u) + Math.log(alpha) + logB) / alpha);
  if (x === 0) return 0;
  if (!(x < 0.5)) x = 0.25;
  let lo = 0;
  let hi = 0.5;
  for (let step = 0; step < MAX_STEPS; step++) {
    const error = jStat.ibeta(x, alpha, alpha) - u;
    if (error === 0) return x;
    if (error < 0) lo = x;
    else hi = x;
    const density = Math.exp((alpha - 1) * (Math.log(x) + Math.log1p(-x)) - logB);
    let next = x - error / density;
    if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
    if (Math.abs(next - x) <= 1e-15 * x || hi - lo <= 1e-15 * hi) return next;
    x = next;
  }
  return x;
}

/**
 * The quantile function of Beta(α, α) at u in [0, 1]: one uniform in, one λ out, no rejection loop. The
 * upper half is the mirror of the lower one, where values near 0 keep their full precision.
 */
export function betaQuantile(u: number, alpha: number): number {
  if (u === 0.5) return 0.5;
  if (alpha >= NORMAL_FROM) {
    const x = 0.5 + jStat.normal.inv(u, 0, 1) / Math.sqrt(8 * alpha + 4);
    return Math.min(1, Math.max(0, x));
  }
  if (u <= 0) return 0;
  return u < 0.5 ? lowerQuantile(u, alpha) : 1 - lowerQuantile(1 - u, alpha);
}

/** λ from one checked draw; for callers below the options boundary. */
export function drawLambda(alpha: number, draw: Draw): number {
  return betaQuantile(draw(), alpha);
}

/**
 * Draws the mixing weight λ ~ Beta(α, α), the share of the image (and label) kept from the original.
 *
 * λ is the Beta quantile of exactly one uniform draw from `rng` (inverse-CDF sampling): every λ costs one
 * draw, so any `rng` — even a constant one — gives an answer at once, and the same stream always gives the
 * same λ. jstat's global random source is never touched. Accurate to about 10⁻⁸ in probability (the
 * limit of jstat's incomplete beta) for α up to 10⁴; above that the normal limit is used (error below 10⁻⁵).
 *
 * @example
 * ```ts
 * const lam = sampleLambda(1, seededRng(0));   // uniform on [0, 1]: α = 1 is the paper's choice
 * ```
 * @param alpha Beta concentration α, finite and > 0. Default 1.
 * @param rng Uniform source in [0, 1). Default `Math.random`.
 * @returns λ in [0, 1].
 */
export function sampleLambda(alpha: number = 1, rng: Rng = Math.random): number {
  assertAlpha('sampleLambda', 'alpha', alpha);
  return drawLambda(alpha, checkedRng('sampleLambda', 'rng', rng));
}

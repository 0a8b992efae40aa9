import jStat from 'jstat';
import { draw, withJStatRandom, type Rng } from './rng.js';
import { assertFunction, describeValue, fail } from './validate.js';

/** Redraws allowed when jstat's Beta sampler returns NaN (it does for α below about 0.01). */
const MAX_REDRAWS = 32;

/**
 * Draws the mixing weight λ ~ Beta(α, α), the share of the image (and label) kept from the original.
 *
 * The draw uses jstat's Beta sampler with `rng` swapped into jstat's global random source for the
 * duration of the call (and restored afterwards), so it is reproducible per seed and never disturbs
 * other users of jstat.
 *
 * jstat returns NaN for tiny α (both gamma draws underflow to 0; 22 % of draws at α = 0.001). Such a
 * draw is repeated, up to 32 times; if every repeat is NaN, λ is taken as 0 or 1 with equal chance,
 * which is the limit of Beta(α, α) as α → 0. The result is never NaN.
 *
 * @example
 * ```ts
 * const lam = sampleLambda(1, seededRng(0));   // uniform on [0, 1]: α = 1 is the paper's choice
 * ```
 * @param alpha Beta concentration α, finite and > 0. Default 1.
 * @param rng Uniform source in [0, 1). Default `Math.random`.
 * @returns λ in [0, 1].
 */
export function sampleLambda(alpha = 1, rng: Rng = Math.random): number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0) {
    fail('sampleLambda', 'alpha', 'a finite number > 0', describeValue(alpha));
  }
  assertFunction('sampleLambda', 'rng', rng);
  // Every uniform jstat consumes is checked, so a broken rng fails with a clear message.
  const checked = () => draw('sampleLambda', rng);
  return withJStatRandom(checked, () => {
    for (let i = 0; i < MAX_REDRAWS; i++) {
      const lam = jStat.beta.sample(alpha, alpha);
      if (!Number.isNaN(lam)) return Math.min(1, Math.max(0, lam));
    }
    return checked() < 0.5 ? 0 : 1;
  });
}

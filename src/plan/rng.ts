import seedrandom from 'seedrandom';
import { describeValue, fail } from '../common/validate.js';

/** A source of uniform random numbers in [0, 1). Every random draw in the package goes through one. */
export type Rng = () => number;

/** An {@link Rng} whose every value has been checked, named after the public argument it came from. */
export type Draw = () => number;

/**
 * A seeded, stateful random source: seedrandom's Alea generator, started from `seed`.
 *
 * Each call of the returned function advances the stream, so one `Rng` drawn from for every batch gives
 * different boxes per batch and the same sequence per seed, on every backend (all sampling is plain
 * JavaScript; tensors never see the generator).
 *
 * @example
 * ```ts
 * const rng = seededRng(42);
 * const lam = sampleLambda(1, rng);          // the same λ for seed 42, every run
 * ```
 * @param seed Any finite number; equal seeds give equal streams.
 */
export function seededRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isFinite(seed))
    fail('seededRng', 'seed', 'a finite number', describeValue(seed));
  const alea = seedrandom.alea(String(seed));
  return () => alea();
}

/**
 * Wraps `rng` once, at the boundary: each draw is checked to be a number in [0, 1), and a bad one is
 * reported as `<arg>()` of the public function `fn` (a broken generator would otherwise place boxes
 * outside the image).
 */
export function checkedRng(fn: string, arg: string, rng: unknown): Draw {
  if (typeof rng !== 'function') fail(fn, arg, 'a function returning numbers in [0, 1)', describeValue(rng));
  return () => {
    const u: unknown = rng();
    if (typeof u !== 'number' || !(u >= 0 && u < 1)) fail(fn, `${arg}()`, 'a number in [0, 1)', describeValue(u));
    // -0 passes the range check; + 0 makes it +0 so no box coordinate or index comes out as -0.
    return u + 0;
  };
}

/** A uniform integer in [0, n). */
export function drawInt(draw: Draw, n: number): number {
  return Math.floor(draw() * n);
}

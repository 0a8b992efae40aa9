import jStat from 'jstat';
import seedrandom from 'seedrandom';
import { describeValue, fail } from './validate.js';

/** A source of uniform random numbers in [0, 1). Every random draw in the package goes through one. */
export type Rng = () => number;

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
 * Runs `fn` with jstat's process-global random source swapped for `rng`, and restores the previous
 * source afterwards even when `fn` throws, so callers never leak their stream into jstat.
 */
export function withJStatRandom<T>(rng: Rng, fn: () => T): T {
  const previous = jStat._random_fn;
  jStat.setRandom(rng);
  try {
    return fn();
  } finally {
    jStat.setRandom(previous);
  }
}

/** An `Rng` from either an injected generator or a seed; `Math.random` when neither is given. */
export function resolveRng(fnName: string, rng: unknown, seed: unknown): Rng {
  if (rng !== undefined && seed !== undefined) {
    fail(fnName, 'options', 'given either rng or seed, not both', 'both');
  }
  if (rng !== undefined) {
    if (typeof rng !== 'function')
      fail(fnName, 'options.rng', 'a function returning numbers in [0, 1)', describeValue(rng));
    return rng as Rng;
  }
  if (seed !== undefined) {
    if (typeof seed !== 'number' || !Number.isFinite(seed))
      fail(fnName, 'options.seed', 'a finite number', describeValue(seed));
    return seededRng(seed);
  }
  return Math.random;
}

/** One draw from `rng`, checked: a broken generator would otherwise produce boxes outside the image. */
export function draw(fnName: string, rng: Rng): number {
  const u = rng();
  if (typeof u !== 'number' || !(u >= 0 && u < 1)) fail(fnName, 'rng()', 'a number in [0, 1)', describeValue(u));
  return u;
}

/** A uniform integer in [0, n). */
export function drawInt(fnName: string, rng: Rng, n: number): number {
  return Math.floor(draw(fnName, rng) * n);
}

/**
 * Means and 95 % t-intervals over seeds: mean ± t₀.₉₇₅,ₙ₋₁ · sd / √n, with the sample standard deviation
 * (n − 1 in the denominator) and Student's t quantile from jstat. Paired differences take the interval of
 * the per-seed differences, which is what "same seed, same initial weights, same batches" buys: the
 * seed-to-seed spread that all arms share cancels.
 */
import jStat from 'jstat';

/** jstat's Student t (the package's declaration of jstat, src/types/jstat.d.ts, covers only what src calls). */
const studentT = (jStat as unknown as { studentt: { inv(p: number, dof: number): number } }).studentt;

export interface Interval {
  mean: number;
  /** Lower and upper end of the 95 % interval (NaN for fewer than 2 values). */
  low: number;
  high: number;
  n: number;
}

/**
 * @param values One value per seed.
 * @param level Two-sided coverage. Default 0.95.
 */
export function tInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  if (n === 0) throw new Error('tInterval needs at least one value');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, low: NaN, high: NaN, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = studentT.inv(1 - (1 - level) / 2, n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half, n };
}

/**
 * The interval of `a[i] − b[i]` over seeds i.
 * @param a One value per seed.
 * @param b The same seeds' values of the arm subtracted.
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): Interval {
  if (a.length !== b.length) throw new Error(`paired values must match: ${a.length} vs ${b.length}`);
  return tInterval(a.map((v, i) => v - b[i]));
}

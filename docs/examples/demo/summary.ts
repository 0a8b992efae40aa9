/**
 * The study's figures: per arm, the mean and 95 % t-interval over seeds of every score; and the paired
 * differences CutMix − plain and CutMix − MixUp, seed by seed.
 */
import type { RunResult } from '../demo.js';
import { pairedDifference, tInterval, type Interval } from './stats.js';
import { ARMS, type Arm } from './train.js';

/** The single-number scores of a run. */
export const SCALARS = {
  testAccuracy: (r: RunResult) => r.test.accuracy,
  testLoss: (r: RunResult) => r.test.loss,
  ece: (r: RunResult) => r.test.ece,
  trainAccuracy: (r: RunResult) => r.train.accuracy,
  objective: (r: RunResult) => r.lastEpochObjective,
  trainSeconds: (r: RunResult) => r.trainSeconds,
};
export type ScalarName = keyof typeof SCALARS;
export const CURVES = ['centre', 'boundary', 'fgsm'] as const;
export type CurveName = (typeof CURVES)[number];

/** Intervals of every scalar and of every point of every curve. */
export interface Stats {
  scalars: Record<ScalarName, Interval>;
  curves: Record<CurveName, Interval[]>;
}

export interface Summary {
  arms: Record<Arm, Stats>;
  cutmixMinusPlain: Stats;
  cutmixMinusMixup: Stats;
}

type Reduce = (perArm: Record<Arm, number[]>) => Interval;

function stats(bySeed: Record<Arm, RunResult[]>, reduce: Reduce): Stats {
  const of = (value: (r: RunResult) => number) => reduce(mapArms((arm) => bySeed[arm].map(value)));
  const names = Object.keys(SCALARS) as ScalarName[];
  const points = (curve: CurveName) =>
    bySeed.plain[0].robustness[curve].map((_, i) => of((r) => r.robustness[curve][i]));
  return {
    scalars: Object.fromEntries(names.map((name) => [name, of(SCALARS[name])])) as Record<ScalarName, Interval>,
    curves: Object.fromEntries(CURVES.map((curve) => [curve, points(curve)])) as Record<CurveName, Interval[]>,
  };
}

function mapArms<T>(f: (arm: Arm) => T): Record<Arm, T> {
  return Object.fromEntries(ARMS.map((arm) => [arm, f(arm)])) as Record<Arm, T>;
}

/**
 * @param runs One run per arm and seed.
 * @param seeds The seeds, in the order the per-seed values are paired.
 */
export function summarize(runs: readonly RunResult[], seeds: readonly number[]): Summary {
  const bySeed = mapArms((arm) =>
    seeds.map((seed) => {
      const run = runs.find((r) => r.arm === arm && r.seed === seed);
      if (!run) throw new Error(`no ${arm} run for seed ${seed}`);
      return run;
    }),
  );
  return {
    arms: mapArms((arm) => stats(bySeed, (v) => tInterval(v[arm]))),
    cutmixMinusPlain: stats(bySeed, (v) => pairedDifference(v.cutmix, v.plain)),
    cutmixMinusMixup: stats(bySeed, (v) => pairedDifference(v.cutmix, v.mixup)),
  };
}

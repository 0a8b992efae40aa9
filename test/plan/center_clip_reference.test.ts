import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { cutmixBatch, randBox } from '../../src/index.js';
import {
  centerClipMeanLength,
  expectedPastedShare,
  expectedPastedShareGivenLambda,
  monaiExpectedPastedShare,
  startClipMeanLength,
  type ReferencePlacement,
} from '../support/center_clip_reference.js';

// The first block holds the package to the reference: the boxes src/ draws, over every position its rng
// can pick, have exactly the reference's mean share. The others re-derive the reference's figures a second
// way (explicit loops over positions, a fine λ grid, a seeded Monte Carlo), so that the yardstick is right.

/** mulberry32: a small seeded generator, enough for Monte Carlo. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** λ ~ Beta(α, α) without jstat: U for α = 1, sin²(πU/2) (arcsine) for α = ½, the median of three U for α = 2. */
function betaSampler(alpha: number, rng: () => number): () => number {
  if (alpha === 1) return rng;
  if (alpha === 0.5) return () => Math.sin((Math.PI * rng()) / 2) ** 2;
  if (alpha === 2) {
    return () => {
      const [, median] = [rng(), rng(), rng()].sort((a, b) => a - b);
      return median;
    };
  }
  throw new Error(`no exact sampler for alpha ${alpha}`);
}

/** Cells i of {0 … L−1} with lo ≤ i < hi, counted one by one. */
function countCells(length: number, lo: number, hi: number): number {
  let n = 0;
  for (let i = 0; i < length; i++) if (i >= lo && i < hi) n++;
  return n;
}

type Rule = ReferencePlacement | 'monai';

/** One drawn box's pasted share under a rule, built from its centre or origin. */
function drawShare(shape: number[], rule: Rule, lam: number, rng: () => number): number {
  const d = shape.length;
  let cells = 1;
  for (const length of shape) {
    const u = 1 - lam;
    if (rule === 'monai') {
      const side = Math.ceil(length * Math.sqrt(u));
      const start = Math.floor(rng() * length);
      cells *= countCells(length, start, start + side);
      continue;
    }
    const cut = Math.floor(length * u ** (1 / d));
    if (rule === 'inside') {
      const origin = Math.floor(rng() * (length - cut + 1));
      cells *= countCells(length, origin, origin + cut);
    } else {
      const centre = Math.floor(rng() * length);
      const half = Math.floor(cut / 2);
      cells *= countCells(length, centre - half, centre + half);
    }
  }
  return cells / shape.reduce((a, b) => a * b, 1);
}

/** Mean and standard error of the pasted share over n draws. */
function monteCarlo(shape: number[], rule: Rule, alpha: number, n: number, seed: number) {
  const rng = mulberry32(seed);
  const lam = betaSampler(alpha, rng);
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const s = drawShare(shape, rule, lam(), rng);
    sum += s;
    sumSq += s * s;
  }
  const mean = sum / n;
  const se = Math.sqrt((sumSq / n - mean * mean) / n);
  return { mean, se };
}

const reference = (shape: number[], rule: Rule, alpha: number) =>
  rule === 'monai' ? monaiExpectedPastedShare(shape, alpha) : expectedPastedShare(shape, rule, alpha);

/** Least common multiple of 1 … k: a grid of that many draws picks every value of ⌊u·K⌋, K ≤ k, equally often. */
function lcmUpTo(k: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let m = 1;
  for (let i = 2; i <= k; i++) m = (m * i) / gcd(m, i);
  return m;
}

/**
 * The mean pasted share of the package's box for one λ over every position: each axis's draw runs over a
 * grid of midpoints fine enough to reach every centre (⌊u·L⌋) and every origin (⌊u·(L − cut + 1)⌋) equally
 * often, axes outermost first, as the package draws them.
 */
function packageMeanShare(shape: number[], lam: number, placement: ReferencePlacement): number {
  const grids = shape.map((length) => lcmUpTo(length + 1));
  const count = grids.reduce((a, b) => a * b, 1);
  let total = 0;
  for (let k = 0; k < count; k++) {
    let rest = k;
    const draws = grids.map((m) => {
      const j = rest % m;
      rest = Math.floor(rest / m);
      return (j + 0.5) / m;
    });
    let next = 0;
    total += 1 - randBox(shape, lam, () => draws[next++], { placement }).lam;
  }
  return total / count;
}

describe("the package's boxes against the exact reference", () => {
  const shapes = [[1], [5], [6], [7], [3, 4], [5, 2], [2, 3, 4], [3, 2, 3]];
  const lams = [0, 0.05, 0.3, 0.5, 0.77, 0.99, 1];
  it.each(shapes.map((shape) => [shape]))(
    'randBox over every position has the reference mean share given λ, shape %j',
    (shape) => {
      for (const placement of ['center-clip', 'inside'] as const) {
        for (const lam of lams) {
          const got = packageMeanShare(shape, lam, placement);
          expect(
            Math.abs(got - expectedPastedShareGivenLambda(shape, lam, placement)),
            `${placement}, λ ${lam}`,
          ).toBeLessThan(1e-12);
        }
      }
    },
  );

  it('tells the placements and the side rule apart (the comparison has power)', () => {
    const clipped = packageMeanShare([7], 0.3, 'center-clip');
    expect(Math.abs(clipped - expectedPastedShareGivenLambda([7], 0.3, 'inside'))).toBeGreaterThan(0.01);
    // The √(1−λ) side on a volume pastes far more than the package's ∛ rule… as the reference says.
    const volume = packageMeanShare([2, 3, 4], 0.5, 'inside');
    expect(Math.abs(volume - expectedPastedShare([2, 3, 4], 'inside', 1, { sideExponent: 1 / 2 }))).toBeGreaterThan(
      0.01,
    );
  });

  it("cutmixBatch's mean pasted share agrees with the reference within 5 standard errors (α = 1, ½, 2)", () => {
    for (const [alpha, spatial, placement] of [
      [1, [6, 5], 'center-clip'],
      [0.5, [7], 'inside'],
      [2, [3, 4, 4], 'center-clip'],
    ] as const) {
      const shape = [4000, 1, ...spatial];
      const images = tf.zeros(shape);
      const labels = tf.zeros([4000], 'int32');
      const r = cutmixBatch(images, labels, { seed: 5, mode: 'elem', alpha, placement });
      tf.dispose([images, labels, r.images, r.labelsA, r.labelsB]);
      const shares = Array.from(r.lam, (l) => 1 - l);
      const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
      const se = Math.sqrt(shares.reduce((a, b) => a + (b - mean) ** 2, 0) / (shares.length - 1) / shares.length);
      expect(Math.abs(mean - expectedPastedShare([...spatial], placement, alpha)), `α ${alpha}`).toBeLessThan(5 * se);
    }
  });
});

describe('expectedPastedShare (exact reference)', () => {
  it('sums centre and start positions exactly (closed forms against position-by-position loops)', () => {
    for (let length = 1; length <= 40; length++) {
      for (let cut = 0; cut <= length; cut++) {
        let centre = 0;
        let start = 0;
        for (let p = 0; p < length; p++) {
          centre += countCells(length, p - Math.floor(cut / 2), p + Math.floor(cut / 2));
          start += countCells(length, p, p + cut);
        }
        expect(centerClipMeanLength(length, cut)).toBeCloseTo(centre / length, 12);
        expect(startClipMeanLength(length, cut)).toBeCloseTo(start / length, 12);
      }
    }
  });

  // Brute force without breakpoints: every centre enumerated, λ integrated on a midpoint grid of G points.
  // Each axis's factor is a step function with at most L jumps of size ≤ 1, so the grid is off by at most
  // (Σ L) / G ≤ 1e-4 here.
  it.each([[[1]], [[5]], [[6]], [[3, 4]], [[5, 2]], [[2, 3, 4]]])(
    'matches a fine λ grid over every centre at α = 1, shape %j',
    (shape) => {
      const grid = 200_000;
      for (const placement of ['center-clip', 'inside'] as const) {
        let total = 0;
        for (let g = 0; g < grid; g++) {
          total += expectedPastedShareGivenLambda(shape, (g + 0.5) / grid, placement);
        }
        expect(Math.abs(expectedPastedShare(shape, placement) - total / grid)).toBeLessThan(1e-4);
      }
    },
  );

  // Seeded Monte Carlo on small shapes, each rule and α ∈ {½, 1, 2} (α ≠ 1 exercises the Beta CDF weights).
  // Tolerance: 5 standard errors of the sample mean (about 0.002–0.004 at n = 60 000).
  const shapes = [[1], [7], [3, 4], [6, 5], [2, 3, 4], [4, 4, 4]];
  const rules: Rule[] = ['center-clip', 'inside', 'monai'];
  const cases = shapes.flatMap((shape) =>
    rules.flatMap((rule) => [0.5, 1, 2].map((alpha) => [shape, rule, alpha] as const)),
  );
  it.each(cases)('agrees with a seeded Monte Carlo: shape %j, %s, α = %s', (shape, rule, alpha) => {
    const { mean, se } = monteCarlo([...shape], rule, alpha, 60_000, shape.length * 1000 + shape[0] * 10 + alpha * 4);
    const exact = reference([...shape], rule, alpha);
    expect(Math.abs(mean - exact)).toBeLessThan(5 * se + 1e-12);
  });

  it('the Monte Carlo tolerance separates the rules (the comparison has power)', () => {
    const { mean, se } = monteCarlo([6, 5], 'inside', 1, 60_000, 7);
    expect(Math.abs(mean - expectedPastedShare([6, 5], 'center-clip'))).toBeGreaterThan(20 * se);
    const wrongExponent = expectedPastedShare([6, 5], 'inside', 1, { sideExponent: 1 / 3 });
    expect(Math.abs(mean - wrongExponent)).toBeGreaterThan(20 * se);
  });

  it('gives the known 2-D values: 0.318 ± 0.01 at 224×224 center-clip, 0.5 ± 0.01 inside', () => {
    expect(Math.abs(expectedPastedShare([224, 224], 'center-clip') - 0.318)).toBeLessThan(0.01);
    expect(Math.abs(expectedPastedShare([224, 224], 'inside') - 0.5)).toBeLessThan(0.01);
  });

  it.each([[[4096]], [[384, 512]], [[320, 384, 448]]])(
    "gives 0.5 ± 0.01 under 'inside' at large sizes, %j",
    (shape) => {
      expect(Math.abs(expectedPastedShare(shape, 'inside') - 0.5)).toBeLessThan(0.01);
    },
  );

  it("gives 0.486 at 64³ under 'inside' (flooring each side)", () => {
    expect(Math.abs(expectedPastedShare([64, 64, 64], 'inside') - 0.486)).toBeLessThan(0.0005);
  });

  // Continuous limits at α = 1 (u = 1 − λ uniform, side s = u^(1/d), each border clips s²/8 on average):
  // E[(s − s²/4)^d]. d = 1: 5/12; d = 2: 1/2 − 1/5 + 1/48; d = 3: 1/2 − 9/28 + 9/128 − 1/192.
  // MONAI (start uniform, one-sided clip, s = √u): E[(√u − u/2)^d]; d = 3: 2/5 − 1/2 + 3/14 − 1/32.
  it.each([
    [[4096], 5 / 12],
    [[384, 512], 1 / 2 - 1 / 5 + 1 / 48],
    [[320, 384, 448], 1 / 2 - 9 / 28 + 9 / 128 - 1 / 192],
  ])("approaches the continuous limit under 'center-clip' at large sizes, %j", (shape, limit) => {
    expect(Math.abs(expectedPastedShare(shape, 'center-clip') - limit)).toBeLessThan(0.003);
  });

  it('approaches the continuous limit for MONAI in 3-D', () => {
    expect(Math.abs(monaiExpectedPastedShare([320, 384, 448]) - (2 / 5 - 1 / 2 + 3 / 14 - 1 / 32))).toBeLessThan(0.002);
  });
});

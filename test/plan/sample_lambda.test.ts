import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import jStatTyped from 'jstat';
import { describe, expect, it } from 'vitest';
import { cutmixBatch, mixupBatch, mixupOrCutmix, sampleLambda, seededRng } from '../../src/index.js';
import { betaQuantile } from '../../src/plan/sample_lambda.js';
import { describeEachBackend } from '../support/backends.js';

/** jstat with the members these tests touch that the package's own declaration leaves out. */
const jStat = jStatTyped as typeof jStatTyped & {
  _random_fn: () => number;
  setRandom(fn: () => number): void;
  beta: { sample(a: number, b: number): number };
};

const BELOW_ONE = 1 - 2 ** -53;

/** One-sample Kolmogorov–Smirnov statistic against Beta(α, α). */
function ksStatistic(samples: number[], alpha: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  return sorted.reduce((d, x, i) => {
    const f = jStat.beta.cdf(x, alpha, alpha);
    return Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  }, 0);
}

/** log B(α, α), independent of jstat: closed forms, tabulated Γ(0.2) and Γ(0.4), Stirling for α ≥ 100. */
function logBeta(a: number): number {
  const exact: Record<number, number> = {
    0.2: Math.log(4.590843711998803 ** 2 / 2.218159543757688),
    0.5: Math.log(Math.PI),
    1: 0,
    2: Math.log(1 / 6),
    10: Math.log(1 / (19 * 48620)), // Γ(10)²/Γ(20) = (9!)²/19! = 1 / (19·C(18, 9))
  };
  if (a in exact) return exact[a];
  const lgamma = (z: number) =>
    (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * z) - 1 / (360 * z ** 3);
  return 2 * lgamma(a) - lgamma(2 * a);
}

/** I_x(α, α) for x ≤ ½ by the hypergeometric series (DLMF 8.17.8), independent of jstat's ibeta. */
function ibetaReference(x: number, a: number): number {
  if (x <= 0) return 0;
  let [term, sum] = [1, 1];
  for (let n = 0; term > 1e-17 * sum; n++) {
    term *= ((2 * a + n) / (a + 1 + n)) * x;
    sum += term;
  }
  return Math.exp(a * Math.log(x) + a * Math.log1p(-x) - Math.log(a) - logBeta(a)) * sum;
}

describe('sampleLambda: one uniform per λ, no loop', () => {
  it('returns at once for constant rngs, in sampleLambda and every mixing op and mode (guarded child process)', () => {
    // A synchronous endless loop cannot be interrupted in-process, so the calls run in a child killed after 60 s.
    const src = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href;
    const code = `
      import * as tf from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-backend-cpu'; import '@tensorflow/tfjs-backend-wasm';
      const { sampleLambda, cutmixBatch, mixupBatch, mixupOrCutmix } = await import(${JSON.stringify(src)});
      let calls = 0;
      for (const backend of ['cpu', 'wasm']) {
        await tf.setBackend(backend);
        const x = tf.zeros([5, 1, 6, 6]), y = tf.tensor1d([0, 1, 2, 3, 4], 'int32');
        for (const u of [0, 0.5, 0.999, ${BELOW_ONE}]) for (const alpha of [0.001, 0.2, 1, 1e5]) {
          const rng = () => u;
          if (!(sampleLambda(alpha, rng) >= 0)) throw new Error('bad λ');
          calls++;
          for (const mode of ['batch', 'elem', 'pair']) {
            const results = [cutmixBatch(x, y, { rng, alpha, mode }), mixupBatch(x, y, { rng, alpha, mode }),
              mixupOrCutmix(x, y, { rng, mode, cutmixAlpha: alpha, mixupAlpha: alpha })];
            for (const r of results) { tf.dispose([r.images, r.labelsA, r.labelsB]); calls++; }
          }
        }
        tf.dispose([x, y]);
      }
      console.log('CALLS ' + calls);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal, 'the child was killed: a call did not return').toBeNull();
    expect(child.stderr.includes('Error') ? child.stderr : '').toBe('');
    expect(child.stdout).toContain('CALLS 320');
  });

  it('takes exactly one draw per λ, for every α', () => {
    for (const alpha of [0.001, 0.01, 0.2, 0.5, 1, 2, 10, 9999, 1e4, 1e6]) {
      for (const u of [0, 1e-300, 0.25, 0.5, 0.75, BELOW_ONE]) {
        let draws = 0;
        // Bounded, so a sampler that loops on a constant stream fails here instead of hanging the run.
        const lam = sampleLambda(alpha, () => {
          if (++draws > 1000) throw new Error(`more than 1000 draws for one λ (α ${alpha}, u ${u})`);
          return u;
        });
        expect(draws).toBe(1);
        expect(lam >= 0 && lam <= 1).toBe(true);
      }
    }
  });

  it("works with an rng that itself calls jstat's sampler (no stack overflow)", () => {
    const rng = () => jStat.beta.sample(2, 2);
    for (let i = 0; i < 200; i++) expect(sampleLambda(0.4, rng)).toBeGreaterThanOrEqual(0);
  });

  it('is non-decreasing in u and symmetric: q(1 − u) = 1 − q(u)', () => {
    for (const alpha of [0.01, 0.2, 1, 10, 1e5]) {
      let previous = 0;
      for (let k = 0; k <= 2000; k++) {
        const u = k / 2000;
        const q = betaQuantile(u, alpha);
        expect(q).toBeGreaterThanOrEqual(previous);
        expect(Math.abs(betaQuantile(1 - u, alpha) - (1 - q))).toBeLessThan(1e-12);
        previous = q;
      }
    }
  });

  it('is reproducible per seed and different across seeds', () => {
    const take = (seed: number) => ((r) => Array.from({ length: 5 }, () => sampleLambda(1, r)))(seededRng(seed));
    expect(take(1)).toEqual(take(1));
    expect(take(1)).not.toEqual(take(2));
  });
});

describe('sampleLambda: distribution and accuracy', () => {
  it.each([0.2, 0.5, 1, 2, 10])('passes a KS test against Beta(α, α) at α = %s (n = 5000, 0.1 % level)', (alpha) => {
    const rng = seededRng(alpha * 1000 + 1);
    const samples = Array.from({ length: 5000 }, () => sampleLambda(alpha, rng));
    expect(ksStatistic(samples, alpha)).toBeLessThan(1.95 / Math.sqrt(5000));
  });

  it.each([
    [2, 1],
    [10, 5],
    [0.2, 0.5],
  ])('fails the same KS test when drawn with α = %s but tested against α = %s (power)', (drawn, tested) => {
    const rng = seededRng(5);
    const samples = Array.from({ length: 5000 }, () => sampleLambda(drawn, rng));
    expect(ksStatistic(samples, tested)).toBeGreaterThan(1.95 / Math.sqrt(5000));
  });

  it.each([0.001, 0.01])('tiny α = %s: never NaN, mass at {0, 1} as I_ε ≈ ε^α predicts, split at ½', (alpha) => {
    const rng = seededRng(11);
    const n = 20_000;
    const lams = Array.from({ length: n }, () => sampleLambda(alpha, rng));
    expect(lams.every((l) => l >= 0 && l <= 1)).toBe(true);
    // P(min(λ, 1−λ) < ε) = 2·I_ε(α, α) ≈ ε^α (α·B(α, α) → 2): 0.986 for α = 0.001, 0.871 for α = 0.01.
    const near = lams.filter((l) => Math.min(l, 1 - l) < 1e-6).length / n;
    const p = 1e-6 ** alpha;
    expect(Math.abs(near - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    const below = lams.filter((l) => l < 0.5).length / n;
    expect(Math.abs(below - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
  });

  it.each([1e4, 1e5, 1e6])('huge α = %s: mean ½ and variance 1/(8α+4)', (alpha) => {
    const rng = seededRng(13);
    const n = 20_000;
    const lams = Array.from({ length: n }, () => sampleLambda(alpha, rng));
    const mean = lams.reduce((s, v) => s + v, 0) / n;
    const variance = lams.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    const sigma2 = 1 / (8 * alpha + 4);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(sigma2 / n));
    expect(Math.abs(variance / sigma2 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  it('above α = 10⁴ is exactly the normal limit N(½, 1/(8α+4)) at known quantiles of the standard normal', () => {
    // Φ(z) for z = −2, −1, 1, 2.5 (to 16 digits). Beta(α, α) has variance 1/(8α+4) exactly; 1/(8α) would move
    // λ by ≈ 9e-8 · z at α = 10⁴, which a statistical test of 20 000 draws cannot see.
    const points: [number, number][] = [
      [-2, 0.02275013194817921],
      [-1, 0.15865525393145707],
      [1, 0.8413447460685429],
      [2.5, 0.9937903346742238],
    ];
    for (const alpha of [1e4, 3e4, 1e6]) {
      for (const [z, u] of points) {
        expect(
          Math.abs(betaQuantile(u, alpha) - (0.5 + z / Math.sqrt(8 * alpha + 4))),
          `α ${alpha}, z ${z}`,
        ).toBeLessThan(1e-9);
      }
    }
  });

  it('inverts the CDF: max |I_λ(α, α) − u| over u on a grid of (0, ½)', () => {
    // Measured (this reference, u = k/10⁴ and 10⁻³⁰⁰…10⁻⁵): α 0.2 1.8e-8, 0.5 1.8e-8, 1 5.6e-16, 2 1.2e-15,
    // 10 6.6e-9 (jstat's ibeta stops its continued fraction at 3e-7 per step: the limit is there, not in
    // the Newton loop); normal limit from α = 10⁴: 6.9e-6 (10⁴), 6.9e-7 (10⁵), 6.9e-8 (10⁶).
    for (const x of [1e-9, 0.01, 0.3, 0.49]) {
      // The reference itself, against closed forms: I_x(2, 2) = 3x² − 2x³, I_x(½, ½) = (2/π)·asin √x.
      expect(ibetaReference(x, 2)).toBeCloseTo(3 * x ** 2 - 2 * x ** 3, 15);
      expect(ibetaReference(x, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(x)), 14);
    }
    const grid = [1e-300, 1e-30, 1e-8, ...Array.from({ length: 499 }, (_, k) => (k + 1) / 1000)];
    const worst = (alpha: number) =>
      Math.max(...grid.map((u) => Math.abs(ibetaReference(betaQuantile(u, alpha), alpha) - u)));
    for (const alpha of [0.2, 0.5, 1, 2, 10]) expect(worst(alpha), `α = ${alpha}`).toBeLessThan(1e-7);
    for (const alpha of [1e4, 1e5, 1e6]) expect(worst(alpha), `α = ${alpha}`).toBeLessThan(1e-5);
  });

  it('costs a few microseconds per λ', () => {
    // Measured (median of 7 × 20 000 draws, 2 busy cores): 0.35 µs at α = 1, 1.1–2.1 µs at α 0.001–10,
    // 3.2 µs at α = 100, 0.3 µs from 10⁴ (normal limit); jstat's old rejection sampler took 0.3–0.5 µs.
    // The bound (15× the worst) catches a return to long loops, not noise.
    const rng = seededRng(3);
    for (const alpha of [0.2, 1, 10, 100]) {
      for (let i = 0; i < 500; i++) sampleLambda(alpha, rng);
      const start = performance.now();
      for (let i = 0; i < 5000; i++) sampleLambda(alpha, rng);
      expect(((performance.now() - start) * 1000) / 5000).toBeLessThan(50);
    }
  });
});

describe('sampleLambda: bad input', () => {
  it.each([
    [0, '0'],
    [-1, '-1'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [null, 'null'],
    ['1', '"1"'],
  ])('rejects alpha = %s', (alpha, shown) => {
    expect(() => sampleLambda(alpha as number)).toThrow(
      new Error(`Error in sampleLambda: alpha must be a finite number > 0, but got ${shown}.`),
    );
  });

  it('rejects an rng that is not a function or returns a value outside [0, 1), drawing nothing for a bad α', () => {
    expect(() => sampleLambda(1, 3 as never)).toThrow(
      new Error('Error in sampleLambda: rng must be a function returning numbers in [0, 1), but got 3.'),
    );
    expect(() => sampleLambda(1, () => 1)).toThrow(
      new Error('Error in sampleLambda: rng() must be a number in [0, 1), but got 1.'),
    );
    let draws = 0;
    expect(() => sampleLambda(-1, () => (draws++, 0.5))).toThrow('alpha');
    expect(draws).toBe(0);
  });
});

describeEachBackend("jstat's global random source", () => {
  it('is never read, written or replaced by sampleLambda or any mixing op, in any mode', () => {
    const original = jStat._random_fn;
    const setRandom = jStat.setRandom;
    let touched = 0;
    Object.defineProperty(jStat, '_random_fn', {
      configurable: true,
      get: () => (touched++, original),
      set: () => void touched++,
    });
    jStat.setRandom = () => void touched++;
    const [x, y] = [tf.zeros([4, 1, 5, 5]), tf.tensor1d([0, 1, 2, 3], 'int32')];
    try {
      const rng = seededRng(4);
      for (const alpha of [0.01, 1, 1e5]) sampleLambda(alpha, rng);
      for (const mode of ['batch', 'elem', 'pair'] as const) {
        const results = [
          cutmixBatch(x, y, { rng, mode }),
          mixupBatch(x, y, { rng, mode }),
          mixupOrCutmix(x, y, { rng, mode }),
        ];
        results.forEach((r) => tf.dispose([r.images, r.labelsA, r.labelsB]));
      }
    } finally {
      Object.defineProperty(jStat, '_random_fn', {
        value: original,
        writable: true,
        configurable: true,
        enumerable: true,
      });
      jStat.setRandom = setRandom;
      tf.dispose([x, y]);
    }
    expect(touched).toBe(0);
  });

  it("cutmixBatch works with an rng that calls jstat's sampler", () => {
    const [x, y] = [tf.zeros([4, 1, 5, 5]), tf.tensor1d([0, 1, 2, 3], 'int32')];
    const r = cutmixBatch(x, y, { rng: () => jStat.beta.sample(2, 2), mode: 'elem' });
    expect(r.lam.every((l) => l >= 0 && l <= 1)).toBe(true);
    tf.dispose([x, y, r.images, r.labelsA, r.labelsB]);
  });
});

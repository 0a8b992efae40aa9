import jStat from 'jstat';
import { expect, it } from 'vitest';
import { sampleLambda, seededRng } from '../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from './support/backends.js';

/** One-sample Kolmogorov–Smirnov statistic against Beta(α, α). */
function ksStatistic(samples: number[], alpha: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  sorted.forEach((x, i) => {
    const f = jStat.beta.cdf(x, alpha, alpha);
    d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  });
  return d;
}

describeEachBackend('sampleLambda', () => {
  it.each([0.2, 1, 2])('passes a KS test against Beta(%s, %s)', (alpha) => {
    const rng = seededRng(alpha * 1000);
    const n = 5000;
    const samples = Array.from({ length: n }, () => sampleLambda(alpha, rng));
    // Critical value at the 0.1 % level: 1.95 / √n.
    expect(ksStatistic(samples, alpha)).toBeLessThan(1.95 / Math.sqrt(n));
  });

  it('would fail the KS test for the wrong α (the test has power)', () => {
    const rng = seededRng(5);
    const samples = Array.from({ length: 5000 }, () => sampleLambda(2, rng));
    expect(ksStatistic(samples, 1)).toBeGreaterThan(1.95 / Math.sqrt(5000));
  });

  it('never returns NaN, even for tiny α where jstat does', () => {
    const rng = seededRng(11);
    for (let i = 0; i < 20_000; i++) {
      const lam = sampleLambda(0.001, rng);
      expect(lam >= 0 && lam <= 1).toBe(true);
    }
  });

  it('is reproducible per seed and different across seeds', () => {
    const a = Array.from({ length: 5 }, ((r) => () => sampleLambda(1, r))(seededRng(1)));
    const b = Array.from({ length: 5 }, ((r) => () => sampleLambda(1, r))(seededRng(1)));
    const c = Array.from({ length: 5 }, ((r) => () => sampleLambda(1, r))(seededRng(2)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("restores jstat's global random source, also when the rng throws", () => {
    const before = jStat._random_fn;
    sampleLambda(1, seededRng(0));
    expect(jStat._random_fn).toBe(before);
    expect(() =>
      sampleLambda(1, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(jStat._random_fn).toBe(before);
  });

  it.each([
    [0, '0'],
    [-1, '-1'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    ['1', '"1"'],
  ])('rejects alpha = %s', (alpha, shown) => {
    expectThrowsNoLeak(
      () => sampleLambda(alpha as number),
      `Error in sampleLambda: alpha must be a finite number > 0, but got ${shown}.`,
    );
  });

  it('rejects an rng that is not a function or returns values outside [0, 1)', () => {
    expectThrowsNoLeak(() => sampleLambda(1, 3 as never), 'Error in sampleLambda: rng must be a function, but got 3.');
    expectThrowsNoLeak(() => sampleLambda(1, () => NaN), 'Error in sampleLambda: rng() must be a number in [0, 1), but got NaN.');
  });
});

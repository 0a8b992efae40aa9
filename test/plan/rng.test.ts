import { describe, expect, it } from 'vitest';
import { randBox, seededRng } from '../../src/index.js';
import { checkedRng, drawInt } from '../../src/plan/rng.js';

/** The largest double below 1: the largest value an rng may return. */
const BELOW_ONE = 1 - 2 ** -53;

describe('seededRng', () => {
  it('repeats its stream per seed, differs across seeds, and stays in [0, 1)', () => {
    const take = (rng: () => number, n: number) => Array.from({ length: n }, rng);
    const a = take(seededRng(7), 1000);
    expect(take(seededRng(7), 1000)).toEqual(a);
    expect(take(seededRng(8), 1000)).not.toEqual(a);
    expect(a.every((u) => u >= 0 && u < 1)).toBe(true);
  });

  it('gives each call its own state: two generators from one seed do not share a stream', () => {
    const r1 = seededRng(3);
    const r2 = seededRng(3);
    const first = r1();
    r1();
    expect(r2()).toBe(first);
  });

  it.each([
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['1', '"1"'],
    [null, 'null'],
    [undefined, 'undefined'],
  ])('rejects seed %s', (seed, shown) => {
    expect(() => seededRng(seed as number)).toThrow(
      new Error(`Error in seededRng: seed must be a finite number, but got ${shown}.`),
    );
  });
});

describe('checkedRng', () => {
  it('does not call the rng when wrapping it, and calls it exactly once per draw', () => {
    let calls = 0;
    const draw = checkedRng('f', 'options.rng', () => {
      calls++;
      return 0.25;
    });
    expect(calls).toBe(0);
    expect([draw(), draw(), draw()]).toEqual([0.25, 0.25, 0.25]);
    expect(calls).toBe(3);
  });

  it('passes every value of [0, 1) through unchanged', () => {
    for (const u of [0, Number.MIN_VALUE, 0.5, BELOW_ONE]) expect(checkedRng('f', 'rng', () => u)()).toBe(u);
  });

  it('turns a -0 draw into +0, so no box coordinate or index comes out as -0', () => {
    expect(Object.is(checkedRng('f', 'rng', () => -0)(), 0)).toBe(true);
    const { box } = randBox([10, 10], 0.5, () => -0, { placement: 'inside' });
    expect(Object.values(box).every((v) => !Object.is(v, -0))).toBe(true);
  });

  it.each([
    [1, '1'],
    [-0.1, '-0.1'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['0.5', '"0.5"'],
    [undefined, 'undefined'],
    [null, 'null'],
  ])('reports a draw of %s in the public name of the argument', (u, shown) => {
    const draw = checkedRng('cutmixBatch', 'options.rng', () => u as number);
    expect(draw).toThrow(
      new Error(`Error in cutmixBatch: options.rng() must be a number in [0, 1), but got ${shown}.`),
    );
  });

  it('rejects a non-function when wrapping', () => {
    expect(() => checkedRng('f', 'rng', 0.5)).toThrow(
      new Error('Error in f: rng must be a function returning numbers in [0, 1), but got 0.5.'),
    );
  });

  it('lets an error thrown by the rng itself through unchanged', () => {
    const boom = new Error('boom');
    expect(
      checkedRng('f', 'rng', () => {
        throw boom;
      }),
    ).toThrow(boom);
  });
});

describe('drawInt', () => {
  it('maps [0, 1) onto 0 … n−1: the smallest draw gives 0, the largest n − 1, for every n ≤ 4096', () => {
    for (let n = 1; n <= 4096; n++) {
      expect(drawInt(() => 0, n)).toBe(0);
      const top = drawInt(() => BELOW_ONE, n);
      if (top !== n - 1) expect.fail(`drawInt(1 − 2⁻⁵³, ${n}) = ${top}`);
    }
  });

  it('is uniform: each of 7 values within 4 standard errors over 70 000 seeded draws', () => {
    const rng = seededRng(12);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[drawInt(rng, 7)]++;
    const sd = Math.sqrt(70_000 * (1 / 7) * (6 / 7));
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(4 * sd);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/index.js';
import { checkPartners, drawPartners } from '../../src/plan/partners.js';

/** A draw function that replays `values` and records how many were taken. */
function scripted(values: number[]): { draw: () => number; count: () => number } {
  let i = 0;
  return {
    draw: () => {
      if (i >= values.length) throw new Error(`draw ${i} was not scripted`);
      return values[i++];
    },
    count: () => i,
  };
}

const counting = (rng: () => number) => {
  let n = 0;
  return { draw: () => (n++, rng()), count: () => n };
};

describe('drawPartners', () => {
  it("'flip' pairs i with N−1−i and 'roll' with i−1 mod N, drawing nothing", () => {
    const expectations: [number, number[], number[]][] = [
      [0, [], []],
      [1, [0], [0]],
      [2, [1, 0], [1, 0]],
      [5, [4, 3, 2, 1, 0], [4, 0, 1, 2, 3]],
    ];
    for (const [n, flip, roll] of expectations) {
      const none = scripted([]);
      expect(Array.from(drawPartners(n, 'flip', none.draw))).toEqual(flip);
      expect(Array.from(drawPartners(n, 'roll', none.draw))).toEqual(roll);
      expect(none.count()).toBe(0);
    }
  });

  it("'roll' never pairs a sample with itself when N ≥ 2; 'flip' only the middle of an odd batch", () => {
    for (let n = 2; n <= 33; n++) {
      const roll = drawPartners(n, 'roll', () => 0);
      const flip = drawPartners(n, 'flip', () => 0);
      expect(roll.every((p, i) => p !== i)).toBe(true);
      const selfPaired = Array.from(flip.keys()).filter((i) => flip[i] === i);
      expect(selfPaired).toEqual(n % 2 === 1 ? [(n - 1) / 2] : []);
    }
  });

  it("'permutation' is Fisher–Yates from the top: j = ⌊u·(i+1)⌋ for i = N−1 … 1, one draw each", () => {
    // N = 4, draws 0.9, 0, 0.5: i=3 j=3 (stay), i=2 j=0 (swap 2↔0), i=1 j=1 (stay) → [2, 1, 0, 3].
    const s = scripted([0.9, 0, 0.5]);
    expect(Array.from(drawPartners(4, 'permutation', s.draw))).toEqual([2, 1, 0, 3]);
    expect(s.count()).toBe(3);
    // All-zero draws swap each position with 0 in turn: [1, 2, 3, 0].
    expect(Array.from(drawPartners(4, 'permutation', () => 0))).toEqual([1, 2, 3, 0]);
    // The largest draws never swap: the identity.
    expect(Array.from(drawPartners(4, 'permutation', () => 1 - 2 ** -53))).toEqual([0, 1, 2, 3]);
  });

  it("'permutation' always returns a permutation and takes exactly max(N − 1, 0) draws", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, seed) => {
        const c = counting(seededRng(seed));
        const p = drawPartners(n, 'permutation', c.draw);
        expect(p).toBeInstanceOf(Int32Array);
        expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(c.count()).toBe(Math.max(n - 1, 0));
      }),
    );
  });

  it("'permutation' is uniform over the 24 orders of 4 (chi-square, 24 000 seeded shuffles)", () => {
    const rng = seededRng(99);
    const counts = new Map<string, number>();
    const runs = 24_000;
    for (let r = 0; r < runs; r++) {
      const key = drawPartners(4, 'permutation', rng).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - 1000) ** 2 / 1000, 0);
    // 23 degrees of freedom: 49.7 is the 0.1 % critical value. A shuffle with the classic
    // off-by-one (j = ⌊u·i⌋, never staying) reaches only 6 orders and fails the size check.
    expect(chi2).toBeLessThan(49.7);
  });
});

describe('checkPartners', () => {
  it('returns a fresh Int32Array of the given indices', () => {
    const given = [2, 0, 1];
    const out = checkPartners('f', 'options.partners', given, 3);
    expect(out).toEqual(Int32Array.of(2, 0, 1));
    expect(Array.from(checkPartners('f', 'p', [-0], 1))).toEqual([0]);
  });

  it.each([
    [[0, 1], 3, 'Error in f: options.partners.length must be 3 (one partner per sample), but got 2.'],
    [[0, 3, 1], 3, 'Error in f: options.partners[1] must be an integer index in [0, 3), but got 3.'],
    [[0, -1, 1], 3, 'Error in f: options.partners[1] must be an integer index in [0, 3), but got -1.'],
    [[0.5], 1, 'Error in f: options.partners[0] must be an integer index in [0, 1), but got 0.5.'],
    [[NaN], 1, 'Error in f: options.partners[0] must be an integer index in [0, 1), but got NaN.'],
    [[0], 0, 'Error in f: options.partners.length must be 0 (one partner per sample), but got 1.'],
  ])('rejects %j for a batch of %i', (partners, n, message) => {
    expect(() => checkPartners('f', 'options.partners', partners, n)).toThrow(new Error(message));
  });
});

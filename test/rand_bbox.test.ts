import fc from 'fast-check';
import { expect, it } from 'vitest';
import { randBbox, sampleLambda, seededRng } from '../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from './support/backends.js';

const size = fc.integer({ min: 1, max: 512 });
const unit = fc.double({ min: 0, max: 1, noNaN: true });

describeEachBackend('randBbox', () => {
  it('stays inside the image and returns λ = 1 − area/(H·W) exactly (center-clip)', () => {
    fc.assert(
      fc.property(size, size, unit, fc.integer(), (h, w, lam, seed) => {
        const { box, lam: got } = randBbox(h, w, lam, seededRng(seed));
        expect(0 <= box.y1 && box.y1 <= box.y2 && box.y2 <= h).toBe(true);
        expect(0 <= box.x1 && box.x1 <= box.x2 && box.x2 <= w).toBe(true);
        expect([box.y1, box.x1, box.y2, box.x2].every(Number.isInteger)).toBe(true);
        expect(got).toBe(1 - ((box.y2 - box.y1) * (box.x2 - box.x1)) / (h * w));
        // The box never exceeds the nominal cut ⌊L√(1−λ)⌋ on either axis.
        expect(box.y2 - box.y1).toBeLessThanOrEqual(Math.floor(h * Math.sqrt(1 - lam)));
        expect(box.x2 - box.x1).toBeLessThanOrEqual(Math.floor(w * Math.sqrt(1 - lam)));
      }),
      { numRuns: 500 },
    );
  });

  it("'inside' keeps the whole nominal box: area ⌊H√(1−λ)⌋×⌊W√(1−λ)⌋", () => {
    fc.assert(
      fc.property(size, size, unit, fc.integer(), (h, w, lam, seed) => {
        const { box, lam: got } = randBbox(h, w, lam, seededRng(seed), { placement: 'inside' });
        expect(box.y2 - box.y1).toBe(Math.floor(h * Math.sqrt(1 - lam)));
        expect(box.x2 - box.x1).toBe(Math.floor(w * Math.sqrt(1 - lam)));
        expect(0 <= box.y1 && box.y2 <= h && 0 <= box.x1 && box.x2 <= w).toBe(true);
        expect(got).toBe(1 - ((box.y2 - box.y1) * (box.x2 - box.x1)) / (h * w));
      }),
      { numRuns: 500 },
    );
  });

  it("'inside' reaches every origin, the last one included", () => {
    const rng = seededRng(3);
    const seen = new Set<string>();
    // 10×7 image, λ = 0.75 → a 5×3 box: origins y1 ∈ 0..5, x1 ∈ 0..4.
    for (let i = 0; i < 3000; i++) {
      const { box } = randBbox(10, 7, 0.75, rng, { placement: 'inside' });
      seen.add(`${box.y1},${box.x1}`);
    }
    expect(seen.size).toBe(6 * 5);
  });

  it('pins the axis convention on a non-square image: height from H, width from W', () => {
    // λ = 0.75 → √(1−λ) = 0.5: the nominal cut is 50 rows × 5 columns of a 100×10 image.
    const { box } = randBbox(100, 10, 0.75, () => 0.5, { placement: 'inside' });
    expect(box.y2 - box.y1).toBe(50);
    expect(box.x2 - box.x1).toBe(5);
    // center-clip: centre (50, 5), half-sizes 25 and 2.
    const clipped = randBbox(100, 10, 0.75, () => 0.5);
    expect(clipped.box).toEqual({ y1: 25, x1: 3, y2: 75, x2: 7 });
  });

  it('λ = 1 gives an empty box and λ = 0 a box of the nominal full size', () => {
    expect(randBbox(8, 8, 1, seededRng(0)).lam).toBe(1);
    const full = randBbox(8, 6, 0, seededRng(0), { placement: 'inside' });
    expect(full.box).toEqual({ y1: 0, x1: 0, y2: 8, x2: 6 });
    expect(full.lam).toBe(0);
  });

  it('ratioMinMax draws box sides in [min, max] of each dimension', () => {
    fc.assert(
      fc.property(size, size, fc.integer(), (h, w, seed) => {
        const { box, lam } = randBbox(h, w, 0.5, seededRng(seed), { ratioMinMax: [0.2, 0.6], placement: 'inside' });
        expect(box.y2 - box.y1).toBeGreaterThanOrEqual(Math.floor(0.2 * h));
        expect(box.y2 - box.y1).toBeLessThanOrEqual(Math.floor(0.6 * h));
        expect(box.x2 - box.x1).toBeGreaterThanOrEqual(Math.floor(0.2 * w));
        expect(box.x2 - box.x1).toBeLessThanOrEqual(Math.floor(0.6 * w));
        expect(lam).toBe(1 - ((box.y2 - box.y1) * (box.x2 - box.x1)) / (h * w));
      }),
    );
  });

  it('the same seed gives the same box', () => {
    expect(randBbox(224, 160, 0.3, seededRng(9))).toEqual(randBbox(224, 160, 0.3, seededRng(9)));
  });

  it.each([
    [0.318, 'center-clip'],
    [0.5, 'inside'],
  ] as const)('mean pasted fraction at 224×224, α = 1 is %s under %s', (expected, placement) => {
    const rng = seededRng(2024);
    let sum = 0;
    const draws = 40_000;
    for (let i = 0; i < draws; i++) sum += 1 - randBbox(224, 224, sampleLambda(1, rng), rng, { placement }).lam;
    expect(Math.abs(sum / draws - expected)).toBeLessThan(0.01);
  });

  it.each([
    [() => randBbox(0, 4, 0.5), 'Error in randBbox: height must be a positive integer, but got 0.'],
    [() => randBbox(4, 2.5, 0.5), 'Error in randBbox: width must be a positive integer, but got 2.5.'],
    [() => randBbox(4, 4, 1.5), 'Error in randBbox: lam must be a number in [0, 1], but got 1.5.'],
    [() => randBbox(4, 4, NaN), 'Error in randBbox: lam must be a number in [0, 1], but got NaN.'],
    [() => randBbox(4, 4, -0.1), 'Error in randBbox: lam must be a number in [0, 1], but got -0.1.'],
    [
      () => randBbox(4, 4, 0.5, Math.random, { placement: 'outside' as never }),
      "Error in randBbox: options.placement must be one of 'center-clip', 'inside', but got \"outside\".",
    ],
    [
      () => randBbox(4, 4, 0.5, Math.random, { ratioMinMax: [0, 0.5] }),
      'Error in randBbox: options.ratioMinMax must be a pair [min, max] with 0 < min ≤ max ≤ 1, but got [0, 0.5].',
    ],
    [
      () => randBbox(4, 4, 0.5, Math.random, { ratioMinMax: [0.6, 0.5] }),
      'Error in randBbox: options.ratioMinMax must be a pair [min, max] with 0 < min ≤ max ≤ 1, but got [0.6, 0.5].',
    ],
    [
      () => randBbox(4, 4, 0.5, () => 1),
      'Error in randBbox: rng() must be a number in [0, 1), but got 1.',
    ],
    [
      () => randBbox(4, 4, 0.5, Math.random, { placment: 'inside' } as never),
      "Error in randBbox: options key 'placment' must be one of placement, ratioMinMax, but got an unknown key.",
    ],
  ])('rejects bad input %#', (call, message) => {
    expectThrowsNoLeak(call, message);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutmixBatch, randBbox, randBox, sampleLambda, seededRng, type AnyBox } from '../../src/index.js';
import { checkInjected } from '../../src/plan/injected.js';
import { resolveMixOptions } from '../../src/plan/options.js';
import { planMix } from '../../src/plan/plan.js';
import { describeEachBackend } from '../support/backends.js';
import { expectedPastedShare } from '../support/center_clip_reference.js';

const BELOW_ONE = 1 - 2 ** -53;
const unit = fc.double({ min: 0, max: 1, noNaN: true });
const shape = fc
  .integer({ min: 1, max: 3 })
  .chain((d) => fc.array(fc.integer({ min: 1, max: 512 }), { minLength: d, maxLength: d }));
const placement = fc.constantFrom('center-clip' as const, 'inside' as const);

function bounds(box: AnyBox): { lo: number[]; hi: number[] } {
  const b = box as unknown as Record<string, number>;
  const names = 'z1' in b ? ['z', 'y', 'x'] : 'y1' in b ? ['y', 'x'] : ['x'];
  return { lo: names.map((a) => b[`${a}1`]), hi: names.map((a) => b[`${a}2`]) };
}

/** A seeded rng that records every value it hands out. */
function recording(seed: number): { rng: () => number; values: number[] } {
  const inner = seededRng(seed);
  const values: number[] = [];
  return { rng: () => (values.push(inner()), values[values.length - 1]), values };
}

function scripted(values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('unscripted draw');
    return values[i++];
  };
}

describe('randBox and randBbox', () => {
  it('keep 0 ≤ start ≤ end ≤ size on 1–3 axes up to 512, with λ = 1 − volume/total exactly', () => {
    fc.assert(
      fc.property(shape, unit, fc.integer(), placement, fc.boolean(), (spatial, lam, seed, where, minmax) => {
        const options = { placement: where, ...(minmax ? { ratioMinMax: [0.1, 0.9] as [number, number] } : {}) };
        const { box, lam: got } = randBox(spatial, lam, seededRng(seed), options);
        const { lo, hi } = bounds(box);
        expect(lo.length).toBe(spatial.length);
        let volume = 1;
        let total = 1;
        spatial.forEach((size, k) => {
          expect(
            Number.isInteger(lo[k]) && Number.isInteger(hi[k]) && 0 <= lo[k] && lo[k] <= hi[k] && hi[k] <= size,
          ).toBe(true);
          const nominal = Math.floor(size * Math.pow(1 - lam, 1 / spatial.length) + 1e-9);
          if (!minmax) expect(hi[k] - lo[k]).toBeLessThanOrEqual(nominal);
          volume *= hi[k] - lo[k];
          total *= size;
        });
        expect(got).toBe(1 - volume / total);
      }),
      { numRuns: 400 },
    );
  });

  it('randBox([h, w], …) equals randBbox(h, w, …) draw for draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 512 }),
        unit,
        fc.integer(),
        placement,
        fc.boolean(),
        (h, w, lam, seed, where, minmax) => {
          const options = { placement: where, ...(minmax ? { ratioMinMax: [0.3, 0.7] as [number, number] } : {}) };
          const a = recording(seed);
          const b = recording(seed);
          expect(randBox([h, w], lam, a.rng, options)).toEqual(randBbox(h, w, lam, b.rng, options));
          expect(a.values.length).toBe(b.values.length);
          expect(a.values.length).toBe(minmax ? 4 : 2);
        },
      ),
    );
  });

  it("pins the side rule ⌊Lₖ·(1−λ)^{1/d}⌋ on non-cubic shapes under 'inside'", () => {
    // λ = 0.875: (1−λ)^{1/3} = 0.5 → 3, 5, 6 on 7×11×13 (√(1−λ) would give 2, 3, 4; 1−λ would give 0, 1, 1).
    expect(randBox([7, 11, 13], 0.875, () => 0, { placement: 'inside' }).box).toEqual({
      z1: 0,
      y1: 0,
      x1: 0,
      z2: 3,
      y2: 5,
      x2: 6,
    });
    // λ = 1 − 27/64 (exact in binary): (1−λ)^{1/3} = 0.75 → 15, 22, 37 on 20×30×50 (√ would give 12, 19, 32).
    expect(randBox([20, 30, 50], 1 - 27 / 64, () => 0, { placement: 'inside' }).box).toEqual({
      z1: 0,
      y1: 0,
      x1: 0,
      z2: 15,
      y2: 22,
      x2: 37,
    });
    // 2-D: √(1−0.75) = 0.5 → 50 rows × 5 columns of 100×10; height from H, width from W.
    expect(randBbox(100, 10, 0.75, () => 0, { placement: 'inside' }).box).toEqual({ y1: 0, x1: 0, y2: 50, x2: 5 });
    // 1-D: 1 − λ of the width.
    expect(randBox([40], 0.25, () => 0, { placement: 'inside' }).box).toEqual({ x1: 0, x2: 30 });
  });

  it('draws ratios (ratioMinMax only) then positions, outermost axis first', () => {
    // center-clip, 3-D, λ = 0.875: cuts 3, 5, 6, halves 1, 2, 3; centres ⌊u·L⌋ = 0, 5, 12.
    expect(randBox([7, 11, 13], 0.875, scripted([0, 0.5, BELOW_ONE]), { placement: 'center-clip' }).box).toEqual({
      z1: 0,
      y1: 3,
      x1: 9,
      z2: 1,
      y2: 7,
      x2: 13,
    });
    // inside: origins ⌊u·(L − cut + 1)⌋ = 4 (of 0…4), 0, 4 (of 0…7).
    expect(randBox([7, 11, 13], 0.875, scripted([BELOW_ONE, 0, 0.5]), { placement: 'inside' }).box).toEqual({
      z1: 4,
      y1: 0,
      x1: 4,
      z2: 7,
      y2: 5,
      x2: 10,
    });
    // ratioMinMax [0.2, 0.6]: ratios 0.2 (u = 0) and 0.6 (u → 1) first, then the two origins.
    const { box } = randBox([100, 50], 0.5, scripted([0, BELOW_ONE, BELOW_ONE, 0]), {
      placement: 'inside',
      ratioMinMax: [0.2, 0.6],
    });
    expect(box).toEqual({ y1: 80, x1: 0, y2: 100, x2: 29 });
  });

  it("'inside' reaches every origin, the last one included", () => {
    const rng = seededRng(3);
    const seen = new Set<string>();
    // 10×7, λ = 0.75 → a 5×3 box: origins y1 ∈ 0…5, x1 ∈ 0…4.
    for (let i = 0; i < 3000; i++) seen.add(JSON.stringify(randBbox(10, 7, 0.75, rng, { placement: 'inside' }).box));
    expect(seen.size).toBe(6 * 5);
  });

  it('λ = 1 gives an empty box; λ = 0 the whole batch (inside) on every rank', () => {
    for (const s of [[9], [8, 6], [3, 4, 5]]) {
      expect(randBox(s, 1, seededRng(0)).lam).toBe(1);
      expect(randBox(s, 0, seededRng(0), { placement: 'inside' }).lam).toBe(0);
    }
  });

  it('reads spatialShape once: length once, each size once', () => {
    const gets: PropertyKey[] = [];
    const proxied = new Proxy([8, 8], { get: (t, k, r) => (gets.push(k), Reflect.get(t, k, r)) });
    randBox(proxied, 0.5, seededRng(1));
    expect(gets.filter((k) => k === 'length').length).toBe(1);
    expect(gets.filter((k) => k === '0' || k === '1').length).toBe(2);
  });
});

describe('randBox and randBbox reject bad input', () => {
  const shapeMsg =
    'Error in randBox: spatialShape must be an array of 1 to 3 positive integers ([W], [H, W] or [D, H, W]), but got';
  const pair = 'must be a pair [min, max] with 0 < min ≤ max ≤ 1, but got';
  it.each([
    [() => randBox([], 0.5), `${shapeMsg} an array of length 0.`],
    [() => randBox([1, 2, 3, 4], 0.5), `${shapeMsg} an array of length 4.`],
    [() => randBox('abc' as never, 0.5), `${shapeMsg} "abc".`],
    [() => randBox([4, 0], 0.5), 'Error in randBox: spatialShape[1] must be a positive integer, but got 0.'],
    [() => randBox([2.5], 0.5), 'Error in randBox: spatialShape[0] must be a positive integer, but got 2.5.'],
    [() => randBox([4], 2), 'Error in randBox: lam must be a number in [0, 1], but got 2.'],
    [
      () => randBox([4], 0.5, 'x' as never),
      'Error in randBox: rng must be a function returning numbers in [0, 1), but got "x".',
    ],
    [() => randBox([4], 0.5, () => 1), 'Error in randBox: rng() must be a number in [0, 1), but got 1.'],
    [
      () => randBox([4], 0.5, Math.random, { ratioMinMax: [0.5] as never }),
      `Error in randBox: options.ratioMinMax ${pair} an array of length 1.`,
    ],
    [
      () => randBox([4], 0.5, Math.random, { placement: null as never }),
      "Error in randBox: options.placement must be one of 'center-clip', 'inside', but got null.",
    ],
    [() => randBbox(0, 4, 0.5), 'Error in randBbox: height must be a positive integer, but got 0.'],
    [() => randBbox(4, 2.5, 0.5), 'Error in randBbox: width must be a positive integer, but got 2.5.'],
    [() => randBbox(4, 4, NaN), 'Error in randBbox: lam must be a number in [0, 1], but got NaN.'],
    [() => randBbox(4, 4, -0.1), 'Error in randBbox: lam must be a number in [0, 1], but got -0.1.'],
    [
      () => randBbox(4, 4, 0.5, Math.random, { placement: 'outside' as never }),
      "Error in randBbox: options.placement must be one of 'center-clip', 'inside', but got \"outside\".",
    ],
    [
      () => randBbox(4, 4, 0.5, Math.random, { ratioMinMax: [0, 0.5] }),
      `Error in randBbox: options.ratioMinMax ${pair} [0, 0.5].`,
    ],
    [
      () => randBbox(4, 4, 0.5, Math.random, { ratioMinMax: [0.6, 0.5] }),
      `Error in randBbox: options.ratioMinMax ${pair} [0.6, 0.5].`,
    ],
    [() => randBbox(4, 4, 0.5, () => NaN), 'Error in randBbox: rng() must be a number in [0, 1), but got NaN.'],
    [
      () => randBbox(4, 4, 0.5, Math.random, { placment: 'inside' } as never),
      "Error in randBbox: options key 'placment' must be one of placement, ratioMinMax, but got an unknown key.",
    ],
  ])('%#', (call, message) => {
    expect(call).toThrow(new Error(message));
  });
});

describe('pasted share statistics (α = 1, fixed seeds)', () => {
  /** Mean pasted share and its standard error over `draws` boxes with λ ~ Beta(1, 1). */
  function pastedShare(spatial: number[], where: 'inside' | 'center-clip', seed: number, draws = 20_000) {
    const rng = seededRng(seed);
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < draws; i++) {
      const share = 1 - randBox(spatial, sampleLambda(1, rng), rng, { placement: where }).lam;
      sum += share;
      squares += share * share;
    }
    const mean = sum / draws;
    return { mean, se: Math.sqrt((squares / draws - mean * mean) / draws) };
  }

  // The standard error of a mean of 20 000 shares is about 0.002 (share sd ≈ 0.29); 4 SE leaves a false
  // alarm chance of 6·10⁻⁵ for a fresh seed, while the wrong rules below sit 10+ SE away.
  it.each([[[4096]], [[384, 512]], [[320, 384, 448]]])(
    "'inside' at %j: 0.5 ± 0.01, and the exact reference within 4 SE",
    (spatial) => {
      const { mean, se } = pastedShare(spatial, 'inside', 17);
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
      expect(Math.abs(mean - expectedPastedShare(spatial, 'inside'))).toBeLessThan(4 * se);
    },
  );

  it.each([[[4096]], [[224, 224]], [[64, 96, 128]]])(
    "'center-clip' at %j matches the exact reference within 4 SE",
    (spatial) => {
      const { mean, se } = pastedShare(spatial, 'center-clip', 23);
      expect(Math.abs(mean - expectedPastedShare(spatial, 'center-clip'))).toBeLessThan(4 * se);
      // Power: the √(1−λ)-per-axis rule on a volume predicts a share far outside the band.
      if (spatial.length === 3) {
        const wrong = expectedPastedShare(spatial, 'center-clip', 1, { sideExponent: 1 / 2 });
        expect(Math.abs(mean - wrong)).toBeGreaterThan(10 * se);
      }
    },
  );
});

describe('cutmixBatch sizes the box from the λ given, never from its float32 rounding (issue 9 defect 3)', () => {
  const plannedBox = (side: number, lam: number) => {
    const s = resolveMixOptions('cutmixBatch', { lam, placement: 'inside', rng: () => 0, partner: 'flip' });
    return planMix(s, 1, [side, side], checkInjected(s, 1, [side, side]), true).boxes[0] as {
      y1: number;
      x1: number;
      y2: number;
      x2: number;
    };
  };

  it('agrees with randBbox for every λ = k/100 on every square side 10–224', () => {
    let differFromFloat32 = 0;
    for (let side = 10; side <= 224; side++) {
      for (let k = 1; k < 100; k++) {
        const expected = randBbox(side, side, k / 100, () => 0, { placement: 'inside' }).box;
        const box = plannedBox(side, k / 100);
        if (box.x2 !== expected.x2 || box.y2 !== expected.y2)
          expect.fail(`side ${side}, λ ${k / 100}: ${JSON.stringify(box)}`);
        if (randBbox(side, side, Math.fround(k / 100), () => 0, { placement: 'inside' }).box.x2 !== expected.x2)
          differFromFloat32++;
      }
    }
    // The test has power: rounding λ to float32 first changes the box in these many cases.
    expect(differFromFloat32).toBeGreaterThan(10);
  });
});

describeEachBackend('cutmixBatch with an injected λ', () => {
  it('lam 0.36 on 10×10 (inside) gives the 8×8 box randBbox gives, and λ 0.36', () => {
    const [x, y] = [tf.zeros([2, 1, 10, 10]), tf.tensor1d([0, 1], 'int32')];
    const r = cutmixBatch(x as tf.Tensor4D, y, { lam: 0.36, placement: 'inside', seed: 1 });
    expect(r.boxes[0].y2 - r.boxes[0].y1).toBe(8);
    expect(r.boxes[0].x2 - r.boxes[0].x1).toBe(8);
    expect(r.lam[0]).toBe(Math.fround(0.36));
    tf.dispose([x, y, r.images, r.labelsA, r.labelsB]);
  });

  it('agrees with randBbox for λ = k/100 on sides 10–20, 100 and 224', () => {
    for (const side of [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 100, 224]) {
      const [x, y] = [tf.zeros([1, 1, side, side]), tf.tensor1d([0], 'int32')];
      for (let k = 1; k < 100; k++) {
        const r = cutmixBatch(x, y, { lam: k / 100, placement: 'inside', rng: () => 0 });
        const expected = randBbox(side, side, k / 100, () => 0, { placement: 'inside' }).box;
        tf.dispose([r.images, r.labelsA, r.labelsB]);
        if (JSON.stringify(r.boxes[0]) !== JSON.stringify(expected)) expect.fail(`side ${side}, λ ${k / 100}`);
      }
      tf.dispose([x, y]);
    }
  });
});

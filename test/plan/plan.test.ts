import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CutMix, cutmixBatch, mixupBatch, mixupOrCutmix, seededRng, type AnyBox } from '../../src/index.js';
import { cutmixDataset } from '../../src/data.js';
import { checkInjected } from '../../src/plan/injected.js';
import { resolveMixOptions } from '../../src/plan/options.js';
import { planMix } from '../../src/plan/plan.js';
import { betaQuantile } from '../../src/plan/sample_lambda.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

const BELOW_ONE = 1 - 2 ** -53;
const EMPTY = { y1: 0, x1: 0, y2: 0, x2: 0 };

/** The plan cutmixBatch (cut) or mixupBatch (no cut) would draw for a batch of `n` of spatial size `spatial`. */
function plan(options: Record<string, unknown>, n: number, spatial: number[] = [10, 10], cut = true) {
  const s = resolveMixOptions('cutmixBatch', options);
  return planMix(s, n, spatial, checkInjected(s, n, spatial), cut);
}

/** A seeded rng recording what it hands out. */
function recording(seed: number): { rng: () => number; values: number[] } {
  const inner = seededRng(seed);
  const values: number[] = [];
  return { rng: () => (values.push(inner()), values[values.length - 1]), values };
}

function scripted(values: number[]): { rng: () => number; used: () => number } {
  let i = 0;
  const rng = () => {
    if (i >= values.length) throw new Error(`unscripted draw ${i}`);
    return values[i++];
  };
  return { rng, used: () => i };
}

describe("'pair' mode", () => {
  it('pairs i with N−1−i: one λ, one box, each the other’s partner; the middle of an odd batch unmixed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 17 }), fc.integer(), fc.constantFrom(0.2, 1, 5), (n, seed, alpha) => {
        const p = plan({ mode: 'pair', seed, alpha }, n);
        for (let i = 0; i < n; i++) {
          const j = n - 1 - i;
          expect(p.partners[i]).toBe(j);
          expect(p.lam[i]).toBe(p.lam[j]);
          expect(p.boxes[i]).toEqual(p.boxes[j]);
          if (i === j) expect([p.lam[i], p.boxes[i]]).toEqual([1, EMPTY]);
        }
      }),
    );
  });

  it('draws gate, λ and box per pair; the middle sample takes no draw', () => {
    const odd = recording(8);
    const even = recording(8);
    const p5 = plan({ mode: 'pair', rng: odd.rng }, 5);
    const p4 = plan({ mode: 'pair', rng: even.rng }, 4);
    expect(odd.values.length).toBe(2 * 4);
    expect(odd.values).toEqual(even.values);
    expect([p5.lam[0], p5.lam[1], p5.boxes[0], p5.boxes[1]]).toEqual([p4.lam[0], p4.lam[1], p4.boxes[0], p4.boxes[1]]);
  });

  it('accepts symmetric per-sample λ and boxes and applies them; rejects asymmetric ones', () => {
    const box = (y1: number) => ({ y1, x1: 0, y2: y1 + 2, x2: 5 });
    const p = plan({ mode: 'pair', box: [box(0), box(4), box(7), box(4), box(0)], rng: () => 0 }, 5);
    expect(p.boxes).toEqual([box(0), box(4), EMPTY, box(4), box(0)]);
    expect(
      Array.from(plan({ mode: 'pair', lam: [0.5, 0.75, 0.75, 0.5], rng: () => 0, placement: 'inside' }, 4).lam),
    ).toEqual([0.51, 0.75, 0.75, 0.51].map(Math.fround));
    expect(() => plan({ mode: 'pair', lam: [0.2, 0.7, 0.6, 0.2] }, 4)).toThrow(
      new Error(
        "Error in cutmixBatch: options.lam[1] must be equal to sample 2's in 'pair' mode (a pair shares one λ and box), but got a different value.",
      ),
    );
    expect(() => plan({ mode: 'pair', box: [box(0), box(1), box(1), box(2)] }, 4)).toThrow(
      new Error(
        "Error in cutmixBatch: options.box[0] must be equal to sample 3's in 'pair' mode (a pair shares one λ and box), but got a different value.",
      ),
    );
  });
});

describe('correctLam', () => {
  it('false returns the drawn λ with exactly the boxes and partners of true, in every mode', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom('batch', 'elem', 'pair'),
        fc.constantFrom('inside', 'center-clip'),
        (seed, mode, placement) => {
          const drawn = recording(seed);
          const corrected = plan({ seed, mode, placement, alpha: 0.7 }, 6);
          const raw = plan({ rng: drawn.rng, mode, placement, alpha: 0.7, correctLam: false }, 6);
          expect(raw.boxes).toEqual(corrected.boxes);
          expect(raw.partners).toEqual(corrected.partners);
          // Each group's draws are [gate, λ, y, x]; pair groups hold samples i and 5 − i.
          const groupOf = (i: number) => (mode === 'batch' ? 0 : mode === 'elem' ? i : Math.min(i, 5 - i));
          raw.lam.forEach((l, i) => expect(l).toBe(Math.fround(betaQuantile(drawn.values[4 * groupOf(i) + 1], 0.7))));
        },
      ),
    );
  });

  it('false with an injected box and λ returns the λ given, not the box’s share, per batch and per sample', () => {
    const box = { y1: 0, x1: 0, y2: 5, x2: 5 }; // a quarter of 10×10: its share would give λ = 0.75
    const one = plan({ box, lam: 0.9, correctLam: false, rng: () => 0 }, 3);
    expect([Array.from(one.lam), one.boxes]).toEqual([[0.9, 0.9, 0.9].map(Math.fround), [box, box, box]]);
    const boxes = [box, { y1: 2, x1: 2, y2: 4, x2: 4 }];
    const each = plan({ box: boxes, lam: [0.2, 0.6], correctLam: false, mode: 'elem', partners: [1, 0] }, 2);
    expect([Array.from(each.lam), each.boxes]).toEqual([[0.2, 0.6].map(Math.fround), boxes]);
    // With correctLam (the default) λ is the box's share: the λ given is refused, not silently dropped.
    expect(Array.from(plan({ box, rng: () => 0 }, 1).lam)).toEqual([0.75]);
  });

  it('false with an injected λ returns that λ, with the boxes correctLam true draws', () => {
    const a = plan({ lam: 0.3, seed: 2, correctLam: false }, 3);
    const b = plan({ lam: 0.3, seed: 2 }, 3);
    expect(Array.from(a.lam)).toEqual([0.3, 0.3, 0.3].map(Math.fround));
    expect(a.boxes).toEqual(b.boxes);
    const box = b.boxes[0] as typeof EMPTY;
    expect(b.lam[0]).toBe(Math.fround(1 - ((box.y2 - box.y1) * (box.x2 - box.x1)) / 100));
  });
});

describe('draws and gates', () => {
  it('draws per group the gate, λ and box (ratios first with ratioMinMax), then the partners', () => {
    // batch, 10×10, inside: gate 0 passes; λ = q(½) = ½ → cut ⌊10·√½⌋ = 7, origins ⌊u·4⌋ = 3, 0;
    // partners (Fisher–Yates) i=2: ⌊0.1·3⌋ = 0 → [2, 1, 0]; i=1: ⌊0.9·2⌋ = 1 → stays.
    const s = scripted([0, 0.5, BELOW_ONE, 0, 0.1, 0.9]);
    const p = plan({ rng: s.rng, placement: 'inside' }, 3);
    expect([p.boxes[0], Array.from(p.partners), s.used()]).toEqual([{ y1: 3, x1: 0, y2: 10, x2: 7 }, [2, 1, 0], 6]);
    // ratioMinMax [0.2, 0.6]: gate, ratios (y 0.2, x 0.6), origins, then partners.
    const r = scripted([0, 0, BELOW_ONE, BELOW_ONE, 0, 0.1, 0.9]);
    const q = plan({ rng: r.rng, placement: 'inside', ratioMinMax: [0.2, 0.6] }, 3);
    expect([q.boxes[0], r.used()]).toEqual([{ y1: 8, x1: 0, y2: 10, x2: 5 }, 7]);
    // elem: [gate, λ, y, x] per sample.
    const e = scripted([0, 0.5, 0, 0, 0, 0.5, BELOW_ONE, BELOW_ONE, 0.9]);
    const pe = plan({ rng: e.rng, placement: 'inside', mode: 'elem' }, 2);
    expect(pe.boxes).toEqual([
      { y1: 0, x1: 0, y2: 7, x2: 7 },
      { y1: 3, x1: 3, y2: 10, x2: 10 },
    ]);
    expect(e.used()).toBe(9);
  });

  it('gates each group with prob: a failed gate draws nothing more and leaves its group unmixed', () => {
    const s = scripted([0.4, 0.5, 0, 0, 0.6, 0.49, 0.5, 0, 0, 0.5, 0.5]);
    const p = plan({ rng: s.rng, mode: 'elem', prob: 0.5, placement: 'inside' }, 3);
    expect(Array.from(p.lam).map((l) => l < 1)).toEqual([true, false, true]);
    expect(p.boxes[1]).toEqual(EMPTY);
    expect(s.used()).toBe(11);
    const none = recording(1);
    const q = plan({ rng: none.rng, mode: 'pair', prob: 0 }, 6);
    expect([Array.from(q.lam), none.values.length]).toEqual([[1, 1, 1, 1, 1, 1], 3]);
  });

  it('prob 0 never mixes, even on a draw of exactly 0 (the gate is draw < prob), in every mode', () => {
    for (const mode of ['batch', 'elem', 'pair'] as const) {
      for (const cut of [true, false]) {
        const p = plan({ rng: () => 0, prob: 0, mode }, 5, [10, 10], cut);
        expect([Array.from(p.lam), p.boxes], `${mode}, cut ${cut}`).toEqual([[1, 1, 1, 1, 1], Array(5).fill(EMPTY)]);
      }
    }
    // …and prob 1 always mixes, even on the largest draw below 1 (gate, λ, y, x for one sample).
    const p = plan({ rng: scripted([BELOW_ONE, 0.5, 0, 0]).rng, prob: 1 }, 1);
    expect(p.lam[0]).toBeLessThan(1);
  });

  it('applies injected values always, drawing no gate for them and nothing that was given', () => {
    const count = (options: Record<string, unknown>, n = 4) => {
      const r = recording(5);
      plan({ rng: r.rng, ...options }, n);
      return r.values.length;
    };
    expect(count({})).toBe(1 + 1 + 2 + 3);
    expect(count({ lam: 0.5 })).toBe(2 + 3);
    expect(count({ lam: [0.1, 0.2, 0.3, 0.4] })).toBe(4 * 2 + 3);
    expect(count({ box: EMPTY })).toBe(3);
    expect(count({ box: { y1: 0, x1: 0, y2: 5, x2: 5 }, lam: 0.9, correctLam: false, partners: [1, 0, 3, 2] })).toBe(0);
    expect(Array.from(plan({ lam: 0.5, partners: [1, 0], rng: () => 0 }, 2).partners)).toEqual([1, 0]);
  });

  it('MixUp draws gate and λ per group and no box; ratioMinMax does not stop MixUp from drawing λ', () => {
    const s = scripted([0, 0.25, 0, 0.75, 0.5]);
    const p = plan({ rng: s.rng, mode: 'elem' }, 2, [10, 10], false);
    expect([Array.from(p.lam), p.boxes, s.used()]).toEqual([
      [0.25, 0.75].map((u) => Math.fround(betaQuantile(u, 1))),
      [EMPTY, EMPTY],
      5,
    ]);
    const minmax = plan({ seed: 3, ratioMinMax: [0.2, 0.5], mode: 'elem' }, 8, [10, 10], false);
    expect(Array.from(minmax.lam).filter((l) => l < 1).length).toBeGreaterThan(0);
  });
});

describe('planning cost', () => {
  it("plans an 'elem' batch of 256 in well under a millisecond per batch", () => {
    // Measured (median of 7 × 100 plans, 28×28, 2 busy cores): 0.28 ms (α = 1), 0.49 ms (α = 0.2),
    // 0.73 ms (α = 10) per batch: 256 λ, 512 positions, 255 partner draws. The whole cutmixBatch call on
    // 256×1×28×28 on cpu took 1.1–1.7 ms. The bound (25× the worst) only catches a loop creeping back.
    for (const alpha of [0.2, 1, 10]) {
      const s = resolveMixOptions('cutmixBatch', { mode: 'elem', seed: 3, alpha });
      const injected = checkInjected(s, 256, [28, 28]);
      for (let i = 0; i < 20; i++) planMix(s, 256, [28, 28], injected, true);
      const start = performance.now();
      for (let i = 0; i < 50; i++) planMix(s, 256, [28, 28], injected, true);
      expect((performance.now() - start) / 50).toBeLessThan(20);
    }
  });
});

/** A dataset stand-in: `map` hands back the mapper, so one element can be run through it. */
function mapperOf(options: Record<string, unknown>) {
  let mapper: ((e: unknown) => { xs: tf.Tensor; ys: tf.Tensor }) | undefined;
  cutmixDataset({ map: (f: typeof mapper) => ((mapper = f), {}) } as never, options);
  return mapper!;
}

describeEachBackend('a bad draw is reported in the name of the function the user called', () => {
  const cases: [string, (x: tf.Tensor, y: tf.Tensor, rng: () => number) => unknown, string][] = [
    ['cutmixBatch', (x, y, rng) => cutmixBatch(x, y, { rng, mode: 'elem' }), 'Error in cutmixBatch: options.rng()'],
    ['mixupBatch', (x, y, rng) => mixupBatch(x, y, { rng, mode: 'elem' }), 'Error in mixupBatch: options.rng()'],
    [
      'mixupOrCutmix',
      (x, y, rng) => mixupOrCutmix(x, y, { rng, mode: 'elem' }),
      'Error in mixupOrCutmix: options.rng()',
    ],
    [
      'CutMix.mix',
      (x, y, rng) => new CutMix({ rng, mode: 'elem' }).mix(x, y),
      'Error in CutMix.mix: the CutMix options.rng()',
    ],
    [
      'cutmixDataset',
      (x, y, rng) => mapperOf({ rng, mode: 'elem', dataFormat: 'NCHW', numClasses: 3 })({ xs: x, ys: y }),
      'Error in cutmixDataset: options.rng()',
    ],
  ];
  it.each(cases)('%s, on the first draw and on a later one', (_, call, prefix) => {
    const [x, y] = [tf.zeros([3, 1, 4, 4]), tf.tensor1d([0, 1, 2], 'int32')];
    expectThrowsNoLeak(() => call(x, y, () => 1), `${prefix} must be a number in [0, 1), but got 1.`);
    const later = [0.1, 0.5, 0.5, 0.5, 0.1, NaN];
    let i = 0;
    expectThrowsNoLeak(() => call(x, y, () => later[i++]), `${prefix} must be a number in [0, 1), but got NaN.`);
    tf.dispose([x, y]);
  });

  it('the public ops leave a batch unmixed at prob 0 with rng () => 0; mixupOrCutmix switches on draw < switchProb', () => {
    const [x, y] = [tf.randomUniform([4, 1, 4, 4]), tf.tensor1d([0, 1, 2, 3], 'int32')];
    const results = [
      cutmixBatch(x, y, { rng: () => 0, prob: 0, mode: 'elem' }),
      mixupBatch(x, y, { rng: () => 0, prob: 0, mode: 'elem' }),
      mixupOrCutmix(x, y, { rng: () => 0, prob: 0, mode: 'elem' }),
    ];
    const mixup = mixupOrCutmix(x, y, { rng: () => 0, switchProb: 0 });
    const cutmix = mixupOrCutmix(x, y, { rng: () => BELOW_ONE, switchProb: 1 });
    const unchanged = results.map((r) => tf.tidy(() => tf.all(tf.equal(r.images, x)).dataSync()[0]));
    tf.dispose([x, y, ...[...results, mixup, cutmix].flatMap((r) => [r.images, r.labelsA, r.labelsB])]);
    expect(results.map((r) => Array.from(r.lam))).toEqual([
      [1, 1, 1, 1],
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
    expect(unchanged).toEqual([1, 1, 1]);
    expect([mixup.method, cutmix.method]).toEqual(['mixup', 'cutmix']);
  });

  it('mixupOrCutmix mixes when MixUp is chosen under ratioMinMax', () => {
    const [x, y] = [tf.randomUniform([8, 1, 4, 4]), tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32')];
    const r = mixupOrCutmix(x, y, { switchProb: 0, ratioMinMax: [0.2, 0.5], seed: 1, mode: 'elem', partner: 'roll' });
    tf.dispose([x, y, r.images, r.labelsA, r.labelsB]);
    expect([r.method, r.lam.some((l: number) => l < 1)]).toEqual(['mixup', true]);
  });

  it('cutmixBatch in pair mode pastes i from N−1−i with one box per pair', () => {
    const [x, y] = [tf.randomUniform([5, 2, 6, 6]), tf.tensor1d([0, 1, 2, 3, 4], 'int32')];
    const r = cutmixBatch(x, y, { mode: 'pair', seed: 9 });
    const labelsB = Array.from(r.labelsB.dataSync());
    tf.dispose([x, y, r.images, r.labelsA, r.labelsB]);
    expect(Array.from(r.partners)).toEqual([4, 3, 2, 1, 0]);
    expect(r.boxes[0] as AnyBox).toEqual(r.boxes[4]);
    expect(labelsB).toEqual([4, 3, 2, 1, 0]);
  });
});

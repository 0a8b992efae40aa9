import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutmixBatch, mixupBatch, seededRng, type AnyBox } from '../../src/index.js';
import { useBackend } from '../support/backends.js';
import { boxOfSpans, oraclePlan, type OracleOptions } from '../support/plan_oracle.js';

// The plan cutmixBatch and mixupBatch return, against the plan test/support/plan_oracle.ts derives from
// the same rng stream by the documented rule: λ, boxes, partners and the number of draws taken.

beforeAll(() => useBackend('cpu'));

const arbCase = fc.record({
  n: fc.integer({ min: 0, max: 9 }),
  spatial: fc
    .integer({ min: 1, max: 3 })
    .chain((d) => fc.array(fc.integer({ min: 1, max: 40 }), { minLength: d, maxLength: d })),
  channelsLast: fc.boolean(),
  mode: fc.constantFrom('batch' as const, 'elem' as const, 'pair' as const),
  partner: fc.constantFrom('permutation' as const, 'flip' as const, 'roll' as const),
  placement: fc.constantFrom('center-clip' as const, 'inside' as const),
  prob: fc.constantFrom(0, 0.3, 0.7, 1),
  // λ's α, or ratioMinMax in its place (CutMix only).
  sizing: fc.oneof(
    fc.constantFrom(0.4, 1, 2.5, 2e4).map((alpha) => ({ alpha })),
    fc
      .tuple(fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }))
      .map(([a, b]) => ({ ratioMinMax: [Math.min(a, b), Math.max(a, b)] as [number, number] })),
  ),
  correctLam: fc.boolean(),
  seed: fc.integer(),
});
type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

const FORMATS = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] } as const;

/** An rng that counts its draws. */
function counting(seed: number): { rng: () => number; count: () => number } {
  const inner = seededRng(seed);
  let n = 0;
  return { rng: () => (n++, inner()), count: () => n };
}

function batchOf(cs: Case): { images: tf.Tensor; labels: tf.Tensor; dataFormat: string } {
  const d = cs.spatial.length as 1 | 2 | 3;
  const dataFormat = FORMATS[d][cs.channelsLast ? 1 : 0];
  const shape = cs.channelsLast ? [cs.n, ...cs.spatial, 1] : [cs.n, 1, ...cs.spatial];
  return { images: tf.zeros(shape), labels: tf.zeros([cs.n], 'int32'), dataFormat };
}

/** Checks a result's plan against the oracle's for the same stream; skips λ on a cut boundary. */
function expectOraclePlan(
  cs: Case,
  o: OracleOptions,
  result: { lam: Float32Array; boxes: AnyBox[]; partners: Int32Array },
  draws: number,
): void {
  const expected = oraclePlan(o, cs.n, cs.spatial, seededRng(cs.seed));
  if (expected.nearCut) return;
  expect(Array.from(result.partners)).toEqual(expected.partners);
  expect(result.boxes).toEqual(expected.spans.map(boxOfSpans));
  expect(draws).toBe(expected.draws);
  result.lam.forEach((l, i) => {
    const want = Math.fround(expected.lam[i]);
    // A λ from the box is exact; a drawn one agrees to the quantile's accuracy (then rounded to float32).
    if (Math.abs(l - want) > 1e-7) expect.fail(`λ[${i}] = ${l}, oracle ${want} (${JSON.stringify(o)})`);
  });
}

describe('the plan, checked independently of the op', () => {
  it('cutmixBatch draws λ, boxes and partners by the documented rule, every mode, placement and rank', () => {
    fc.assert(
      fc.property(arbCase, (cs) => {
        const { images, labels, dataFormat } = batchOf(cs);
        const minmax = 'ratioMinMax' in cs.sizing ? cs.sizing.ratioMinMax : undefined;
        const correctLam = minmax ? true : cs.correctLam;
        const alpha = 'alpha' in cs.sizing ? cs.sizing.alpha : 1;
        const { rng, count } = counting(cs.seed);
        const r = cutmixBatch(images, labels, {
          rng,
          mode: cs.mode,
          ...(cs.mode === 'pair' ? {} : { partner: cs.partner }),
          placement: cs.placement,
          prob: cs.prob,
          ...(minmax ? { ratioMinMax: minmax } : { alpha }),
          correctLam,
          dataFormat: dataFormat as never,
        });
        tf.dispose([images, labels, r.images, r.labelsA, r.labelsB]);
        const o = { ...cs, ratioMinMax: minmax, alpha, correctLam, cut: true };
        expectOraclePlan(cs, o, r as never, count());
      }),
      { numRuns: 300 },
    );
  });

  it('mixupBatch draws gate and λ per group, no box, then the partners', () => {
    fc.assert(
      fc.property(arbCase, (cs) => {
        const { images, labels, dataFormat } = batchOf(cs);
        const alpha = 'alpha' in cs.sizing ? cs.sizing.alpha : 1;
        const { rng, count } = counting(cs.seed);
        const r = mixupBatch(images, labels, {
          rng,
          mode: cs.mode,
          ...(cs.mode === 'pair' ? {} : { partner: cs.partner }),
          prob: cs.prob,
          alpha,
          dataFormat: dataFormat as never,
        });
        tf.dispose([images, labels, r.images, r.labelsA, r.labelsB]);
        const o = { ...cs, alpha, correctLam: true, cut: false };
        expectOraclePlan(cs, o, r as never, count());
      }),
      { numRuns: 150 },
    );
  });

  it('the oracle has power: a plan drawn in another order, or another rule, differs from it', () => {
    const o: OracleOptions = {
      mode: 'elem',
      partner: 'permutation',
      placement: 'inside',
      prob: 0.7,
      alpha: 1,
      correctLam: true,
      cut: true,
    };
    const base = oraclePlan(o, 6, [9, 11], seededRng(3));
    expect(oraclePlan({ ...o, placement: 'center-clip' }, 6, [9, 11], seededRng(3)).spans).not.toEqual(base.spans);
    expect(oraclePlan({ ...o, prob: 1 }, 6, [9, 11], seededRng(3)).lam).not.toEqual(base.lam);
    const r = cutmixBatch(tf.zeros([6, 1, 9, 11]), tf.zeros([6], 'int32'), { seed: 3, mode: 'elem' });
    tf.dispose([r.images, r.labelsA, r.labelsB]);
    // Same stream, default (center-clip, prob 1): not what the inside/0.7 oracle says.
    expect(r.boxes).not.toEqual(base.spans.map(boxOfSpans));
  });
});

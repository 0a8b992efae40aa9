import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { mixTargets } from '../../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

describeEachBackend('mixTargets', () => {
  it('rows sum to 1 and match λ·onehot(a) + (1−λ)·onehot(b), with and without smoothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            k: fc.integer({ min: 2, max: 12 }),
            eps: fc.constantFrom(0, 0.1, 0.3),
            lam: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
            seedA: fc.array(fc.nat(), { minLength: n, maxLength: n }),
            seedB: fc.array(fc.nat(), { minLength: n, maxLength: n }),
          }),
        ),
        ({ n, k, eps, lam, seedA, seedB }) => {
          const a = seedA.map((v) => v % k);
          const b = seedB.map((v) => v % k);
          const ta = tf.tensor1d(a, 'int32');
          const tb = tf.tensor1d(b, 'int32');
          const lams = Float32Array.from(lam);
          const out = mixTargets(ta, tb, lams, { numClasses: k, labelSmoothing: eps });
          const rows = out.arraySync();
          for (let i = 0; i < n; i++) {
            const sum = rows[i].reduce((s, v) => s + v, 0);
            expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
            for (let c = 0; c < k; c++) {
              const one = (cls: number) => (c === cls ? 1 - eps + eps / k : eps / k);
              const expected = lams[i] * one(a[i]) + (1 - lams[i]) * one(b[i]);
              expect(Math.abs(rows[i][c] - expected)).toBeLessThan(1e-6);
            }
          }
          // One-hot input gives the same targets as class indices.
          const oneHot = (idx: number[]) =>
            tf.tensor2d(
              idx.map((c) => Array.from({ length: k }, (_, j) => (j === c ? 1 : 0))),
              [n, k],
            );
          const oa = oneHot(a);
          const ob = oneHot(b);
          const dense = mixTargets(oa, ob, lams, { labelSmoothing: eps });
          const denseRows = dense.arraySync();
          rows.forEach((row, i) => row.forEach((v, c) => expect(Math.abs(v - denseRows[i][c])).toBeLessThan(1e-6)));
          tf.dispose([ta, tb, out, oa, ob, dense]);
        },
      ),
    );
  });

  it('accepts one λ for the whole batch', () => {
    const a = tf.tensor1d([0, 1], 'int32');
    const b = tf.tensor1d([1, 1], 'int32');
    const out = mixTargets(a, b, 0.25, { numClasses: 2 });
    expect(out.arraySync()).toEqual([
      [0.25, 0.75],
      [0, 1],
    ]);
    tf.dispose([a, b, out]);
  });

  it('rejects bad input, leaking nothing', () => {
    const a = tf.tensor1d([0, 3], 'int32');
    const b = tf.tensor1d([1, 1], 'int32');
    const neg = tf.tensor1d([-1, 1], 'int32');
    const soft = tf.zeros([2, 4]);
    const soft5 = tf.zeros([2, 5]);
    expectThrowsNoLeak(
      () => mixTargets(a, b, 0.5, { numClasses: 3 }),
      'Error in mixTargets: labelsA[1] must be an integer class index in [0, 3), but got 3.',
    );
    expectThrowsNoLeak(
      () => mixTargets(neg, b, 0.5, { numClasses: 3 }),
      'Error in mixTargets: labelsA[0] must be an integer class index in [0, 3), but got -1.',
    );
    expectThrowsNoLeak(
      () => mixTargets(a, b, 0.5),
      'Error in mixTargets: options.numClasses must be a positive integer for class-index labels, but got undefined.',
    );
    expectThrowsNoLeak(
      () => mixTargets(a, b, 1.5, { numClasses: 4 }),
      'Error in mixTargets: lam must be a number in [0, 1], but got 1.5.',
    );
    expectThrowsNoLeak(
      () => mixTargets(a, b, new Float32Array([0.5, NaN]), { numClasses: 4 }),
      'Error in mixTargets: lam[1] must be a number in [0, 1], but got NaN.',
    );
    expectThrowsNoLeak(
      () => mixTargets(a, soft, 0.5, { numClasses: 4 }),
      'Error in mixTargets: labelsB must have the shape of labelsA [2], but got [2,4].',
    );
    expectThrowsNoLeak(
      () => mixTargets(soft, soft5, 0.5),
      'Error in mixTargets: labelsB must have the shape of labelsA [2,4], but got [2,5].',
    );
    expectThrowsNoLeak(
      () => mixTargets(soft, soft, 0.5, { numClasses: 3 }),
      "Error in mixTargets: options.numClasses must be 4 to match the labels' second dim, but got 3.",
    );
    expectThrowsNoLeak(
      () => mixTargets(soft, soft, 0.5, { labelSmoothing: 2 }),
      'Error in mixTargets: options.labelSmoothing must be a number in [0, 1], but got 2.',
    );
    expectThrowsNoLeak(
      () => mixTargets(soft, soft, 0.5, { smoothing: 0.1 } as never),
      "Error in mixTargets: options key 'smoothing' must be one of numClasses, labelSmoothing, but got an unknown key.",
    );
    tf.dispose([a, b, neg, soft, soft5]);
  });
});

import '@tensorflow/tfjs-layers'; // registers the gradients tf.grad needs (tfjs-core alone has none)
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { cutmixBatch, cutmixLoss, mixTargets } from '../../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

/** Per-sample CE written out in plain numbers, independent of the package. */
function referenceLoss(logits: number[][], a: number[], b: number[], lam: Float32Array): number {
  let total = 0;
  logits.forEach((row, i) => {
    const max = Math.max(...row);
    const logZ = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    total += lam[i] * (logZ - row[a[i]]) + (1 - lam[i]) * (logZ - row[b[i]]);
  });
  return total / logits.length;
}

/** One-hot as float32 (built in JS: wasm's OneHot mishandles a float dtype). */
function oneHotFloat(labels: tf.Tensor, k: number): tf.Tensor2D {
  const idx = labels.dataSync();
  const out = new Float32Array(idx.length * k);
  idx.forEach((c, i) => (out[i * k + c] = 1));
  return tf.tensor2d(out, [idx.length, k]);
}

describeEachBackend('cutmixLoss', () => {
  it('equals an independent per-sample computation, for class indices and one-hot labels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            k: fc.integer({ min: 2, max: 6 }),
            logits: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n * 6, maxLength: n * 6 }),
            lam: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
            a: fc.array(fc.nat(), { minLength: n, maxLength: n }),
            b: fc.array(fc.nat(), { minLength: n, maxLength: n }),
          }),
        ),
        ({ n, k, logits, lam, a, b }) => {
          const rows = Array.from({ length: n }, (_, i) => logits.slice(i * k, i * k + k));
          const ai = a.map((v) => v % k);
          const bi = b.map((v) => v % k);
          const lams = Float32Array.from(lam);
          const expected = referenceLoss(rows, ai, bi, lams);
          tf.tidy(() => {
            const t = tf.tensor2d(rows);
            const ta = tf.tensor1d(ai, 'int32');
            const tb = tf.tensor1d(bi, 'int32');
            const sparse = cutmixLoss(t, ta, tb, lams);
            const dense = cutmixLoss(t, oneHotFloat(ta, k), oneHotFloat(tb, k), lams);
            expect(Math.abs(sparse.dataSync()[0] - expected)).toBeLessThan(1e-4);
            expect(Math.abs(dense.dataSync()[0] - expected)).toBeLessThan(1e-4);
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  it('weights per sample before the mean (not mean(λ)·mean(loss))', () => {
    const logits = tf.tensor2d([
      [4, 0],
      [0, 4],
    ]);
    const a = tf.tensor1d([0, 0], 'int32');
    const b = tf.tensor1d([1, 1], 'int32');
    const lam = new Float32Array([1, 0]);
    const loss = cutmixLoss(logits, a, b, lam);
    // Sample 0 is all class 0 (right), sample 1 all class 1 (right): both losses are log(1 + e⁻⁴).
    expect(loss.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-4)), 5);
    tf.dispose([logits, a, b, loss]);
  });

  it('equals soft-target CE on mixTargets (CE is linear in the target)', () => {
    const logits = tf.tensor2d([
      [1, 2, 0.5],
      [0.1, -1, 3],
      [2, 2, 2],
    ]);
    const a = tf.tensor1d([0, 2, 1], 'int32');
    const b = tf.tensor1d([1, 2, 0], 'int32');
    const lam = new Float32Array([0.3, 0.9, 0.5]);
    const targets = mixTargets(a, b, lam, { numClasses: 3 });
    const viaTargets = tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))));
    const loss = cutmixLoss(logits, a, b, lam);
    expect(loss.dataSync()[0]).toBeCloseTo(viaTargets.dataSync()[0], 5);
    tf.dispose([logits, a, b, targets, viaTargets, loss]);
  });

  it('has a gradient with respect to the logits (usable in optimizer.minimize)', () => {
    const logits = tf.tensor2d([
      [1, 2, 0.5],
      [0.1, -1, 3],
    ]);
    const a = tf.tensor1d([0, 2], 'int32');
    const b = tf.tensor1d([1, 0], 'int32');
    const lam = new Float32Array([0.25, 0.5]);
    const grad = tf.grad((x: tf.Tensor) => cutmixLoss(x as tf.Tensor2D, a, b, lam))(logits);
    // d/dz of mean CE: (softmax − target) / N, target = λ·onehot(a) + (1−λ)·onehot(b).
    const soft = tf.tidy(() => tf.softmax(logits).arraySync() as number[][]);
    const targets = [
      [0.25, 0.75, 0],
      [0.5, 0, 0.5],
    ];
    const g = grad.arraySync() as number[][];
    g.forEach((row, i) => row.forEach((v, c) => expect(v).toBeCloseTo((soft[i][c] - targets[i][c]) / 2, 5)));
    const optimizer = tf.train.sgd(0.1);
    const v = tf.variable(logits);
    const before = cutmixLoss(v, a, b, lam);
    optimizer.minimize(() => cutmixLoss(v as tf.Tensor2D, a, b, lam));
    const after = cutmixLoss(v, a, b, lam);
    expect(after.dataSync()[0]).toBeLessThan(before.dataSync()[0]);
    tf.dispose([logits, a, b, grad, v, before, after]);
    optimizer.dispose();
  });

  it('gradients flow through cutmixBatch back to the source pixels', () => {
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 1 * 2 * 3 }, (_, i) => i),
      [2, 1, 2, 3],
    );
    const labels = tf.tensor1d([0, 1], 'int32');
    const weights = tf.tensor4d(
      Float32Array.from({ length: 12 }, (_, i) => i + 1),
      [2, 1, 2, 3],
    );
    const box = { y1: 0, x1: 1, y2: 2, x2: 3 };
    const g = tf.grad((img: tf.Tensor) => {
      const out = cutmixBatch(img as tf.Tensor4D, labels, { box, partners: [1, 1] });
      tf.dispose([out.labelsA, out.labelsB]);
      return tf.sum(tf.mul(out.images, weights));
    })(x);
    // Sample 0 keeps column 0 and takes columns 1–2 from sample 1; sample 1 pastes onto itself.
    const w = weights.arraySync() as number[][][][];
    const expected = [
      [
        [
          [w[0][0][0][0], 0, 0],
          [w[0][0][1][0], 0, 0],
        ],
      ],
      [
        [
          [w[1][0][0][0], w[1][0][0][1] + w[0][0][0][1], w[1][0][0][2] + w[0][0][0][2]],
          [w[1][0][1][0], w[1][0][1][1] + w[0][0][1][1], w[1][0][1][2] + w[0][0][1][2]],
        ],
      ],
    ];
    expect(g.arraySync()).toEqual(expected);
    tf.dispose([x, labels, weights, g]);
  });

  it('accepts a custom per-sample loss and checks its output shape', () => {
    const logits = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const a = tf.tensor1d([0, 1], 'int32');
    const b = tf.tensor1d([1, 0], 'int32');
    const constant = (labels: tf.Tensor) => tf.fill([labels.shape[0]], 2) as tf.Tensor1D;
    const loss = cutmixLoss(logits, a, b, 0.5, constant);
    expect(loss.dataSync()[0]).toBeCloseTo(2);
    expectThrowsNoLeak(
      () => cutmixLoss(logits, a, b, 0.5, () => tf.scalar(1) as never),
      'Error in cutmixLoss: lossFn(labels, logits) must be a per-sample loss of shape [2], but got a float32 tensor of shape [].',
    );
    tf.dispose([logits, a, b, loss]);
  });

  it('rejects bad input, leaking nothing', () => {
    const logits = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const a = tf.tensor1d([0, 1], 'int32');
    const b = tf.tensor1d([1, 3], 'int32');
    const a3 = tf.tensor1d([0, 1, 2], 'int32');
    const soft4 = tf.zeros([2, 4]);
    const l1 = tf.zeros([2]);
    expectThrowsNoLeak(
      () => cutmixLoss(l1 as never, a, a, 0.5),
      'Error in cutmixLoss: logits must be rank 2 ([N, K]), but got rank 1.',
    );
    expectThrowsNoLeak(
      () => cutmixLoss(logits, a, b, 0.5),
      'Error in cutmixLoss: labelsB[1] must be an integer class index in [0, 3), but got 3.',
    );
    expectThrowsNoLeak(
      () => cutmixLoss(logits, a3, a3, 0.5),
      'Error in cutmixLoss: labelsA must have 2 rows to match logits, but got 3.',
    );
    expectThrowsNoLeak(
      () => cutmixLoss(logits, soft4, soft4, 0.5),
      'Error in cutmixLoss: labelsA must have 3 columns to match logits, but got 4.',
    );
    expectThrowsNoLeak(
      () => cutmixLoss(logits, a, a, -0.5),
      'Error in cutmixLoss: lam must be a number in [0, 1], but got -0.5.',
    );
    expectThrowsNoLeak(
      () => cutmixLoss(logits, a, a, 0.5, 'ce' as never),
      'Error in cutmixLoss: lossFn must be a function, but got "ce".',
    );
    tf.dispose([logits, a, b, a3, soft4, l1]);
  });
});

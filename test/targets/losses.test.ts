import * as tf from '@tensorflow/tfjs-core';
// Registers the gradients optimizer.minimize needs.
import '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { cutmixLoss, mixTargets, sigmoidCrossEntropyPerSample, softmaxCrossEntropyPerSample } from '../../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

/** −t·log σ(x) − (1−t)·log(1−σ(x)), in double precision with log1p, from the definition. */
function bce(t: number, x: number): number {
  // log σ(x) = −log(1 + e^(−x)); log(1 − σ(x)) = −log(1 + e^x): each stable on its own side.
  const logSig = x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
  const logOneMinus = x >= 0 ? -x - Math.log1p(Math.exp(-x)) : -Math.log1p(Math.exp(x));
  return -t * logSig - (1 - t) * logOneMinus;
}

describeEachBackend('multi-label losses', () => {
  it('sigmoidCrossEntropyPerSample is the mean binary cross-entropy per sample, finite for any |logit|', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(3, 30, 300, 3e4),
        fc.integer(),
        (n, k, scale, seed) => {
          const logitValues = Array.from({ length: n * k }, (_, i) => Math.fround(scale * Math.sin(seed + i * 1.7)));
          const targetValues = Array.from({ length: n * k }, (_, i) => ((seed + i) % 3 === 0 ? 1 : (i % 4) / 4));
          const logits = tf.tensor2d(logitValues, [n, k]);
          const targets = tf.tensor2d(targetValues, [n, k]);
          const losses = sigmoidCrossEntropyPerSample(targets, logits);
          const got = losses.dataSync();
          for (let s = 0; s < n; s++) {
            let want = 0;
            for (let j = 0; j < k; j++) want += bce(targetValues[s * k + j], logitValues[s * k + j]) / k;
            expect(Number.isFinite(got[s])).toBe(true);
            expect(Math.abs(got[s] - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, want));
          }
          tf.dispose([logits, targets, losses]);
        },
      ),
    );
  });

  it('its gradient is (σ(x) − t)/K, and it trains inside optimizer.minimize through cutmixLoss', () => {
    const logits = tf.tensor2d([
      [2, -1, 0.5],
      [-3, 4, 0],
    ]);
    const targets = tf.tensor2d([
      [1, 0, 1],
      [0, 1, 1],
    ]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(sigmoidCrossEntropyPerSample(targets, x as tf.Tensor2D)))(logits);
    const want = logits.dataSync().map((x, i) => (1 / (1 + Math.exp(-x)) - targets.dataSync()[i]) / 3);
    Array.from(grad.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
    const weights = tf.tidy(() => tf.variable(tf.zeros([2, 3])));
    const optimizer = tf.train.sgd(1);
    const partnerTargets = tf.tensor2d([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const lam = Float32Array.of(0.75, 0.25);
    const step = () =>
      optimizer.minimize(
        () =>
          cutmixLoss(
            tf.add(logits, weights) as tf.Tensor2D,
            targets,
            partnerTargets,
            lam,
            sigmoidCrossEntropyPerSample,
          ),
        true,
      ) as tf.Scalar;
    const first = step();
    for (let i = 0; i < 20; i++) step().dispose();
    const last = step();
    expect(last.dataSync()[0]).toBeLessThan(first.dataSync()[0]);
    tf.dispose([logits, targets, grad, weights, partnerTargets, first, last]);
    optimizer.dispose();
  });

  it('mixTargets and cutmixLoss take multi-hot targets whose rows need not sum to 1', () => {
    const a = tf.tensor2d([
      [1, 1, 0, 1],
      [0, 0, 0, 0],
    ]);
    const b = tf.tensor2d([
      [0, 1, 1, 0],
      [1, 1, 1, 1],
    ]);
    const mixed = mixTargets(a, b, Float32Array.of(0.25, 0.5));
    expect(Array.from(mixed.dataSync())).toEqual([0.25, 1, 0.75, 0.25, 0.5, 0.5, 0.5, 0.5]);
    const logits = tf.tensor2d([
      [1, -2, 3, 0],
      [0.5, 0.5, -0.5, 2],
    ]);
    // BCE is linear in the target, so the mixed loss equals the loss on the mixed targets.
    const loss = cutmixLoss(logits, a, b, Float32Array.of(0.25, 0.5), sigmoidCrossEntropyPerSample);
    const direct = tf.tidy(() => tf.mean(sigmoidCrossEntropyPerSample(mixed, logits)));
    expect(loss.dataSync()[0]).toBeCloseTo(direct.dataSync()[0], 6);
    tf.dispose([a, b, mixed, logits, loss, direct]);
  });

  it('both per-sample losses check their arguments like every export (issue 9 defect 6)', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const disposed = tf.tensor1d([0, 1], 'int32');
    disposed.dispose();
    const bad = {
      outOfRange: tf.tensor1d([0, 5], 'int32'),
      negative: tf.tensor1d([-1, 0], 'int32'),
      fraction: tf.tensor1d([2.7, 0]),
      rows: tf.tensor1d([0], 'int32'),
      cols: tf.zeros([2, 4]),
      ints: tf.zeros([2, 3], 'int32'),
      outside: tf.tensor2d([
        [0, 1, 0.5],
        [2.7, 0, 1],
      ]),
      intLogits: tf.zeros([2, 3], 'int32'),
    };
    const sm = 'Error in softmaxCrossEntropyPerSample:';
    const sg = 'Error in sigmoidCrossEntropyPerSample:';
    const cases: [() => unknown, string][] = [
      [
        () => softmaxCrossEntropyPerSample(bad.outOfRange, logits),
        `${sm} labels[1] must be an integer class index in [0, 3), but got 5.`,
      ],
      [
        () => softmaxCrossEntropyPerSample(bad.negative, logits),
        `${sm} labels[0] must be an integer class index in [0, 3), but got -1.`,
      ],
      [
        () => softmaxCrossEntropyPerSample(bad.fraction, logits),
        `${sm} labels[0] must be an integer class index in [0, 3), but got 2.700000047683716.`,
      ],
      [
        () => softmaxCrossEntropyPerSample(disposed, logits),
        `${sm} labels must be a live tensor, but got a disposed tensor.`,
      ],
      [
        () => softmaxCrossEntropyPerSample(bad.rows, logits),
        `${sm} labels must have 2 rows to match logits, but got 1.`,
      ],
      [
        () => softmaxCrossEntropyPerSample(bad.cols, logits),
        `${sm} labels must have 3 columns to match logits, but got 4.`,
      ],
      [
        () => softmaxCrossEntropyPerSample(bad.ints, logits),
        `${sm} labels.dtype must be float32 for targets [N, K] (cast with tf.cast), but got int32.`,
      ],
      [
        () => softmaxCrossEntropyPerSample(bad.rows, bad.intLogits as tf.Tensor2D),
        `${sm} logits.dtype must be float32, but got int32.`,
      ],
      [
        () => sigmoidCrossEntropyPerSample(bad.rows, logits),
        `${sg} labels must be rank 2 (multi-hot or soft targets [N, K]), but got rank 1.`,
      ],
      [
        () => sigmoidCrossEntropyPerSample(bad.cols, logits),
        `${sg} labels must have 3 columns to match logits, but got 4.`,
      ],
      [
        () => sigmoidCrossEntropyPerSample(bad.cols, [[1]] as never),
        `${sg} logits must be a tf.Tensor, but got an array of length 1.`,
      ],
    ];
    for (const [call, message] of cases) expectThrowsNoLeak(call, message);
    tf.dispose([logits, ...Object.values(bad)]);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { expect, it } from 'vitest';
import {
  applyCutmix,
  CutMix,
  cutmixBatch,
  cutmixLoss,
  cutmixObjects,
  mixTargets,
  mixupBatch,
  mixupOrCutmix,
  randBox,
  sigmoidCrossEntropyPerSample,
  softmaxCrossEntropyPerSample,
} from '../../src/index.js';
import { cutmixDataset } from '../../src/data.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

/** Issue 17, defects 3–7: each with the test that failed before its fix. */

const ONE_CLASS =
  'must be ≥ 2 (class indices need two classes or more; for one binary output pass float32 targets [N, 1]), but got 1.';
const ONE_COLUMN =
  'logits must have at least 2 columns for softmax cross-entropy (a softmax over one column is always 1; ' +
  'for one binary output use sigmoidCrossEntropyPerSample), but got 1.';

describeEachBackend('issue 17 defects', () => {
  it('3: one class is refused at the boundary, naming the argument, with class indices or a softmax', async () => {
    const zeros = tf.tensor1d([0, 0], 'int32');
    const logits1 = tf.tensor2d([[0.3], [-0.2]]);
    const targets1 = tf.tensor2d([[1], [0]]);
    try {
      expectThrowsNoLeak(
        () => mixTargets(zeros, zeros, 0.5, { numClasses: 1 }),
        `Error in mixTargets: options.numClasses ${ONE_CLASS}`,
      );
      expectThrowsNoLeak(
        () => softmaxCrossEntropyPerSample(zeros, logits1),
        `Error in softmaxCrossEntropyPerSample: logits.shape[1] ${ONE_CLASS}`,
      );
      expectThrowsNoLeak(
        () => softmaxCrossEntropyPerSample(targets1, logits1),
        `Error in softmaxCrossEntropyPerSample: ${ONE_COLUMN}`,
      );
      expectThrowsNoLeak(
        () => cutmixLoss(logits1, zeros, zeros, 0.5),
        `Error in cutmixLoss: logits.shape[1] ${ONE_CLASS}`,
      );
      expectThrowsNoLeak(() => cutmixLoss(logits1, targets1, targets1, 0.5), `Error in cutmixLoss: ${ONE_COLUMN}`);
      // The meaningful one-output case: float32 targets [N, 1] with a sigmoid loss, everywhere.
      const loss = cutmixLoss(logits1, targets1, targets1, 0.5, sigmoidCrossEntropyPerSample);
      expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
      const soft = mixTargets(targets1, targets1, 0.25);
      expect(Array.from(soft.dataSync())).toEqual([1, 0]);
      tf.dispose([loss, soft]);

      const x = tf.zeros([2, 1, 4, 4]);
      const cutmix = new CutMix({ seed: 1 });
      const r = cutmix.mix(x, zeros);
      expectThrowsNoLeak(() => cutmix.loss(logits1), `Error in CutMix.loss: logits.shape[1] ${ONE_CLASS}`);
      const binary = cutmix.mix(x, targets1);
      expectThrowsNoLeak(() => cutmix.loss(logits1), `Error in CutMix.loss: ${ONE_COLUMN}`);
      const scored = cutmix.loss(logits1, sigmoidCrossEntropyPerSample);
      tf.dispose([x, r.images, binary.images, scored]);
      cutmix.dispose();

      const [xs, ys] = [tf.zeros([2, 4, 4, 1]), tf.tensor1d([0, 0], 'int32')];
      const ds = tfd.array([0]).map(() => ({ xs, ys }));
      await expect(cutmixDataset(ds, { numClasses: 1 }).toArray()).rejects.toThrow(
        `Error in cutmixDataset: options.numClasses ${ONE_CLASS}`,
      );
      tf.dispose([xs, ys]);
    } finally {
      tf.dispose([zeros, logits1, targets1]);
    }
  });

  it('4: CutMix.loss keeps its own λ: writing to the returned lam changes nothing', () => {
    const x = tf.randomUniform([4, 1, 8, 8], 0, 1, 'float32', 1);
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    const logits = tf.randomNormal([4, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    const cutmix = new CutMix({ seed: 3, mode: 'elem' });
    const r = cutmix.mix(x, y);
    const expected = cutmixLoss(logits, r.labelsA, r.labelsB, Float32Array.from(r.lam));
    expect(Array.from(r.lam).some((l) => l < 1)).toBe(true);
    r.lam.fill(1);
    const after = cutmix.loss(logits);
    expect(after.dataSync()[0]).toBeCloseTo(expected.dataSync()[0], 6);
    tf.dispose([x, y, logits, r.images, expected, after]);
    cutmix.dispose();
  });

  it('5: mixupBatch and mixupOrCutmix on samples without elements return them as they are', () => {
    const x = tf.zeros([2, 0, 4, 4]);
    const y = tf.tensor1d([0, 1], 'int32');
    for (const r of [mixupBatch(x, y, { seed: 1 }), mixupOrCutmix(x, y, { seed: 1, switchProb: 0 })]) {
      expect(r.images.shape).toEqual([2, 0, 4, 4]);
      tf.dispose([r.images, r.labelsA, r.labelsB]);
    }
    tf.dispose([x, y]);
  });

  it('6: CutMix.loss after the caller disposed a kept label tensor says so', () => {
    const x = tf.zeros([2, 1, 4, 4]);
    const y = tf.tensor1d([0, 1], 'int32');
    const logits = tf.zeros([2, 2]) as tf.Tensor2D;
    const cutmix = new CutMix({ seed: 1 });
    for (const field of ['labelsB', 'labelsA'] as const) {
      const r = cutmix.mix(x, y);
      r[field].dispose();
      expectThrowsNoLeak(
        () => cutmix.loss(logits),
        `Error in CutMix.loss: the last mix's ${field} must stay live until the next mix (the adapter owns them: do not dispose them yourself), but got a disposed tensor.`,
      );
      tf.dispose(r.images);
    }
    cutmix.dispose();
    tf.dispose([x, y, logits]);
  });

  it.each([
    ['a Map', new Map([['seed', 1]])],
    ['a Set', new Set(['seed'])],
    ['a Date', new Date(0)],
    ['an array of length 1', [1]],
    ['a RegExp', /seed/],
  ])('7: %s as options is refused at every entry point, never read as {}', (shown, options) => {
    const x = tf.zeros([2, 1, 4, 4]);
    const y = tf.tensor1d([0, 1], 'int32');
    const plan = {
      boxes: [
        { y1: 0, x1: 0, y2: 0, x2: 0 },
        { y1: 0, x1: 0, y2: 0, x2: 0 },
      ],
      partners: [0, 1],
    };
    const calls: [string, () => unknown][] = [
      ['cutmixBatch', () => cutmixBatch(x, y, options as never)],
      ['mixupBatch', () => mixupBatch(x, y, options as never)],
      ['mixupOrCutmix', () => mixupOrCutmix(x, y, options as never)],
      ['applyCutmix', () => applyCutmix(x, plan, options as never)],
      ['cutmixObjects', () => cutmixObjects([[], []], plan, options as never)],
      ['mixTargets', () => mixTargets(y, y, 1, options as never)],
      ['randBox', () => randBox([4, 4], 0.5, Math.random, options as never)],
      ['CutMix', () => new CutMix(options as never)],
      ['cutmixDataset', () => cutmixDataset(tfd.array([0]), options as never)],
    ];
    try {
      for (const [fn, call] of calls) {
        expectThrowsNoLeak(call, `Error in ${fn}: options must be an options object, but got ${shown}.`);
      }
    } finally {
      tf.dispose([x, y]);
    }
  });
});

import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { expect, it } from 'vitest';
import { applyCutmix, CutMix, cutmixBatch, mixTargets } from '../../src/index.js';
import { cutmixDataset } from '../../src/data.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

/** An adversarial review of the day's changes: each defect found, with the test that failed before its fix. */

describeEachBackend('review round 4', () => {
  it("CutMix.mix refuses an extra tensor named 'method' (it was overwritten by the result's method and leaked)", () => {
    const x = tf.zeros([2, 1, 4, 4]);
    const mask = tf.zeros([2, 1, 4, 4]);
    const cutmix = new CutMix({ seed: 1 });
    try {
      expectThrowsNoLeak(
        () => cutmix.mix(x, undefined, { method: mask }),
        "Error in CutMix.mix: options.method must be named apart from the result's own fields " +
          '(images, labelsA, labelsB, lam, boxes, partners, method), but got a clash.',
      );
    } finally {
      cutmix.dispose();
      tf.dispose([x, mask]);
    }
  });

  it('CutMix.mix takes the labels it kept from the last mix as this batch’s labels (training and evaluation)', () => {
    const x = tf.tensor4d(
      Float32Array.from({ length: 4 * 16 }, (_, i) => i),
      [4, 1, 4, 4],
    );
    const ys = tf.tensor1d([0, 1, 2, 1], 'int32');
    const logits = tf.zeros([4, 3]) as tf.Tensor2D;
    const cutmix = new CutMix({ numClasses: 3, partners: [1, 2, 3, 0], lam: 0.5 });
    try {
      const first = cutmix.mix(x, ys);
      for (const training of [true, false]) {
        const again = cutmix.mix(first.images, first.labelsA, { training });
        const expected = training ? [1, 2, 1, 0] : [0, 1, 2, 1];
        expect(Array.from(again.labelsB.dataSync())).toEqual(expected);
        const loss = cutmix.loss(logits);
        expect(loss.dataSync()[0]).toBeCloseTo(Math.log(3), 5);
        tf.dispose([again.images, loss]);
        // The labels this call kept are the ones the next call is given.
        first.labelsA = again.labelsA;
      }
      first.images.dispose();
    } finally {
      cutmix.dispose();
      tf.dispose([x, ys, logits]);
    }
  });

  it('a tensor passed as options is refused as such, not by its internal keys', () => {
    const x = tf.zeros([2, 1, 4, 4]);
    const t = tf.zeros([2]);
    const targets = tf.zeros([2, 2]);
    const cutmix = new CutMix();
    try {
      const got = 'but got a float32 tensor of shape [2].';
      expectThrowsNoLeak(
        () => cutmixBatch(x, undefined, t as never),
        `Error in cutmixBatch: options must be an options object, ${got}`,
      );
      expectThrowsNoLeak(
        () => cutmix.mix(x, undefined, t as never),
        `Error in CutMix.mix: options must be an options object, ${got}`,
      );
      expectThrowsNoLeak(
        () => mixTargets(targets, targets, 1, t as never),
        `Error in mixTargets: options must be an options object, ${got}`,
      );
    } finally {
      cutmix.dispose();
      tf.dispose([x, t, targets]);
    }
  });

  it('applyCutmix names the layout when the plan fits x only in the other family (a one-hot mask [N, H, W, K])', () => {
    // Boxes of 32×32 NHWC images; the mask's default reading NCHW has W = 10, its NHWC reading 32×32.
    const plan = {
      boxes: [
        { y1: 4, x1: 12, y2: 20, x2: 28 },
        { y1: 0, x1: 0, y2: 0, x2: 0 },
      ],
      partners: [1, 0],
    };
    const mask = tf.zeros([2, 32, 32, 10], 'int32');
    try {
      expectThrowsNoLeak(
        () => applyCutmix(mask, plan),
        'Error in applyCutmix: options.dataFormat must be given for x of shape [2,32,32,10]: plan.boxes fit its ' +
          "spatial sizes as 'NHWC' ([32, 32]), not as the default 'NCHW' ([32, 10]); pass 'NHWC' (tfjs-layers' " +
          "'channelsLast'), but got undefined.",
      );
      // Told the layout, the same call pastes; told the other one, it is obeyed (the box message); a plan that
      // fits neither reading keeps the box message.
      applyCutmix(mask, plan, { dataFormat: 'NHWC' }).dispose();
      expectThrowsNoLeak(
        () => applyCutmix(mask, plan, { dataFormat: 'channelsFirst' }),
        /^Error in applyCutmix: plan\.boxes\[0\] must be a 2-D box .* 0 ≤ x1 ≤ x2 ≤ 10, but got/,
      );
      const wide = { boxes: [{ y1: 0, x1: 0, y2: 1, x2: 33 }, plan.boxes[1]], partners: [1, 0] };
      expectThrowsNoLeak(() => applyCutmix(mask, wide), /^Error in applyCutmix: plan\.boxes\[0\] must be a 2-D box/);
    } finally {
      mask.dispose();
    }
  });

  it('cutmixDataset says to call .batch(n) when an unbatched element carries one-hot ys [K]', async () => {
    // One MNIST-like sample per element, its label one-hot: xs [28, 28, 1] reads as 28 signals.
    const xs = tf.zeros([28, 28, 1]);
    const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.scalar(3, 'int32'), 10), 'float32'));
    const source = tfd.array([0]).map(() => ({ xs, ys }));
    try {
      await expect(cutmixDataset(source, { numClasses: 10 }).toArray()).rejects.toThrow(
        'Error in cutmixDataset: element.ys must have 28 rows to match element.xs (if the dataset is unbatched, ' +
          'call .batch(n) on it before cutmixDataset), but got 10.',
      );
    } finally {
      tf.dispose([xs, ys]);
    }
  });

  it('an int32 tensor is "an int32 tensor" in messages (the unbatched scalar label)', async () => {
    const [xs, ys] = [tf.zeros([4, 4, 1]), tf.scalar(1, 'int32')];
    const source = tfd.array([0]).map(() => ({ xs, ys }));
    try {
      await expect(cutmixDataset(source, { numClasses: 2 }).toArray()).rejects.toThrow(
        'Error in cutmixDataset: element.ys must be a tf.Tensor of batch labels, [N] or [N, K] (if the dataset is ' +
          'unbatched, call .batch(n) on it before cutmixDataset), but got an int32 tensor of shape [].',
      );
    } finally {
      tf.dispose([xs, ys]);
    }
  });
});

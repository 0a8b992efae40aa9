import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
// Registers the gradients fitDataset needs, and builds a real model.
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { cutmixDataset, type CutMixDatasetOptions, type ImageBatch } from '../../src/data.js';
import { describeEachBackend } from '../support/backends.js';

/**
 * A batched dataset made lazily (no tensor lives between iterations): `batches` batches of `n` images in
 * which sample i is filled with the value i + 1 and has class i, so a mixed image shows exactly which share
 * of its pixels came from whom.
 */
function makeDataset(batches: number, n: number, h = 6, w = 5, oneHot = false): tfd.Dataset<ImageBatch<tf.Tensor4D>> {
  return tfd.generator(function* () {
    for (let b = 0; b < batches; b++) {
      const values = Float32Array.from({ length: n * h * w }, (_, j) => Math.floor(j / (h * w)) + 1);
      const classes = Int32Array.from({ length: n }, (_, i) => i);
      const xs = tf.tensor4d(values, [n, h, w, 1]);
      const ys = oneHot
        ? tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(classes, 'int32'), n), 'float32'))
        : tf.tensor1d(classes, 'int32');
      yield { xs, ys };
    }
  });
}

async function collect(dataset: tfd.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor2D }>) {
  const out: { xs: number[][][][]; ys: number[][] }[] = [];
  await dataset.forEachAsync((e) => {
    out.push({ xs: e.xs.arraySync(), ys: e.ys.arraySync() });
    tf.dispose([e.xs, e.ys]);
  });
  return out;
}

describeEachBackend('cutmixDataset', () => {
  it('yields mixed images and soft targets whose weights are the pixel shares (rows sum to 1)', async () => {
    for (const oneHot of [false, true]) {
      const batches = await collect(
        cutmixDataset(makeDataset(3, 4, 6, 5, oneHot), { numClasses: 4, seed: 1, mode: 'elem' }),
      );
      expect(batches).toHaveLength(3);
      for (const { xs, ys } of batches) {
        expect(ys).toHaveLength(4);
        for (let i = 0; i < 4; i++) {
          expect(ys[i].reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
          // Count each sample's pixels in the mixed image i: the targets must weight classes by them.
          const share = new Array(4).fill(0);
          for (const row of xs[i]) for (const [v] of row) share[v - 1] += 1 / 30;
          for (let k = 0; k < 4; k++) expect(ys[i][k]).toBeCloseTo(share[k], 6);
        }
      }
    }
  });

  it('applies label smoothing, keeps NCHW when asked, and draws new boxes every epoch from one seed', async () => {
    const smooth = await collect(
      cutmixDataset(makeDataset(1, 4), { numClasses: 4, labelSmoothing: 0.2, prob: 0, seed: 1 }),
    );
    expect(smooth[0].ys[2]).toEqual([0.05, 0.05, 0.85, 0.05].map((v) => expect.closeTo(v, 6)));

    const nchw = tfd.generator(function* () {
      yield { xs: tf.ones([2, 3, 4, 5]) as tf.Tensor4D, ys: tf.tensor1d([0, 1], 'int32') };
    });
    const [first] = await collect(cutmixDataset(nchw, { numClasses: 2, dataFormat: 'NCHW', seed: 2 }));
    expect([first.xs.length, first.xs[0].length, first.xs[0][0].length, first.xs[0][0][0].length]).toEqual([
      2, 3, 4, 5,
    ]);

    const mixed = cutmixDataset(makeDataset(2, 6), { numClasses: 6, seed: 3, mode: 'elem' });
    const epoch1 = await collect(mixed);
    const epoch2 = await collect(mixed);
    expect(JSON.stringify(epoch2)).not.toBe(JSON.stringify(epoch1));
    const again = await collect(cutmixDataset(makeDataset(2, 6), { numClasses: 6, seed: 3, mode: 'elem' }));
    expect(again).toEqual(epoch1);
  });

  it('trains a tf.sequential model with fitDataset for three epochs, the tensor count flat across epochs', async () => {
    const before = tf.memory().numTensors;
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [6, 5, 1] }),
        tfl.layers.dense({
          units: 4,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const atEpochEnd: number[] = [];
    const history = await model.fitDataset(
      cutmixDataset(makeDataset(5, 4), { numClasses: 4, labelSmoothing: 0.1, seed: 4 }),
      {
        epochs: 3,
        verbose: 0,
        callbacks: { onEpochEnd: async () => void atEpochEnd.push(tf.memory().numTensors) },
      },
    );
    const losses = history.history.loss as number[];
    expect(losses).toHaveLength(3);
    expect(losses.every(Number.isFinite)).toBe(true);
    // Epoch 1 creates the optimizer's slots; from then on nothing accumulates.
    expect(atEpochEnd[2]).toBe(atEpochEnd[1]);
    model.optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad input with exact messages', async () => {
    const ok = makeDataset(1, 2);
    expect(() => cutmixDataset([1, 2] as never)).toThrow(
      'Error in cutmixDataset: dataset must be a tf.data.Dataset (an object with a map method), but got an array of length 2.',
    );
    expect(() => cutmixDataset(ok, { lam: 0.5 } as CutMixDatasetOptions)).toThrow(
      "Error in cutmixDataset: options key 'lam' must be one of alpha, rng, seed, mode, partner, prob, dataFormat, placement, ratioMinMax, correctLam, numClasses, labelSmoothing, alsoCut, minVisible, but got an unknown key.",
    );
    expect(() => cutmixDataset(ok, { labelSmoothing: 2 })).toThrow(
      'Error in cutmixDataset: options.labelSmoothing must be a number in [0, 1], but got 2.',
    );
    expect(() => cutmixDataset(ok, { labelSmoothing: null } as never)).toThrow(
      'Error in cutmixDataset: options.labelSmoothing must be a number in [0, 1], but got null.',
    );
    expect(() => cutmixDataset(ok, { alpha: 0 })).toThrow(
      'Error in cutmixDataset: options.alpha must be a finite number > 0, but got 0.',
    );
    expect(() => cutmixDataset(ok, { numClasses: 2.5 })).toThrow(
      'Error in cutmixDataset: options.numClasses must be a positive integer, but got 2.5.',
    );
    expect(() => cutmixDataset(ok, { dataFormat: 'HWC' as never })).toThrow(
      "Error in cutmixDataset: options.dataFormat must be one of 'NCW', 'NWC', 'NCHW', 'NHWC', 'NCDHW', 'NDHWC', 'channelsFirst', 'channelsLast', but got \"HWC\".",
    );
    // Element checks run when the batch arrives, before anything is allocated for it. tf.data leaves a
    // batch whose map threw undisposed (that is tf.data's doing), so these batches are kept to dispose here.
    const yielded: tf.Tensor[] = [];
    const once = (xs: tf.Tensor, ys: tf.Tensor) =>
      tfd.generator(function* () {
        yielded.push(xs, ys);
        yield { xs: xs as tf.Tensor4D, ys };
      });
    const before = tf.memory().numTensors;
    await expect(
      collect(cutmixDataset(once(tf.zeros([2, 6, 5, 1]), tf.tensor1d([0, 1], 'int32')), { seed: 1 })),
    ).rejects.toThrow(
      'Error in cutmixDataset: options.numClasses must be a positive integer when element.ys holds class indices [N], but got undefined.',
    );
    await expect(
      collect(
        cutmixDataset(once(tf.zeros([6, 5, 1]), tf.tensor1d([0], 'int32')), { numClasses: 2, dataFormat: 'NHWC' }),
      ),
    ).rejects.toThrow('Error in cutmixDataset: element.xs must be rank 4 (NHWC), but got rank 3.');
    await expect(
      collect(cutmixDataset(once(tf.zeros([6, 5]), tf.tensor1d([0], 'int32')), { numClasses: 2 })),
    ).rejects.toThrow(
      'Error in cutmixDataset: element.xs must be rank 3, 4 or 5, a batch (if the dataset is unbatched, call .batch(n) on it before cutmixDataset), but got rank 2.',
    );
    await expect(
      collect(cutmixDataset(once(tf.zeros([2, 6, 5, 1]), tf.tensor1d([0], 'int32')), { numClasses: 2 })),
    ).rejects.toThrow(
      'Error in cutmixDataset: element.ys must have 2 rows to match element.xs (if the dataset is unbatched, call .batch(n) on it before cutmixDataset), but got 1.',
    );
    expect(tf.memory().numTensors - before).toBe(yielded.length);
    tf.dispose(yielded);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { cutmixDataset, oneHotDataset } from '../../src/data.js';
import { describeEachBackend } from '../support/backends.js';

/** Issue 16 item 6: model.fitDataset with CutMix, validation data included, as a TF.js user writes it. */

const N = 48;
const images = () => tf.randomUniform([N, 8, 8, 1], 0, 1, 'float32', 7);
const classes = () =>
  tf.tensor1d(
    Int32Array.from({ length: N }, (_, i) => i % 3),
    'int32',
  );

function smallModel(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [tfl.layers.flatten({ inputShape: [8, 8, 1] }), tfl.layers.dense({ units: 3, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** A dataset of the given elements, yielded as they are (tfd.array clones, and a failing map strands the clones). */
const given = <T extends tf.TensorContainer>(...elements: T[]) =>
  tfd.generator(function* () {
    yield* elements;
  });

describeEachBackend('fitDataset with cutmixDataset and oneHotDataset', () => {
  it('trains with class-index validation data mapped by oneHotDataset, and memory stays flat', async () => {
    const [xs, ys] = [images(), classes()];
    const [slices, labels] = [tf.unstack(xs), Array.from(ys.dataSync())];
    const zip = () => tfd.zip({ xs: tfd.array(slices), ys: tfd.array(labels) }).batch(16);
    const model = smallModel();
    const train = cutmixDataset(zip(), { numClasses: 3, seed: 1 });
    const val = oneHotDataset(zip(), { numClasses: 3 });
    await model.fitDataset(train, { epochs: 1, validationData: val, verbose: 0 });
    const settled = tf.memory().numTensors;
    const history = await model.fitDataset(train, { epochs: 3, validationData: val, verbose: 0 });
    expect(history.history.val_loss.every((v) => Number.isFinite(v as number))).toBe(true);
    expect(tf.memory().numTensors, 'no growth across epochs').toBe(settled);
    model.dispose();
    tf.dispose([xs, ys, ...slices]);
  });

  it('oneHotDataset: indices become float32 one-hot [N, K]; targets pass through; bad input is named', async () => {
    const [xs, ys] = [tf.zeros([2, 4, 4, 1]), tf.tensor1d([2, 0], 'int32')];
    const [out] = await oneHotDataset(given({ xs, ys }), { numClasses: 3 }).toArray();
    expect(out.ys.dtype).toBe('float32');
    expect(out.ys.arraySync()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    tf.dispose(out.ys);
    const big = tf.tensor1d([3, 0], 'int32');
    await expect(oneHotDataset(given({ xs, ys: big }), { numClasses: 3 }).toArray()).rejects.toThrow(
      'Error in oneHotDataset: element.ys[0] must be an integer class index in [0, 3), but got 3.',
    );
    expect(() => oneHotDataset(given({ xs, ys }), {} as never)).toThrow(
      'Error in oneHotDataset: options.numClasses must be a positive integer, but got undefined.',
    );
    tf.dispose([xs, ys, big]);
  });

  it('an unbatched dataset is told to call .batch(n)', async () => {
    const xs = tf.zeros([4, 4, 1]);
    const unbatched = given({ xs, ys: 1 });
    await expect(cutmixDataset(unbatched, { numClasses: 3 }).toArray()).rejects.toThrow(
      'Error in cutmixDataset: element.ys must be a tf.Tensor of batch labels, [N] or [N, K] (if the dataset is unbatched, call .batch(n) on it before cutmixDataset), but got 1.',
    );
    xs.dispose();
  });

  it('an element without ys (segmentation) yields mixed xs and alsoCut keys, and no ys', async () => {
    const xs = tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 3);
    const masks = tf.tidy(() => tf.cast(tf.greater(xs, 0.5), 'int32'));
    const [out] = await cutmixDataset(given({ xs, masks }), { seed: 2, alsoCut: ['masks'] }).toArray();
    expect(Object.keys(out).sort()).toEqual(['masks', 'xs']);
    const expected = tf.tidy(() => tf.cast(tf.greater(out.xs, 0.5), 'int32'));
    expect(Array.from((out.masks as tf.Tensor).dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([xs, masks, expected, out as unknown as tf.TensorContainer]);
  });
});

// Outside the leak-checked suite: tfjs itself strands tensors when this fails.
it('without oneHotDataset, class-index validation data fails inside tfjs (why the helper exists)', async () => {
  await tf.setBackend('cpu');
  const [xs, ys] = [images(), classes()];
  const [slices, labels] = [tf.unstack(xs), Array.from(ys.dataSync())];
  const zip = () => tfd.zip({ xs: tfd.array(slices), ys: tfd.array(labels) }).batch(16);
  const model = smallModel();
  const train = cutmixDataset(zip(), { numClasses: 3, seed: 1 });
  await expect(model.fitDataset(train, { epochs: 1, validationData: zip(), verbose: 0 })).rejects.toThrow(/broadcast/);
  model.dispose();
  tf.dispose([xs, ys, ...slices]);
});

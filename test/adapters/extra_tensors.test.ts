import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { expect, it } from 'vitest';
import { applyCutmix, CutMix, cutmixObjects, type Box, type ObjectBox } from '../../src/index.js';
import { cutmixDataset } from '../../src/data.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

/** A batch whose true mask can be read off any mixed image: each pixel's value encodes its class. */
function segmentationBatch(n: number, h: number, w: number) {
  const classes = Int32Array.from({ length: n * h * w }, (_, i) => (i * 7 + Math.floor(i / w)) % 3);
  return {
    images: tf.tensor4d(
      Float32Array.from(classes, (k, i) => k + 3 * i),
      [n, h, w, 1],
    ),
    labels: tf.tensor1d(
      Int32Array.from({ length: n }, (_, i) => i % 2),
      'int32',
    ),
    masks: tf.tensor4d(classes, [n, h, w, 1], 'int32'),
    objects: Array.from({ length: n }, (_, s): (ObjectBox & { id: number })[] => [
      { y1: 1, x1: 1, y2: h - 1, x2: w / 2, id: s },
    ]),
  };
}

describeEachBackend('extra targets in the adapters', () => {
  it('CutMix.mix cuts masks with the images’ plan and moves objects; evaluation passes both through', () => {
    const { images, labels, masks, objects } = segmentationBatch(6, 10, 8);
    const cutmix = new CutMix({ seed: 5, mode: 'elem', dataFormat: 'NHWC', minVisible: 0.2 });
    const out = cutmix.mix(images, labels, { masks, objects });
    expect(Array.from(out.masks.dataSync())).toEqual(Array.from(out.images.dataSync(), (v) => v % 3));
    const plan = { boxes: out.boxes as Box[], partners: out.partners };
    expect(out.objects).toEqual(cutmixObjects(objects, plan, { minVisible: 0.2 }));
    const viaApply = applyCutmix(masks, plan, { dataFormat: 'NHWC' });
    expect(Array.from(out.masks.dataSync())).toEqual(Array.from(viaApply.dataSync()));
    const evaluation = cutmix.mix(images, labels, { masks, objects, training: false });
    expect(evaluation.masks).not.toBe(masks);
    expect(Array.from(evaluation.masks.dataSync())).toEqual(Array.from(masks.dataSync()));
    expect(evaluation.objects).toEqual(objects);
    tf.dispose([images, labels, masks, out.images, out.masks, viaApply, evaluation.images, evaluation.masks]);
    cutmix.dispose();
  });

  it('CutMix.mix rejects a target that does not fit the images, before drawing anything', () => {
    const { images, labels, masks } = segmentationBatch(4, 6, 6);
    let draws = 0;
    const cutmix = new CutMix({ dataFormat: 'NHWC', rng: () => (draws++, 0.5) });
    const small = tf.zeros([4, 5, 6, 1]);
    const fewer = tf.zeros([3, 6, 6, 1]);
    const cases: [() => unknown, string][] = [
      [
        () => cutmix.mix(images, labels, { masks: small }),
        'Error in CutMix.mix: options.masks spatial shape must be [6, 6] to match images, but got [5, 6].',
      ],
      [
        () => cutmix.mix(images, labels, { masks: fewer }),
        'Error in CutMix.mix: options.masks must have 4 samples to match images, but got 3.',
      ],
      [
        () => cutmix.mix(images, labels, { masks: [1] } as never),
        'Error in CutMix.mix: options.masks must be a tf.Tensor to cut with the images (an extra target; the other options are training and objects), but got an array of length 1.',
      ],
      [
        () => cutmix.mix(images, labels, { objects: [[]] }),
        'Error in CutMix.mix: options.objects.length must be 4 (one array per sample), but got 1.',
      ],
      [
        () => cutmix.mix(images, labels, { objects: [[], [], [], [{ y1: 0, x1: 0, y2: -1, x2: 1 }]] }),
        'Error in CutMix.mix: options.objects[3][0].y2 must be ≥ y1 (0), but got -1.',
      ],
      [
        () => new CutMix({ minVisible: 2 }),
        'Error in CutMix: options.minVisible must be a number in [0, 1], but got 2.',
      ],
    ];
    for (const [call, message] of cases) expectThrowsNoLeak(call, message);
    expect(draws).toBe(0);
    const volumes = new CutMix({ dataFormat: 'NDHWC' });
    const volume = tf.zeros([2, 3, 4, 4, 1]);
    const two = tf.tensor1d([0, 1], 'int32');
    expectThrowsNoLeak(
      () => volumes.mix(volume, two, { objects: [[], []] }),
      'Error in CutMix.mix: options.objects must be given only with a 2-D batch (object boxes are 2-D), but got a 3-D batch.',
    );
    tf.dispose([images, labels, masks, small, fewer, volume, two]);
    cutmix.dispose();
  });

  it('cutmixDataset cuts the element keys named in alsoCut, moves object lists, and passes other keys through', async () => {
    const { images, labels, masks, objects } = segmentationBatch(4, 6, 8);
    const weights = tf.tensor1d([1, 2, 3, 4]);
    const dataset = tfd.generator(function* (): Generator<tf.TensorContainer> {
      yield {
        xs: tf.clone(images),
        ys: tf.clone(labels),
        masks: tf.clone(masks),
        objects: objects as never,
        weights: tf.clone(weights),
      };
    }) as unknown as tfd.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor }>;
    const mapped = cutmixDataset(dataset, {
      numClasses: 2,
      seed: 9,
      mode: 'elem',
      alsoCut: ['masks', 'objects'],
      minVisible: 0,
    });
    const [element] = (await mapped.toArray()) as unknown as {
      xs: tf.Tensor;
      ys: tf.Tensor;
      masks: tf.Tensor;
      objects: ObjectBox[][];
      weights: tf.Tensor;
    }[];
    expect(Array.from(element.masks.dataSync())).toEqual(Array.from(element.xs.dataSync(), (v) => v % 3));
    expect(element.objects).toHaveLength(4);
    expect(element.objects.flat().every((o) => o.y2 > o.y1 && o.x2 > o.x1)).toBe(true);
    expect(Array.from(element.weights.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([images, labels, masks, weights, element.xs, element.ys, element.masks, element.weights]);
  });

  it('cutmixDataset checks its alsoCut option once, up front', () => {
    const dataset = tfd.array([]) as never;
    expectThrowsNoLeak(
      () => cutmixDataset(dataset, { alsoCut: 'masks' as never }),
      'Error in cutmixDataset: options.alsoCut must be an array of element keys, but got "masks".',
    );
    expectThrowsNoLeak(
      () => cutmixDataset(dataset, { alsoCut: ['xs'] }),
      "Error in cutmixDataset: options.alsoCut[0] must be an element key other than 'xs' and 'ys', but got \"xs\".",
    );
    expectThrowsNoLeak(
      () => cutmixDataset(dataset, { alsoCut: ['masks', 'ys'] }),
      "Error in cutmixDataset: options.alsoCut[1] must be an element key other than 'xs' and 'ys', but got \"ys\".",
    );
  });
});

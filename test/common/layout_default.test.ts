import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { expect, it } from 'vitest';
import { applyCutmix, CutMix, cutmixBatch, mixupBatch, mixupOrCutmix, type DataFormat } from '../../src/index.js';
import { cutmixDataset } from '../../src/data.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

/**
 * Issue 16 item 1: without `dataFormat`, a batch whose shape reads far more plausibly in the other layout
 * family is refused, naming both readings, at every entry point; an explicit layout is always obeyed.
 */

const message = (fn: string, options: string, arg: string, shape: number[], other: DataFormat, def: DataFormat) => {
  const channels = (f: DataFormat) => (f.endsWith('C') ? shape[shape.length - 1] : shape[1]);
  const family = other.endsWith('C') ? 'channelsLast' : 'channelsFirst';
  return (
    `Error in ${fn}: ${options}.dataFormat must be given for ${arg} of shape [${shape.join(',')}], which reads as ` +
    `'${other}' (C = ${channels(other)}) far more plausibly than as the default '${def}' (C = ${channels(def)}): ` +
    `pass '${other}' (tfjs-layers' '${family}'), or '${def}' to keep the default, but got undefined.`
  );
};

/** Channels-last batches that the channels-first defaults would misread. */
const CHANNELS_LAST: [number[], DataFormat, DataFormat][] = [
  [[2, 28, 28, 1], 'NHWC', 'NCHW'],
  [[2, 16, 16, 4], 'NHWC', 'NCHW'], // RGBA: 4 channels is still "few"
  [[2, 5, 5, 3], 'NHWC', 'NCHW'], // 5 entries on the default's channel axis are already "many"
  [[2, 32, 32, 3], 'NHWC', 'NCHW'],
  [[2, 224, 224, 3], 'NHWC', 'NCHW'],
  [[2, 16000, 1], 'NWC', 'NCW'],
  [[1, 64, 128, 128, 1], 'NDHWC', 'NCDHW'],
];
/** Channels-first batches that the channels-last default (cutmixDataset) would misread. */
const CHANNELS_FIRST: [number[], DataFormat, DataFormat][] = [
  [[2, 3, 224, 224], 'NCHW', 'NHWC'],
  [[2, 1, 28, 28], 'NCHW', 'NHWC'],
  [[2, 1, 16000], 'NCW', 'NWC'],
  [[1, 1, 64, 128, 128], 'NCDHW', 'NDHWC'],
];

const labelsFor = (n: number) =>
  tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % 2),
    'int32',
  );
const PLAN = (n: number, d: number) => ({
  boxes: Array.from({ length: n }, () =>
    d === 1
      ? { x1: 0, x2: 0 }
      : d === 2
        ? { y1: 0, x1: 0, y2: 0, x2: 0 }
        : { z1: 0, y1: 0, x1: 0, z2: 0, y2: 0, x2: 0 },
  ),
  partners: Array.from({ length: n }, (_, i) => i),
});

describeEachBackend('layout defaults never misread a batch', () => {
  it.each(CHANNELS_LAST)('%j is refused by every channels-first default, naming %s', (shape, other, def) => {
    const x = tf.zeros(shape);
    const y = labelsFor(shape[0]);
    let draws = 0;
    const rng = () => (draws++, 0.5);
    try {
      expectThrowsNoLeak(
        () => cutmixBatch(x, y, { rng }),
        message('cutmixBatch', 'options', 'images', shape, other, def),
      );
      expectThrowsNoLeak(
        () => mixupBatch(x, y, { rng }),
        message('mixupBatch', 'options', 'images', shape, other, def),
      );
      expectThrowsNoLeak(
        () => mixupOrCutmix(x, y, { rng }),
        message('mixupOrCutmix', 'options', 'images', shape, other, def),
      );
      expectThrowsNoLeak(
        () => applyCutmix(x, PLAN(shape[0], shape.length - 2)),
        message('applyCutmix', 'options', 'x', shape, other, def),
      );
      const cutmix = new CutMix({ rng });
      expectThrowsNoLeak(
        () => cutmix.mix(x, y),
        message('CutMix.mix', 'the CutMix options', 'images', shape, other, def),
      );
      expect(draws, 'nothing is drawn before the layout is settled').toBe(0);
    } finally {
      tf.dispose([x, y]);
    }
  });

  it.each(CHANNELS_FIRST)(
    '%j is refused by cutmixDataset (channels-last default), naming %s',
    async (shape, other, def) => {
      const [xs, ys] = [tf.zeros(shape), labelsFor(shape[0])];
      // tf.data does not dispose an element whose map throws: the test keeps and disposes it.
      const ds = tfd.array([0]).map(() => ({ xs, ys }));
      try {
        await expect(cutmixDataset(ds, { numClasses: 2 }).toArray()).rejects.toThrow(
          message('cutmixDataset', 'options', 'element.xs', shape, other, def),
        );
      } finally {
        tf.dispose([xs, ys]);
      }
    },
  );

  it("an explicit layout is always obeyed, in our spelling or tfjs-layers'", () => {
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = labelsFor(2);
    try {
      for (const dataFormat of ['NHWC', 'channelsLast'] as const) {
        const r = cutmixBatch(x, y, { seed: 1, dataFormat, lam: 0.5, placement: 'inside' });
        expect(Object.keys(r.boxes[0])).toEqual(['y1', 'x1', 'y2', 'x2']);
        // 28×28 positions, not 28×1: a half-area box inside is 19×19.
        expect([r.boxes[0].y2 - r.boxes[0].y1, r.boxes[0].x2 - r.boxes[0].x1]).toEqual([19, 19]);
        tf.dispose([r.images, r.labelsA, r.labelsB]);
      }
      // Told NCHW, the same shape is read as 28 channels of 28×1: the caller's word is obeyed.
      const asked = cutmixBatch(x, y, { seed: 1, dataFormat: 'NCHW', lam: 0.5 });
      expect(asked.boxes[0].x2 - asked.boxes[0].x1).toBeLessThanOrEqual(1);
      tf.dispose([asked.images, asked.labelsA, asked.labelsB]);
      const signal = tf.zeros([2, 1, 16]);
      const first = cutmixBatch(signal, y, { seed: 1, dataFormat: 'channelsFirst', lam: 0.5, placement: 'inside' });
      expect(Object.keys(first.boxes[0])).toEqual(['x1', 'x2']);
      expect(first.boxes[0].x2 - first.boxes[0].x1).toBe(8); // 16 positions of one channel, not 1 of 16
      tf.dispose([signal, first.images, first.labelsA, first.labelsB]);
    } finally {
      tf.dispose([x, y]);
    }
  });

  it.each([
    [[2, 3, 3, 3]],
    [[2, 4, 8, 3]],
    [[2, 3, 8, 5]],
    [[2, 4, 8, 8]],
    [[2, 64, 7, 7]],
    [[2, 1, 28, 28]],
    [[2, 3, 224, 224]],
    [[2, 1, 16000]],
  ])('%j keeps the channels-first default (ambiguous or channels-first shapes)', (shape) => {
    const x = tf.zeros(shape);
    const y = labelsFor(2);
    try {
      const r = cutmixBatch(x, y, { seed: 3 });
      tf.dispose([r.images, r.labelsA, r.labelsB]);
    } finally {
      tf.dispose([x, y]);
    }
  });

  it('cutmixDataset keeps its channels-last default for channels-last and ambiguous shapes', async () => {
    for (const shape of [
      [2, 28, 28, 1],
      [2, 3, 3, 3],
      [2, 16000, 1],
    ]) {
      const ds = tfd.array([0]).map(() => ({ xs: tf.zeros(shape), ys: labelsFor(2) }));
      const [out] = await cutmixDataset(ds, { numClasses: 2, seed: 1 }).toArray();
      expect((out.xs as tf.Tensor).shape).toEqual(shape);
      tf.dispose(out as tf.TensorContainer);
    }
  });
});

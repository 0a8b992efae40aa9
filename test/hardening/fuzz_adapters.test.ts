import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { CutMix, mixupBatch, mixupOrCutmix } from '../../src/index.js';
import { cutmixDataset } from '../../src/data.js';
import { describeEachBackend } from '../support/backends.js';
import {
  badImagesKind,
  badLabelsKind,
  badRng,
  badString,
  expectCleanError,
  makeBad,
  nonPositive,
  notANumber,
  outsideUnit,
  unknownKey,
  withTensors,
} from '../support/bad_values.js';

/** Fuzzed bad input for the adapters: the same contract as the core (see fuzz_core.test.ts). */

const notABoolean = fc.oneof(notANumber, fc.integer(), fc.string()).filter((v) => typeof v !== 'boolean');
const good = () => ({ images: tf.zeros([4, 1, 6, 5]) as tf.Tensor4D, labels: tf.tensor1d([0, 1, 2, 3], 'int32') });

describeEachBackend('fuzzed bad input (adapters)', () => {
  it('CutMix: constructor options, mix arguments, training flag, loss before mix and bad logits', () => {
    fc.assert(
      fc.property(
        unknownKey.filter((k) => k !== 'training'),
        (k) => expectCleanError(() => new CutMix({ [k]: 1 } as never), 'CutMix', `'${k}'`),
      ),
    );
    fc.assert(
      fc.property(nonPositive, (alpha) =>
        expectCleanError(() => new CutMix({ alpha: alpha as number }), 'CutMix', 'alpha'),
      ),
    );
    fc.assert(
      fc.property(outsideUnit, (prob) =>
        expectCleanError(() => new CutMix({ prob: prob as number }), 'CutMix', 'prob'),
      ),
    );
    fc.assert(
      fc.property(badString, (mode) => expectCleanError(() => new CutMix({ mode: mode as never }), 'CutMix', 'mode')),
    );
    fc.assert(
      fc.property(notABoolean, (t) =>
        expectCleanError(() => new CutMix({ training: t as never }), 'CutMix', 'training'),
      ),
    );
    fc.assert(
      fc.property(notANumber, (seed) => expectCleanError(() => new CutMix({ seed: seed as never }), 'CutMix', 'seed')),
    );
    const cutmix = new CutMix({ seed: 1 });
    withTensors(
      () => ({ logits: tf.zeros([4, 3]) }),
      ({ logits }) => {
        expectCleanError(() => cutmix.loss(logits as tf.Tensor2D), 'CutMix.loss', 'mix(images, labels)');
      },
    );
    fc.assert(
      fc.property(notABoolean, (t) =>
        expectCleanError(() => (cutmix.training = t as never), 'CutMix.training', 'assigned value'),
      ),
    );
    withTensors(good, ({ images, labels }) => {
      fc.assert(
        fc.property(badImagesKind, (kind) =>
          withTensors(
            () => ({ bad: makeBad(kind, 4) }),
            ({ bad }) => expectCleanError(() => cutmix.mix(bad as never, labels), 'CutMix.mix', 'images'),
          ),
        ),
      );
      fc.assert(
        fc.property(badLabelsKind, (kind) =>
          withTensors(
            () => ({ bad: makeBad(kind, 4) }),
            ({ bad }) => expectCleanError(() => cutmix.mix(images, bad as never), 'CutMix.mix', 'labels'),
          ),
        ),
      );
      fc.assert(
        fc.property(notABoolean, (t) =>
          expectCleanError(() => cutmix.mix(images, labels, { training: t as never }), 'CutMix.mix', 'training'),
        ),
      );
      fc.assert(
        fc.property(unknownKey, (k) =>
          // Any other key names an extra target to cut, so a value that is not a tensor is the error.
          // (Written escaped, as in JSON, when the key is not an identifier.)
          expectCleanError(
            () => cutmix.mix(images, labels, { [k]: true } as never),
            'CutMix.mix',
            JSON.stringify(k).slice(1, -1),
          ),
        ),
      );
      // Evaluation validates too.
      fc.assert(
        fc.property(badImagesKind, (kind) =>
          withTensors(
            () => ({ bad: makeBad(kind, 4) }),
            ({ bad }) =>
              expectCleanError(() => cutmix.mix(bad as never, labels, { training: false }), 'CutMix.mix', 'images'),
          ),
        ),
      );
      const mixed = cutmix.mix(images, labels);
      mixed.images.dispose();
      withTensors(
        () => ({ rows3: tf.zeros([3, 4]), rank1: tf.zeros([4]) }),
        ({ rows3, rank1 }) => {
          expectCleanError(() => cutmix.loss(rows3 as tf.Tensor2D), 'CutMix.loss', 'logits');
          expectCleanError(() => cutmix.loss(rank1 as never), 'CutMix.loss', 'logits');
          expectCleanError(() => cutmix.loss('logits' as never), 'CutMix.loss', 'logits');
        },
      );
    });
    cutmix.dispose();
  });

  it('mixupBatch and mixupOrCutmix: tensors, options, int32 images', () => {
    withTensors(good, ({ images, labels }) => {
      for (const [name, call] of [
        ['mixupBatch', (x: unknown, y: unknown, o?: object) => mixupBatch(x as never, y as never, o as never)],
        ['mixupOrCutmix', (x: unknown, y: unknown, o?: object) => mixupOrCutmix(x as never, y as never, o as never)],
      ] as const) {
        fc.assert(
          fc.property(badImagesKind, (kind) =>
            withTensors(
              () => ({ bad: makeBad(kind, 4) }),
              ({ bad }) => expectCleanError(() => call(bad, labels), name, 'images'),
            ),
          ),
        );
        fc.assert(
          fc.property(badLabelsKind, (kind) =>
            withTensors(
              () => ({ bad: makeBad(kind, 4) }),
              ({ bad }) => expectCleanError(() => call(images, bad), name, 'labels'),
            ),
          ),
        );
        fc.assert(
          fc.property(
            unknownKey.filter((k) => !/^(switchProb|mixupAlpha|cutmixAlpha)$/.test(k)),
            (k) => expectCleanError(() => call(images, labels, { [k]: 1 }), name, `'${k}'`),
          ),
        );
        fc.assert(fc.property(badRng, (rng) => expectCleanError(() => call(images, labels, { rng }), name, 'rng')));
        fc.assert(
          fc.property(outsideUnit, (prob) => expectCleanError(() => call(images, labels, { prob }), name, 'prob')),
        );
        withTensors(
          () => ({ ints: tf.zeros([4, 1, 6, 5], 'int32') }),
          ({ ints }) => {
            expectCleanError(
              () => call(ints, labels, name === 'mixupOrCutmix' ? { switchProb: 0.5 } : {}),
              name,
              'images',
            );
          },
        );
      }
      fc.assert(
        fc.property(outsideUnit, (p) =>
          expectCleanError(
            () => mixupOrCutmix(images, labels, { switchProb: p as number }),
            'mixupOrCutmix',
            'switchProb',
          ),
        ),
      );
      fc.assert(
        fc.property(nonPositive, (a) =>
          expectCleanError(
            () => mixupOrCutmix(images, labels, { mixupAlpha: a as number }),
            'mixupOrCutmix',
            'mixupAlpha',
          ),
        ),
      );
      fc.assert(
        fc.property(nonPositive, (a) =>
          expectCleanError(
            () => mixupOrCutmix(images, labels, { cutmixAlpha: a as number }),
            'mixupOrCutmix',
            'cutmixAlpha',
          ),
        ),
      );
      fc.assert(
        fc.property(nonPositive, (a) =>
          expectCleanError(() => mixupBatch(images, labels, { alpha: a as number }), 'mixupBatch', 'alpha'),
        ),
      );
    });
  });

  it('cutmixDataset: the dataset argument and every option; bad batches fail when iterated', async () => {
    fc.assert(
      fc.property(fc.oneof(notANumber, fc.constant([{ xs: 1 }])), (d) =>
        expectCleanError(() => cutmixDataset(d as never), 'cutmixDataset', 'dataset'),
      ),
    );
    const dataset = tfd.array([{ a: 1 }]) as never;
    fc.assert(
      fc.property(
        unknownKey.filter((k) => k !== 'numClasses' && k !== 'labelSmoothing'),
        (k) => expectCleanError(() => cutmixDataset(dataset, { [k]: 1 } as never), 'cutmixDataset', `'${k}'`),
      ),
    );
    for (const key of ['lam', 'box', 'partners']) {
      expectCleanError(() => cutmixDataset(dataset, { [key]: 0 } as never), 'cutmixDataset', `'${key}'`);
    }
    fc.assert(
      fc.property(outsideUnit, (e) =>
        expectCleanError(
          () => cutmixDataset(dataset, { labelSmoothing: e as number }),
          'cutmixDataset',
          'labelSmoothing',
        ),
      ),
    );
    fc.assert(
      fc.property(fc.oneof(notANumber, fc.integer({ max: 0 })), (k) =>
        expectCleanError(() => cutmixDataset(dataset, { numClasses: k as number }), 'cutmixDataset', 'numClasses'),
      ),
    );
    fc.assert(
      fc.property(badString, (f) =>
        expectCleanError(() => cutmixDataset(dataset, { dataFormat: f as never }), 'cutmixDataset', 'dataFormat'),
      ),
    );
    // A malformed batch is reported when the dataset is iterated, naming the element's field.
    const made: tf.Tensor[] = [];
    const rank3 = tfd.array([{ xs: [[[1]]], ys: [0] }]).map((e) => {
      const { xs, ys } = e as { xs: number[][][]; ys: number[] };
      const batch = { xs: tf.tensor3d(xs), ys: tf.tensor1d(ys, 'int32') };
      made.push(batch.xs, batch.ys);
      return batch;
    });
    const mapped = cutmixDataset(rank3 as never, { numClasses: 2, seed: 1, dataFormat: 'NHWC' });
    await expect(mapped.toArray()).rejects.toThrow(
      'Error in cutmixDataset: element.xs must be rank 4 (NHWC), but got rank 3.',
    );
    // tf.data does not dispose the element whose map threw (its behaviour, not ours); nothing else is left.
    tf.dispose(made);
  });
});

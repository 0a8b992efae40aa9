import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { it } from 'vitest';
import { cutmixBatch, cutmixLoss, mixTargets, randBbox, sampleLambda, seededRng } from '../../src/index.js';
import { describeEachBackend } from '../support/backends.js';
import {
  badImagesKind,
  badLabelsKind,
  badRatio,
  badRng,
  badString,
  expectCleanError,
  makeBad,
  nonPositive,
  notANumber,
  notAnInteger,
  outsideUnit,
  unknownKey,
  withTensors,
  type BadTensorKind,
} from '../support/bad_values.js';

/**
 * Fuzzed bad input for every core export: each call gets valid arguments except one, which fast-check
 * replaces with a malformed value. Every call must throw a plain Error that starts with `Error in <fn>:`
 * and names the argument, and leave numTensors unchanged.
 */

describeEachBackend('fuzzed bad input (core)', () => {
  it('sampleLambda: alpha and rng', () => {
    fc.assert(
      fc.property(nonPositive, (alpha) =>
        expectCleanError(() => sampleLambda(alpha as number), 'sampleLambda', 'alpha'),
      ),
    );
    fc.assert(
      fc.property(badRng, (rng) => expectCleanError(() => sampleLambda(1, rng as never), 'sampleLambda', 'rng')),
    );
  });

  it('seededRng: seed', () => {
    fc.assert(
      fc.property(notANumber, (seed) => expectCleanError(() => seededRng(seed as number), 'seededRng', 'seed')),
    );
  });

  it('randBbox: every argument and option', () => {
    const rng = seededRng(1);
    const positive = fc.oneof(notAnInteger, fc.integer({ max: 0 }));
    fc.assert(
      fc.property(positive, (h) => expectCleanError(() => randBbox(h as number, 4, 0.5, rng), 'randBbox', 'height')),
    );
    fc.assert(
      fc.property(positive, (w) => expectCleanError(() => randBbox(4, w as number, 0.5, rng), 'randBbox', 'width')),
    );
    fc.assert(
      fc.property(outsideUnit, (lam) => expectCleanError(() => randBbox(4, 4, lam as number, rng), 'randBbox', 'lam')),
    );
    fc.assert(fc.property(badRng, (r) => expectCleanError(() => randBbox(4, 4, 0.5, r as never), 'randBbox', 'rng')));
    fc.assert(
      fc.property(badString, (p) =>
        expectCleanError(() => randBbox(4, 4, 0.5, rng, { placement: p as never }), 'randBbox', 'options.placement'),
      ),
    );
    fc.assert(
      fc.property(badRatio, (r) =>
        expectCleanError(
          () => randBbox(4, 4, 0.5, rng, { ratioMinMax: r as never }),
          'randBbox',
          'options.ratioMinMax',
        ),
      ),
    );
    fc.assert(
      fc.property(unknownKey, (k) =>
        expectCleanError(() => randBbox(4, 4, 0.5, rng, { [k]: 1 } as never), 'randBbox', `'${k}'`),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(null, 5, 'x', [1]), (o) =>
        expectCleanError(() => randBbox(4, 4, 0.5, rng, o as never), 'randBbox', 'options'),
      ),
    );
  });

  it('cutmixBatch: tensors, every option, unknown keys', () => {
    const n = 3;
    const good = () => ({ images: tf.zeros([n, 2, 4, 5]) as tf.Tensor4D, labels: tf.tensor1d([0, 1, 2], 'int32') });
    fc.assert(
      fc.property(badImagesKind, (kind) =>
        withTensors(
          () => ({ ...good(), bad: makeBad(kind, n) }),
          ({ labels, bad }) => {
            expectCleanError(() => cutmixBatch(bad as never, labels), 'cutmixBatch', 'images');
          },
        ),
      ),
    );
    fc.assert(
      fc.property(badLabelsKind, (kind) =>
        withTensors(
          () => ({ ...good(), bad: makeBad(kind, n) }),
          ({ images, bad }) => {
            expectCleanError(() => cutmixBatch(images, bad as never), 'cutmixBatch', 'labels');
          },
        ),
      ),
    );
    const badOption: Array<[string, fc.Arbitrary<unknown>]> = [
      ['alpha', nonPositive.filter((v) => v !== undefined)],
      ['seed', notANumber.filter((v) => v !== undefined)],
      ['rng', badRng.filter((v) => v !== undefined)],
      ['mode', badString.filter((v) => v !== undefined)],
      ['partner', badString.filter((v) => v !== undefined)],
      ['placement', badString.filter((v) => v !== undefined)],
      ['dataFormat', badString.filter((v) => v !== undefined)],
      ['prob', outsideUnit.filter((v) => v !== undefined)],
      [
        'lam',
        fc.oneof(
          outsideUnit.filter((v) => v !== undefined && !Array.isArray(v)),
          fc.array(fc.double({ min: 0, max: 1 }), { minLength: 4, maxLength: 6 }),
        ),
      ],
      ['ratioMinMax', badRatio.filter((v) => v !== undefined)],
      [
        'partners',
        fc.oneof(
          fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }),
          fc.tuple(fc.integer({ min: 3 }), fc.constant(0), fc.constant(1)),
          fc.tuple(fc.double({ min: 0.1, max: 0.9 }), fc.constant(0), fc.constant(1)),
          fc.constantFrom('012', 5, null),
        ),
      ],
      [
        'box',
        fc.oneof(
          fc
            .record({
              y1: fc.integer({ min: -3, max: 8 }),
              x1: fc.integer({ min: -3, max: 8 }),
              y2: fc.integer({ min: -3, max: 8 }),
              x2: fc.integer({ min: -3, max: 8 }),
            })
            .filter((b) => !(0 <= b.y1 && b.y1 <= b.y2 && b.y2 <= 4 && 0 <= b.x1 && b.x1 <= b.x2 && b.x2 <= 5)),
          fc.constantFrom(null, 5, 'box', { y1: 0.5, x1: 0, y2: 1, x2: 1 }, [{ y1: 0, x1: 0, y2: 1, x2: 1 }]),
        ),
      ],
    ];
    // An empty batch checks its options just as strictly (nothing to mix is no licence for a bad box).
    withTensors(
      () => ({ images: tf.zeros([0, 2, 4, 5]) as tf.Tensor4D, labels: tf.zeros([0], 'int32') }),
      ({ images, labels }) => {
        for (const [key, arb] of badOption) {
          // [] is the one valid partner list of an empty batch; a bad rng shows at its first draw, and
          // an empty batch draws nothing.
          if (key === 'partners' || key === 'rng') continue;
          fc.assert(
            fc.property(arb, (value) =>
              expectCleanError(() => cutmixBatch(images, labels, { [key]: value } as never), 'cutmixBatch', key),
            ),
            { numRuns: 20 },
          );
        }
      },
    );
    withTensors(good, ({ images, labels }) => {
      for (const [key, arb] of badOption) {
        fc.assert(
          fc.property(arb, (value) =>
            expectCleanError(() => cutmixBatch(images, labels, { [key]: value } as never), 'cutmixBatch', key),
          ),
        );
      }
      fc.assert(
        fc.property(unknownKey, (k) =>
          expectCleanError(() => cutmixBatch(images, labels, { [k]: 1 } as never), 'cutmixBatch', `'${k}'`),
        ),
      );
    });
  });

  it('mixTargets and cutmixLoss: labels, λ, options, logits, lossFn', () => {
    const make = () => ({
      a: tf.tensor1d([0, 1], 'int32'),
      b: tf.tensor1d([2, 1], 'int32'),
      logits: tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    });
    withTensors(make, ({ a, b, logits }) => {
      fc.assert(
        fc.property(outsideUnit, (lam) =>
          expectCleanError(() => mixTargets(a, b, lam as number, { numClasses: 3 }), 'mixTargets', 'lam'),
        ),
      );
      fc.assert(
        fc.property(outsideUnit, (lam) =>
          expectCleanError(() => cutmixLoss(logits, a, b, lam as number), 'cutmixLoss', 'lam'),
        ),
      );
      fc.assert(
        fc.property(fc.oneof(notAnInteger, fc.integer({ max: 0 })), (k) =>
          expectCleanError(() => mixTargets(a, b, 0.5, { numClasses: k as number }), 'mixTargets', 'numClasses'),
        ),
      );
      fc.assert(
        fc.property(outsideUnit, (e) =>
          expectCleanError(
            () => mixTargets(a, b, 0.5, { numClasses: 3, labelSmoothing: e as number }),
            'mixTargets',
            'labelSmoothing',
          ),
        ),
      );
      fc.assert(
        fc.property(unknownKey, (k) =>
          expectCleanError(() => mixTargets(a, b, 0.5, { [k]: 1 } as never), 'mixTargets', `'${k}'`),
        ),
      );
      fc.assert(
        fc.property(
          notANumber.filter((v) => typeof v !== 'function' && v !== undefined),
          (f) => expectCleanError(() => cutmixLoss(logits, a, b, 0.5, f as never), 'cutmixLoss', 'lossFn'),
        ),
      );
    });
    fc.assert(
      fc.property(badLabelsKind, fc.constantFrom('labelsA', 'labelsB'), (kind, which) =>
        withTensors(
          () => ({ ...make(), bad: makeBad(kind, 2) }),
          ({ a, b, logits, bad }) => {
            const [la, lb] = which === 'labelsA' ? [bad, b] : [a, bad];
            expectCleanError(() => mixTargets(la as never, lb as never, 0.5, { numClasses: 3 }), 'mixTargets', which);
            expectCleanError(() => cutmixLoss(logits, la as never, lb as never, 0.5), 'cutmixLoss', which);
          },
        ),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom<BadTensorKind>('disposed', 'rank1', 'rank3', 'bool', 'array'), (kind) =>
        withTensors(
          () => ({ ...make(), bad: makeBad(kind, 2) }),
          ({ a, b, bad }) => {
            expectCleanError(() => cutmixLoss(bad as never, a, b, 0.5), 'cutmixLoss', 'logits');
          },
        ),
      ),
    );
    // Out-of-range class indices, negative and fractional ones included.
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 3, max: 1000 }),
          fc.integer({ min: -1000, max: -1 }),
          fc.double({ min: 0.1, max: 2.9 }).filter((v) => !Number.isInteger(v)),
        ),
        (v) =>
          withTensors(
            () => ({ ...make(), bad: tf.tensor1d([0, v], 'float32') }),
            ({ a, logits, bad }) => {
              expectCleanError(() => mixTargets(a, bad, 0.5, { numClasses: 3 }), 'mixTargets', 'labelsB[1]');
              expectCleanError(() => cutmixLoss(logits, a, bad, 0.5), 'cutmixLoss', 'labelsB[1]');
            },
          ),
      ),
    );
  });
});

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { it } from 'vitest';
import { applyCutmix, cutmixObjects, randBox, sigmoidCrossEntropyPerSample } from '../../src/index.js';
import { describeEachBackend } from '../support/backends.js';
import {
  badImagesKind,
  badRng,
  badString,
  expectCleanError,
  makeBad,
  notANumber,
  notAnInteger,
  outsideUnit,
  withTensors,
} from '../support/bad_values.js';

/** Fuzzed bad input for the plan API and the N-D box sampler: the same contract as fuzz_core.test.ts. */

const PLAN = {
  boxes: [
    { y1: 0, x1: 0, y2: 2, x2: 2 },
    { y1: 1, x1: 1, y2: 3, x2: 4 },
  ],
  partners: [1, 0],
};
/** Boxes wrong for any batch: not a box, non-integer, 3-D or 1-D coordinates on a 2-D plan. */
const badBoxAnywhere = fc.oneof(
  notANumber,
  fc.record({ y1: notAnInteger, x1: fc.constant(0), y2: fc.constant(1), x2: fc.constant(1) }),
  fc.constant({ z1: 0, y1: 0, x1: 0, z2: 1, y2: 1, x2: 1 }),
  fc.constant({ x1: 0, x2: 1 }),
);
/** …and, for applyCutmix, a box beyond the batch (object boxes have no size to lie inside). */
const badBox = fc.oneof(
  badBoxAnywhere,
  fc.record({ y1: fc.constant(0), x1: fc.constant(0), y2: fc.integer({ min: 5, max: 99 }), x2: fc.constant(1) }),
);

describeEachBackend('fuzzed bad input (plan API)', () => {
  it('applyCutmix: x, every part of the plan, options', () => {
    const x = tf.zeros([2, 1, 4, 5]);
    fc.assert(
      fc.property(
        badImagesKind.filter((k) => k !== 'bool'),
        (kind) =>
          withTensors(
            () => ({ bad: makeBad(kind, 2) }),
            ({ bad }) => expectCleanError(() => applyCutmix(bad as never, PLAN), 'applyCutmix', 'x'),
          ),
      ),
    );
    fc.assert(
      fc.property(notANumber, (plan) => expectCleanError(() => applyCutmix(x, plan as never), 'applyCutmix', 'plan')),
    );
    fc.assert(
      fc.property(fc.oneof(notANumber, fc.array(notAnInteger, { minLength: 2, maxLength: 2 })), (partners) =>
        expectCleanError(() => applyCutmix(x, { ...PLAN, partners } as never), 'applyCutmix', 'plan.partners'),
      ),
    );
    fc.assert(
      fc.property(badBox, (box) =>
        expectCleanError(
          () => applyCutmix(x, { ...PLAN, boxes: [PLAN.boxes[0], box] } as never),
          'applyCutmix',
          'plan.boxes',
        ),
      ),
    );
    fc.assert(
      fc.property(badString, (dataFormat) =>
        expectCleanError(() => applyCutmix(x, PLAN, { dataFormat } as never), 'applyCutmix', 'dataFormat'),
      ),
    );
    x.dispose();
  });

  it('cutmixObjects: objects, plan and minVisible', () => {
    const objects = [[{ y1: 0, x1: 0, y2: 2, x2: 2 }], []];
    fc.assert(
      fc.property(fc.oneof(notANumber, fc.constant([[{ y1: 0, x1: 0, y2: -1, x2: 1 }], []])), (bad) =>
        expectCleanError(() => cutmixObjects(bad as never, PLAN), 'cutmixObjects', 'objects'),
      ),
    );
    fc.assert(
      fc.property(badBoxAnywhere, (box) =>
        expectCleanError(
          () => cutmixObjects(objects, { ...PLAN, boxes: [PLAN.boxes[0], box] } as never),
          'cutmixObjects',
          'plan.boxes',
        ),
      ),
    );
    fc.assert(
      fc.property(outsideUnit, (minVisible) =>
        expectCleanError(
          () => cutmixObjects(objects, PLAN, { minVisible: minVisible as number }),
          'cutmixObjects',
          'minVisible',
        ),
      ),
    );
  });

  it('randBox: spatialShape, lam, rng, options', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          notANumber.filter((v) => !(Array.isArray(v) && v.length === 1 && v[0] === 1)), // [1] is a shape
          fc.constant([]),
          fc.constant([1, 2, 3, 4]),
          fc.array(notAnInteger, { minLength: 1, maxLength: 3 }),
        ),
        (shape) => expectCleanError(() => randBox(shape as never, 0.5), 'randBox', 'spatialShape'),
      ),
    );
    fc.assert(
      fc.property(outsideUnit, (lam) => expectCleanError(() => randBox([4, 4, 4], lam as number), 'randBox', 'lam')),
    );
    fc.assert(fc.property(badRng, (rng) => expectCleanError(() => randBox([8], 0.5, rng as never), 'randBox', 'rng')));
    fc.assert(
      fc.property(badString, (placement) =>
        expectCleanError(() => randBox([8], 0.5, Math.random, { placement } as never), 'randBox', 'placement'),
      ),
    );
  });

  it('sigmoidCrossEntropyPerSample: labels and logits', () => {
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    fc.assert(
      fc.property(fc.constantFrom('rank1', 'rank3', 'string', 'array', 'disposed' as const), (kind) =>
        withTensors(
          () => ({ bad: makeBad(kind as never, 2) }),
          ({ bad }) =>
            expectCleanError(
              () => sigmoidCrossEntropyPerSample(bad as never, logits),
              'sigmoidCrossEntropyPerSample',
              'labels',
            ),
        ),
      ),
    );
    logits.dispose();
  });
});

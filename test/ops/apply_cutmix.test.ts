import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { applyCutmix, cutmixBatch, type AnyBox, type DataFormat } from '../../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';
import { batchArb, boxArb, LAYOUTS, referencePasteND, shapeOf } from '../support/plan_reference.js';

/** Distinct values per element in the dtype's own range (bool: a pattern that still tells samples apart). */
function valuesFor(size: number, dtype: 'float32' | 'int32' | 'bool'): number[] {
  return Array.from({ length: size }, (_, i) =>
    dtype === 'bool' ? ((i * 7) >> 2) & 1 : dtype === 'int32' ? i * 3 - 7 : i + 0.25,
  );
}

describeEachBackend('applyCutmix', () => {
  it('every element of a float32, int32 or bool batch of any rank and layout matches the definition', () => {
    fc.assert(
      fc.property(
        batchArb.chain((b) =>
          fc.record({
            b: fc.constant(b),
            dtype: fc.constantFrom('float32' as const, 'int32' as const, 'bool' as const),
            boxes: fc.array(boxArb(b.spatial), { minLength: b.n, maxLength: b.n }),
            partners: fc.array(fc.integer({ min: 0, max: Math.max(0, b.n - 1) }), { minLength: b.n, maxLength: b.n }),
          }),
        ),
        ({ b, dtype, boxes, partners }) => {
          const values = valuesFor(
            b.shape.reduce((x, y) => x * y, 1),
            dtype,
          );
          const x = tf.tensor(values, b.shape, dtype);
          const before = tf.memory().numTensors;
          const out = applyCutmix(x, { boxes, partners }, { dataFormat: b.dataFormat });
          expect(tf.memory().numTensors - before).toBe(1);
          expect(out.shape).toEqual(b.shape);
          expect(out.dtype).toBe(dtype);
          expect(Array.from(out.dataSync())).toEqual(referencePasteND(values, b.shape, b.dataFormat, boxes, partners));
          tf.dispose([x, out]);
        },
      ),
    );
  });

  it('cutmixBatch(images, labels, o).images equals applyCutmix(images, that result), byte for byte', () => {
    for (const dataFormat of LAYOUTS) {
      for (const mode of ['batch', 'elem', 'pair'] as const) {
        const shape = shapeOf(5, 2, [9, 7, 6].slice(0, dataFormat.length - 2), dataFormat);
        const images = tf.tensor(
          Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i / 7),
          shape,
        );
        const labels = tf.tensor1d([0, 1, 2, 3, 4], 'int32');
        const mixed = cutmixBatch(images, labels, { seed: 11, mode, dataFormat, placement: 'inside' });
        const again = applyCutmix(images, mixed, { dataFormat });
        expect(
          Buffer.from(again.dataSync().buffer).equals(Buffer.from(mixed.images.dataSync().buffer)),
          `${dataFormat} ${mode}`,
        ).toBe(true);
        tf.dispose([images, labels, mixed.images, mixed.labelsA, mixed.labelsB, again]);
      }
    }
  });

  it('one plan cuts images and their masks alike: the mixed mask is the mixed image’s true mask', () => {
    // Each pixel's class is a function of its value, so the true mask of any image can be recomputed.
    const [n, h, w] = [6, 12, 10];
    const classes = Int32Array.from({ length: n * h * w }, (_, i) => (i * 13) % 4);
    const images = tf.tensor4d(
      Float32Array.from(classes, (k, i) => k + 4 * i),
      [n, h, w, 1],
    );
    const masks = tf.tensor4d(classes, [n, h, w, 1], 'int32');
    const oneHot = tf.tidy(() => tf.reshape(tf.oneHot(tf.tensor1d(classes, 'int32'), 4), [n, h, w, 4]));
    const bools = tf.tensor4d(
      Uint8Array.from(classes, (k) => (k === 2 ? 1 : 0)),
      [n, h, w, 1],
      'bool',
    );
    const labels = tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32');
    const mixed = cutmixBatch(images, labels, { seed: 3, mode: 'elem', dataFormat: 'NHWC' });
    const trueMask = Array.from(mixed.images.dataSync(), (v) => v % 4);
    const mixedMask = applyCutmix(masks, mixed, { dataFormat: 'NHWC' });
    const mixedOneHot = applyCutmix(oneHot, mixed, { dataFormat: 'NHWC' });
    const mixedBool = applyCutmix(bools, mixed, { dataFormat: 'NHWC' });
    expect(Array.from(mixedMask.dataSync())).toEqual(trueMask);
    const argMax = tf.argMax(mixedOneHot, -1);
    expect(Array.from(argMax.dataSync())).toEqual(trueMask);
    expect(Array.from(mixedBool.dataSync())).toEqual(trueMask.map((k) => (k === 2 ? 1 : 0)));
    tf.dispose([
      images,
      labels,
      masks,
      oneHot,
      bools,
      mixed.images,
      mixed.labelsA,
      mixed.labelsB,
      mixedMask,
      mixedOneHot,
      argMax,
      mixedBool,
    ]);
  });

  it('reads the plan once: a box getter that changes its answer cannot move the paste', () => {
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 4 * 4 }, (_, i) => i),
      [2, 1, 4, 4],
    );
    let reads = 0;
    const box = {
      y1: 0,
      x1: 0,
      get y2() {
        reads++;
        return reads === 1 ? 2 : 400; // a second read would paste outside the batch
      },
      x2: 2,
    };
    const out = applyCutmix(x, { boxes: [box, { y1: 0, x1: 0, y2: 0, x2: 0 }], partners: [1, 1] });
    expect(reads).toBe(1);
    expect(Array.from(out.dataSync())).toEqual(
      referencePasteND(
        x.dataSync(),
        [2, 1, 4, 4],
        'NCHW',
        [
          { y1: 0, x1: 0, y2: 2, x2: 2 },
          { y1: 0, x1: 0, y2: 0, x2: 0 },
        ],
        [1, 1],
      ),
    );
    tf.dispose([x, out]);
  });

  it('rejects bad input in the error template, before allocating anything', () => {
    const x = tf.zeros([2, 1, 4, 5]);
    const masks = tf.zeros([2, 2, 4, 1], 'bool');
    const plan = {
      boxes: [
        { y1: 0, x1: 0, y2: 2, x2: 2 },
        { y1: 1, x1: 1, y2: 4, x2: 5 },
      ],
      partners: [1, 0],
    };
    const str = tf.tensor(['a', 'b'], [2, 1, 1, 1], 'string');
    const rank2 = tf.zeros([2, 3]);
    const cases: [() => unknown, string][] = [
      [() => applyCutmix(str, plan), 'Error in applyCutmix: x.dtype must be float32, int32 or bool, but got string.'],
      [
        () => applyCutmix(rank2, plan),
        'Error in applyCutmix: x must be rank 3 (NCW), 4 (NCHW) or 5 (NCDHW), but got rank 2.',
      ],
      [
        () => applyCutmix(x, plan, { dataFormat: 'NCDHW' }),
        'Error in applyCutmix: x must be rank 5 (NCDHW), but got rank 4.',
      ],
      [
        () => applyCutmix(x, plan, { dataFormat: 'NCHWX' as DataFormat }),
        "Error in applyCutmix: options.dataFormat must be one of 'NCW', 'NWC', 'NCHW', 'NHWC', 'NCDHW', 'NDHWC', 'channelsFirst', 'channelsLast', but got \"NCHWX\".",
      ],
      [
        () => applyCutmix(x, plan, { layout: 'NCHW' } as never),
        "Error in applyCutmix: options key 'layout' must be one of dataFormat, but got an unknown key.",
      ],
      [
        () => applyCutmix(x, null as never),
        'Error in applyCutmix: plan must be a plan { boxes, partners } (a cutmixBatch result works), but got null.',
      ],
      [
        () => applyCutmix(x, { boxes: plan.boxes } as never),
        'Error in applyCutmix: plan.partners must be an Int32Array or number[] of partner indices, but got undefined.',
      ],
      [
        () => applyCutmix(x, { ...plan, boxes: plan.boxes.slice(0, 1) }),
        'Error in applyCutmix: plan.boxes.length must be 2 (one box per sample), but got 1.',
      ],
      [
        () => applyCutmix(x, { ...plan, partners: [1, 2] }),
        'Error in applyCutmix: plan.partners[1] must be an integer index in [0, 2), but got 2.',
      ],
      [
        () => applyCutmix(x, { ...plan, partners: [1] }),
        'Error in applyCutmix: plan.partners.length must be 2 (one partner per sample), but got 1.',
      ],
      [
        () => applyCutmix(x, { ...plan, boxes: [plan.boxes[0], { y1: 1, x1: 1, y2: 5, x2: 5 }] }),
        'Error in applyCutmix: plan.boxes[1] must be a 2-D box {y1, x1, y2, x2} of integers with 0 ≤ y1 ≤ y2 ≤ 4, 0 ≤ x1 ≤ x2 ≤ 5, but got {y1: 1, x1: 1, y2: 5, x2: 5}.',
      ],
      [
        () => applyCutmix(x, { ...plan, boxes: [plan.boxes[0], { x1: 0, x2: 1 } as AnyBox] }),
        'Error in applyCutmix: plan.boxes[1] must be a 2-D box {y1, x1, y2, x2} of integers with 0 ≤ y1 ≤ y2 ≤ 4, 0 ≤ x1 ≤ x2 ≤ 5, but got {x1: 0, x2: 1}.',
      ],
      [
        () => applyCutmix(masks, plan, { dataFormat: 'NHWC' }),
        'Error in applyCutmix: plan.boxes[1] must be a 2-D box {y1, x1, y2, x2} of integers with 0 ≤ y1 ≤ y2 ≤ 2, 0 ≤ x1 ≤ x2 ≤ 4, but got {y1: 1, x1: 1, y2: 4, x2: 5}.',
      ],
    ];
    for (const [call, message] of cases) expectThrowsNoLeak(call, message);
    tf.dispose([x, masks, str, rank2]);
  });
});

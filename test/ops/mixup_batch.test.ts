import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { cutmixLoss, mixTargets, mixupBatch, seededRng, type MixUpOptions } from '../../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

/** Distinct, non-integer pixel values from a seeded stream, so every blend is visible. */
function makeBatch(n: number, shape: [number, number, number, number], seed: number) {
  const rng = seededRng(seed);
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 4 * rng() - 2);
  const images = tf.tensor4d(values, shape);
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => (i * 3) % 5),
    'int32',
  );
  return { images, labels, values };
}

/**
 * The blend element by element in float32 arithmetic: fround(x·λ) + fround(x_p·fround(1 − λ)), rounded; a
 * sample that is not mixed (λ = 1 or its own partner) is its input exactly.
 */
function referenceBlend(values: Float32Array, n: number, lam: Float32Array, partners: Int32Array): Float32Array {
  const per = n === 0 ? 0 : values.length / n;
  const out = new Float32Array(values.length);
  for (let s = 0; s < n; s++) {
    const own = lam[s];
    const other = Math.fround(1 - own);
    if (own === 1 || partners[s] === s) {
      out.set(values.subarray(s * per, (s + 1) * per), s * per);
      continue;
    }
    for (let j = 0; j < per; j++) {
      out[s * per + j] = Math.fround(
        Math.fround(values[s * per + j] * own) + Math.fround(values[partners[s] * per + j] * other),
      );
    }
  }
  return out;
}

describeEachBackend('mixupBatch', () => {
  it('is the exact blend λ·x + (1−λ)·x_partner, per sample in elem mode, in both layouts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom('NCHW' as const, 'NHWC' as const),
        fc.constantFrom('batch' as const, 'elem' as const),
        fc.constantFrom('permutation' as const, 'flip' as const, 'roll' as const),
        fc.integer(),
        (n, c, h, w, dataFormat, mode, partner, seed) => {
          const shape: [number, number, number, number] = dataFormat === 'NCHW' ? [n, c, h, w] : [n, h, w, c];
          const { images, labels, values } = makeBatch(n, shape, seed);
          const before = tf.memory().numTensors;
          const out = mixupBatch(images, labels, { seed, mode, partner, dataFormat });
          expect(tf.memory().numTensors - before).toBe(3);
          expect(out.images.shape).toEqual(shape);
          expect(out.images.dtype).toBe('float32');
          expect(Array.from(out.images.dataSync())).toEqual(
            Array.from(referenceBlend(values, n, out.lam, out.partners)),
          );
          expect(Array.from(out.labelsB.dataSync())).toEqual(Array.from(out.partners, (p) => (p * 3) % 5));
          expect(Array.from(out.labelsA.dataSync())).toEqual(Array.from(labels.dataSync()));
          expect(out.boxes).toEqual(Array.from({ length: n }, () => ({ y1: 0, x1: 0, y2: 0, x2: 0 })));
          for (const l of out.lam) expect(l >= 0 && l <= 1).toBe(true);
          if (mode === 'batch') expect(new Set(out.lam).size).toBe(1);
          tf.dispose([images, labels, out.images, out.labelsA, out.labelsB]);
        },
      ),
    );
  });

  it('elem mode draws a λ per sample; batch mode one for all', () => {
    const { images, labels } = makeBatch(8, [8, 1, 2, 2], 1);
    const elem = mixupBatch(images, labels, { seed: 3, mode: 'elem' });
    const batch = mixupBatch(images, labels, { seed: 3 });
    expect(new Set(elem.lam).size).toBe(8);
    expect(new Set(batch.lam).size).toBe(1);
    tf.dispose([images, labels, elem.images, elem.labelsA, elem.labelsB, batch.images, batch.labelsA, batch.labelsB]);
  });

  it('prob = 0 returns an exact copy with λ = 1; injected λ and partners are used as given (prob gates only draws)', () => {
    const { images, labels, values } = makeBatch(3, [3, 2, 2, 2], 5);
    const off = mixupBatch(images, labels, { prob: 0, seed: 1 });
    expect(Array.from(off.images.dataSync())).toEqual(Array.from(values));
    expect(Array.from(off.lam)).toEqual([1, 1, 1]);
    // labelsB is labels[partners] whether or not anything was mixed, as in cutmixBatch.
    const labelValues = labels.dataSync();
    expect(Array.from(off.labelsB.dataSync())).toEqual(Array.from(off.partners, (p) => labelValues[p]));
    const lam = new Float32Array([0.25, 0.5, 1]);
    const given = mixupBatch(images, labels, { lam, partners: [2, 0, 1] });
    expect(Array.from(given.lam)).toEqual(Array.from(lam));
    expect(Array.from(given.partners)).toEqual([2, 0, 1]);
    expect(Array.from(given.images.dataSync())).toEqual(Array.from(referenceBlend(values, 3, lam, given.partners)));
    tf.dispose([images, labels, off.images, off.labelsA, off.labelsB, given.images, given.labelsA, given.labelsB]);
  });

  it('the same seed repeats; a shared rng advances; N = 0 works', () => {
    const { images, labels } = makeBatch(6, [6, 1, 3, 3], 2);
    const a = mixupBatch(images, labels, { seed: 11, mode: 'elem' });
    const b = mixupBatch(images, labels, { seed: 11, mode: 'elem' });
    expect(Array.from(b.lam)).toEqual(Array.from(a.lam));
    expect(Array.from(b.images.dataSync())).toEqual(Array.from(a.images.dataSync()));
    const rng = seededRng(11);
    const first = mixupBatch(images, labels, { rng });
    const second = mixupBatch(images, labels, { rng });
    expect(second.lam[0]).not.toBe(first.lam[0]);
    const none = { images: tf.zeros([0, 1, 2, 2]) as tf.Tensor4D, labels: tf.zeros([0], 'int32') };
    const empty = mixupBatch(none.images, none.labels);
    expect(empty.images.shape).toEqual([0, 1, 2, 2]);
    expect(empty.lam.length).toBe(0);
    tf.dispose([images, labels, a.images, a.labelsA, a.labelsB, b.images, b.labelsA, b.labelsB]);
    tf.dispose([first.images, first.labelsA, first.labelsB, second.images, second.labelsA, second.labelsB]);
    tf.dispose([empty.images, empty.labelsA, empty.labelsB, none.images, none.labels]);
  });

  it('its result feeds cutmixLoss and mixTargets like cutmixBatch’s', () => {
    const { images, labels } = makeBatch(4, [4, 1, 2, 2], 9);
    const out = mixupBatch(images, labels, { seed: 4, mode: 'elem' });
    const logits = tf.tensor2d(
      Float32Array.from({ length: 20 }, (_, i) => Math.sin(i)),
      [4, 5],
    );
    const targets = mixTargets(out.labelsA, out.labelsB, out.lam, { numClasses: 5 });
    const softLoss = tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))));
    const loss = cutmixLoss(logits, out.labelsA, out.labelsB, out.lam);
    expect(loss.dataSync()[0]).toBeCloseTo(softLoss.dataSync()[0], 5);
    for (const row of targets.arraySync()) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    tf.dispose([images, labels, out.images, out.labelsA, out.labelsB, logits, targets, softLoss, loss]);
  });

  it('rejects int32 images and bad options with exact messages, leaking nothing', () => {
    const img = tf.zeros([2, 1, 4, 5]) as tf.Tensor4D;
    const lab = tf.tensor1d([0, 1], 'int32');
    const ints = tf.zeros([2, 1, 4, 5], 'int32') as tf.Tensor4D;
    const rank3 = tf.zeros([2, 4, 5]);
    const rank2 = tf.zeros([2, 4]);
    const oneLabel = tf.tensor1d([0], 'int32');
    const cases: [() => unknown, string][] = [
      [
        () => mixupBatch(ints, lab),
        'Error in mixupBatch: images.dtype must be float32 (MixUp blends pixel values; cast integer images with tf.cast first), but got int32.',
      ],
      [
        () => mixupBatch(rank3 as never, lab, { dataFormat: 'NCHW' }),
        'Error in mixupBatch: images must be rank 4 (NCHW), but got rank 3.',
      ],
      [
        () => mixupBatch(rank2 as never, lab),
        'Error in mixupBatch: images must be rank 3 (NCW), 4 (NCHW) or 5 (NCDHW), but got rank 2.',
      ],
      [() => mixupBatch(img, oneLabel), 'Error in mixupBatch: labels must have 2 rows to match images, but got 1.'],
      [
        () => mixupBatch(img, lab, { alpha: 0 }),
        'Error in mixupBatch: options.alpha must be a finite number > 0, but got 0.',
      ],
      [
        () => mixupBatch(img, lab, { prob: 2 }),
        'Error in mixupBatch: options.prob must be a number in [0, 1], but got 2.',
      ],
      [
        () => mixupBatch(img, lab, { lam: [0.5, 1.5] }),
        'Error in mixupBatch: options.lam[1] must be a number in [0, 1], but got 1.5.',
      ],
      [
        () => mixupBatch(img, lab, { partners: [0, 2] }),
        'Error in mixupBatch: options.partners[1] must be an integer index in [0, 2), but got 2.',
      ],
      [
        () => mixupBatch(img, lab, { box: { y1: 0, x1: 0, y2: 1, x2: 1 } } as MixUpOptions),
        "Error in mixupBatch: options key 'box' must be one of alpha, rng, seed, mode, partner, partners, lam, prob, dataFormat, but got an unknown key.",
      ],
      [
        () => mixupBatch(img, lab, { rng: () => 1 }),
        'Error in mixupBatch: options.rng() must be a number in [0, 1), but got 1.',
      ],
      [
        () => mixupBatch(img, lab, { mode: null } as never),
        "Error in mixupBatch: options.mode must be one of 'batch', 'elem', 'pair', but got null.",
      ],
    ];
    for (const [fn, message] of cases) expectThrowsNoLeak(fn, message);
    tf.dispose([img, lab, ints, rank3, rank2, oneLabel]);
  });
});

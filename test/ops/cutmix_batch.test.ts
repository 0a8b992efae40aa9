import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { cutmixBatch, seededRng, type Box, type CutMixOptions } from '../../src/index.js';
import { BACKENDS, describeEachBackend, useBackend } from '../support/backends.js';
import { range, referencePaste } from '../support/reference.js';
import { boxOfSpans, oraclePlan } from '../support/plan_oracle.js';

const layouts = ['NCHW', 'NHWC'] as const;
const arbCase = fc.record({
  n: fc.integer({ min: 0, max: 9 }),
  c: fc.integer({ min: 1, max: 4 }),
  h: fc.integer({ min: 1, max: 64 }),
  w: fc.integer({ min: 1, max: 64 }),
  dtype: fc.constantFrom('float32' as const, 'int32' as const),
  dataFormat: fc.constantFrom(...layouts),
  mode: fc.constantFrom('batch' as const, 'elem' as const),
  partner: fc.constantFrom('permutation' as const, 'flip' as const, 'roll' as const),
  placement: fc.constantFrom('center-clip' as const, 'inside' as const),
  prob: fc.constantFrom(1, 0.5, 0),
  seed: fc.integer(),
});
type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

function makeBatch({ n, c, h, w, dtype, dataFormat }: Case) {
  const shape: [number, number, number, number] = dataFormat === 'NCHW' ? [n, c, h, w] : [n, h, w, c];
  // Distinct values per element, so any misplaced element is visible.
  const values = range(n * c * h * w, 1);
  const images = tf.tensor4d(dtype === 'int32' ? Int32Array.from(values) : values, shape, dtype);
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => (i * 7) % 5),
    'int32',
  );
  return { images, labels, values, shape };
}

async function onCpu<T>(fn: () => T): Promise<T> {
  const backend = tf.getBackend() as 'cpu' | 'wasm';
  await useBackend('cpu');
  try {
    return fn();
  } finally {
    await useBackend(backend);
  }
}

describeEachBackend('cutmixBatch', () => {
  it('every output element is the sample’s own outside its box and the partner’s inside', () => {
    fc.assert(
      fc.property(arbCase, (cs) => {
        const { images, labels, values, shape } = makeBatch(cs);
        const before = tf.memory().numTensors;
        const out = cutmixBatch(images, labels, {
          seed: cs.seed,
          mode: cs.mode,
          partner: cs.partner,
          dataFormat: cs.dataFormat,
          placement: cs.placement,
          prob: cs.prob,
        });
        expect(tf.memory().numTensors - before).toBe(3);
        expect(out.images.shape).toEqual(shape);
        expect(out.images.dtype).toBe(cs.dtype);
        // The plan itself, derived from the same seed by the documented rule (test/support/plan_oracle.ts),
        // so that the paste below is checked against a plan the op did not choose.
        const plan = oraclePlan(
          { ...cs, alpha: 1, correctLam: true, cut: true },
          cs.n,
          [cs.h, cs.w],
          seededRng(cs.seed),
        );
        if (!plan.nearCut) {
          expect(Array.from(out.partners)).toEqual(plan.partners);
          expect(out.boxes).toEqual(plan.spans.map(boxOfSpans));
        }
        const expected = referencePaste(values, shape, out.partners, out.boxes, cs.dataFormat);
        expect(Array.from(out.images.dataSync())).toEqual(Array.from(expected));
        // The share of each sample's pixels that came from its partner is exactly 1 − λᵢ.
        for (let i = 0; i < cs.n; i++) {
          const b = out.boxes[i];
          expect(out.lam[i]).toBe(Math.fround(1 - ((b.y2 - b.y1) * (b.x2 - b.x1)) / (cs.h * cs.w)));
        }
        if (cs.mode === 'batch' && cs.n > 0) expect(new Set(out.boxes.map((b) => JSON.stringify(b))).size).toBe(1);
        expect(out.lam.length).toBe(cs.n);
        expect(out.boxes.length).toBe(cs.n);
        tf.dispose([images, labels, out.images, out.labelsA, out.labelsB]);
        expect(tf.memory().numTensors).toBe(before - 2);
      }),
    );
  });

  it('partners: permutation is a permutation, roll has no fixed point, flip pairs i with N−1−i; labelsB = labels[partners]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer(), (n, seed) => {
        const images = tf.zeros([n, 1, 2, 3]) as tf.Tensor4D;
        const labels = tf.tensor2d(range(n * 3), [n, 3]);
        const labelValues = labels.arraySync();
        for (const partner of ['permutation', 'flip', 'roll'] as const) {
          const out = cutmixBatch(images, labels, { seed, partner });
          const p = Array.from(out.partners);
          if (partner === 'permutation') expect([...p].sort((a, b) => a - b)).toEqual(p.map((_, i) => i));
          if (partner === 'flip') expect(p).toEqual(p.map((_, i) => n - 1 - i));
          if (partner === 'roll') {
            expect(p).toEqual(p.map((_, i) => (i - 1 + n) % n));
            if (n >= 2) expect(p.every((q, i) => q !== i)).toBe(true);
          }
          expect(out.labelsB.arraySync()).toEqual(p.map((q) => labelValues[q]));
          expect(out.labelsA.arraySync()).toEqual(labelValues);
          tf.dispose([out.images, out.labelsA, out.labelsB]);
        }
        tf.dispose([images, labels]);
      }),
    );
  });

  it('the same seed gives the same λ, boxes, partners and output bytes; another seed differs', () => {
    const { images, labels } = makeBatch({ n: 8, c: 3, h: 17, w: 23, dtype: 'float32', dataFormat: 'NCHW' } as Case);
    for (const mode of ['batch', 'elem'] as const) {
      const a = cutmixBatch(images, labels, { seed: 7, mode });
      const b = cutmixBatch(images, labels, { seed: 7, mode });
      const c = cutmixBatch(images, labels, { seed: 8, mode });
      expect(b.lam).toEqual(a.lam);
      expect(b.boxes).toEqual(a.boxes);
      expect(b.partners).toEqual(a.partners);
      expect(Buffer.from(b.images.dataSync().buffer)).toEqual(Buffer.from(a.images.dataSync().buffer));
      expect([c.lam, c.boxes, c.partners]).not.toEqual([a.lam, a.boxes, a.partners]);
      tf.dispose([a, b, c].flatMap((r) => [r.images, r.labelsA, r.labelsB]));
    }
    tf.dispose([images, labels]);
  });

  it('a shared rng advances: consecutive batches draw different boxes', () => {
    const images = tf.zeros([4, 1, 32, 32]) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const rng = seededRng(1);
    const first = cutmixBatch(images, labels, { rng });
    const second = cutmixBatch(images, labels, { rng });
    expect(second.boxes).not.toEqual(first.boxes);
    tf.dispose([
      images,
      labels,
      first.images,
      first.labelsA,
      first.labelsB,
      second.images,
      second.labelsA,
      second.labelsB,
    ]);
  });

  it('N = 1 pairs the sample with itself: output equals input, labels stay right', () => {
    const images = tf.tensor4d(range(12), [1, 3, 2, 2]);
    const labels = tf.tensor1d([4], 'int32');
    const out = cutmixBatch(images, labels, { seed: 0, lam: 0.2 });
    expect(Array.from(out.partners)).toEqual([0]);
    expect(out.images.dataSync()).toEqual(images.dataSync());
    expect(out.labelsA.dataSync()).toEqual(Int32Array.from([4]));
    expect(out.labelsB.dataSync()).toEqual(Int32Array.from([4]));
    tf.dispose([images, labels, out.images, out.labelsA, out.labelsB]);
  });

  it('N = 0 works and returns empty results', () => {
    const images = tf.zeros([0, 3, 4, 4]) as tf.Tensor4D;
    const labels = tf.zeros([0, 10]);
    const out = cutmixBatch(images, labels, { seed: 0 });
    expect(out.images.shape).toEqual([0, 3, 4, 4]);
    expect(out.labelsB.shape).toEqual([0, 10]);
    expect(out.lam.length + out.boxes.length + out.partners.length).toBe(0);
    tf.dispose([images, labels, out.images, out.labelsA, out.labelsB]);
  });

  it('prob = 0 leaves the batch an equal copy with λ = 1 and empty boxes, same result shape', () => {
    const images = tf.tensor4d(range(2 * 2 * 4 * 4), [2, 2, 4, 4]);
    const labels = tf.tensor1d([0, 1], 'int32');
    for (const mode of ['batch', 'elem'] as const) {
      const out = cutmixBatch(images, labels, { seed: 3, prob: 0, mode });
      expect(Array.from(out.lam)).toEqual([1, 1]);
      expect(out.boxes).toEqual([
        { y1: 0, x1: 0, y2: 0, x2: 0 },
        { y1: 0, x1: 0, y2: 0, x2: 0 },
      ]);
      expect(out.images.dataSync()).toEqual(images.dataSync());
      expect(out.partners.length).toBe(2);
      tf.dispose([out.images, out.labelsA, out.labelsB]);
    }
    tf.dispose([images, labels]);
  });

  it("in 'elem' mode with prob 0.5 about half of the samples are mixed", () => {
    const images = tf.zeros([200, 1, 8, 8]) as tf.Tensor4D;
    const labels = tf.zeros([200], 'int32');
    const out = cutmixBatch(images, labels, { seed: 5, prob: 0.5, mode: 'elem', lam: undefined });
    const unmixed = out.boxes.filter((b) => b.y1 === 0 && b.y2 === 0 && b.x1 === 0 && b.x2 === 0).length;
    expect(unmixed).toBeGreaterThan(70);
    expect(unmixed).toBeLessThan(140);
    tf.dispose([images, labels, out.images, out.labelsA, out.labelsB]);
  });

  it('injected box, λ and partners are used as given and returned', () => {
    const images = tf.tensor4d(range(3 * 1 * 4 * 5), [3, 1, 4, 5]);
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const box: Box = { y1: 1, x1: 0, y2: 3, x2: 5 };
    const out = cutmixBatch(images, labels, { box, partners: [2, 0, 1] });
    expect(out.boxes).toEqual([box, box, box]);
    expect(Array.from(out.lam)).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(out.partners)).toEqual([2, 0, 1]);
    const expected = referencePaste(images.dataSync(), [3, 1, 4, 5], [2, 0, 1], [box, box, box], 'NCHW');
    expect(Array.from(out.images.dataSync())).toEqual(Array.from(expected));
    const perSample = cutmixBatch(images, labels, {
      box: [box, { y1: 0, x1: 0, y2: 0, x2: 0 }, { y1: 0, x1: 0, y2: 4, x2: 5 }],
      partners: Int32Array.from([1, 2, 0]),
    });
    expect(Array.from(perSample.lam)).toEqual([0.5, 1, 0]);
    const lamOnly = cutmixBatch(images, labels, { lam: 0, seed: 1, placement: 'inside' });
    expect(lamOnly.boxes[0]).toEqual({ y1: 0, x1: 0, y2: 4, x2: 5 });
    tf.dispose([images, labels, ...[out, perSample, lamOnly].flatMap((r) => [r.images, r.labelsA, r.labelsB])]);
  });

  it('disposing the result never disposes the input', () => {
    const images = tf.ones([2, 1, 3, 3]) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1], 'int32');
    const out = cutmixBatch(images, labels, { seed: 1, prob: 0 });
    tf.dispose([out.images, out.labelsA, out.labelsB]);
    expect(images.isDisposed || labels.isDisposed).toBe(false);
    expect(images.dataSync()[0]).toBe(1);
    expect(labels.dataSync()[1]).toBe(1);
    tf.dispose([images, labels]);
  });

  it('rejects bad input with a message naming the argument, leaking nothing', async () => {
    const img = tf.zeros([2, 3, 4, 5]) as tf.Tensor4D;
    const lab = tf.tensor1d([0, 1], 'int32');
    const disposed = tf.zeros([2, 3, 4, 5]) as tf.Tensor4D;
    disposed.dispose();
    const bad = {
      rank2: tf.zeros([3, 4]),
      rank3: tf.zeros([3, 4, 5]),
      rank5: tf.zeros([2, 4, 5, 3, 1]),
      rank6: tf.zeros([2, 1, 1, 1, 1, 1]),
      bool: tf.zeros([2, 3, 4, 5], 'bool'),
      // wasm has no complex kernel: the complex input is built on cpu (its dtype is all that is checked).
      complex: await onCpu(() => tf.tidy(() => tf.complex(tf.zeros([2, 1, 2, 2]), tf.zeros([2, 1, 2, 2])))),
      string: tf.tensor4d(['a', 'b'], [2, 1, 1, 1], 'string'),
      h0: tf.zeros([2, 3, 0, 5]),
      w0: tf.zeros([2, 3, 4, 0]),
      labels3: tf.zeros([2, 1, 1]),
      labelsN3: tf.tensor1d([0, 1, 2], 'int32'),
      labelsBool: tf.zeros([2], 'bool'),
      labelsHalf: tf.tensor1d([0, 0.5]),
      labelsNaN: tf.tensor1d([NaN, 1]),
      labelsNeg: tf.tensor1d([0, -1], 'int32'),
      labelsInt2: tf.zeros([2, 1], 'int32'),
    };
    const boxRule = 'a 2-D box {y1, x1, y2, x2} of integers with 0 ≤ y1 ≤ y2 ≤ 4, 0 ≤ x1 ≤ x2 ≤ 5';
    const cases: Array<[() => unknown, string]> = [
      [
        () => cutmixBatch(bad.rank2 as never, lab),
        'Error in cutmixBatch: images must be rank 3 (NCW), 4 (NCHW) or 5 (NCDHW), but got rank 2.',
      ],
      [
        () => cutmixBatch(bad.rank6 as never, lab),
        'Error in cutmixBatch: images must be rank 3 (NCW), 4 (NCHW) or 5 (NCDHW), but got rank 6.',
      ],
      [
        () => cutmixBatch(bad.rank3 as never, lab, { dataFormat: 'NCHW' }),
        'Error in cutmixBatch: images must be rank 4 (NCHW), but got rank 3.',
      ],
      [
        () => cutmixBatch(bad.rank5 as never, lab, { dataFormat: 'NHWC' }),
        'Error in cutmixBatch: images must be rank 4 (NHWC), but got rank 5.',
      ],
      [
        () => cutmixBatch(img, lab, { dataFormat: 'NCDHW' }),
        'Error in cutmixBatch: images must be rank 5 (NCDHW), but got rank 4.',
      ],
      [
        () => cutmixBatch(bad.bool as never, lab),
        'Error in cutmixBatch: images.dtype must be float32 or int32, but got bool.',
      ],
      [
        () => cutmixBatch(bad.complex as never, lab),
        'Error in cutmixBatch: images.dtype must be float32 or int32, but got complex64.',
      ],
      [
        () => cutmixBatch(bad.string as never, lab),
        'Error in cutmixBatch: images.dtype must be float32 or int32, but got string.',
      ],
      [
        () => cutmixBatch(bad.h0 as never, lab),
        'Error in cutmixBatch: images height (dim 2 of NCHW) must be ≥ 1, but got 0.',
      ],
      [
        () => cutmixBatch(bad.w0 as never, lab),
        'Error in cutmixBatch: images width (dim 3 of NCHW) must be ≥ 1, but got 0.',
      ],
      [
        () => cutmixBatch(disposed, lab),
        'Error in cutmixBatch: images must be a live tensor, but got a disposed tensor.',
      ],
      [
        () => cutmixBatch([1, 2] as never, lab),
        'Error in cutmixBatch: images must be a tf.Tensor, but got an array of length 2.',
      ],
      [
        () => cutmixBatch(img, bad.labels3),
        'Error in cutmixBatch: labels must be rank 1 (class indices [N]) or rank 2 (one-hot, soft or multi-hot [N, K]), but got rank 3.',
      ],
      [
        () => cutmixBatch(img, bad.labelsN3),
        'Error in cutmixBatch: labels must have 2 rows to match images, but got 3.',
      ],
      [
        () => cutmixBatch(img, bad.labelsBool),
        'Error in cutmixBatch: labels.dtype must be int32 or float32, but got bool.',
      ],
      [
        () => cutmixBatch(img, bad.labelsHalf),
        'Error in cutmixBatch: labels[1] must be an integer class index ≥ 0, but got 0.5.',
      ],
      [
        () => cutmixBatch(img, bad.labelsNaN),
        'Error in cutmixBatch: labels[0] must be an integer class index ≥ 0, but got NaN.',
      ],
      [
        () => cutmixBatch(img, bad.labelsNeg),
        'Error in cutmixBatch: labels[1] must be an integer class index ≥ 0, but got -1.',
      ],
      [
        () => cutmixBatch(img, bad.labelsInt2),
        'Error in cutmixBatch: labels.dtype must be float32 for targets [N, K] (cast with tf.cast), but got int32.',
      ],
      [
        () => cutmixBatch(img, lab, { alpha: 0 }),
        'Error in cutmixBatch: options.alpha must be a finite number > 0, but got 0.',
      ],
      [
        () => cutmixBatch(img, lab, { alpha: -1 }),
        'Error in cutmixBatch: options.alpha must be a finite number > 0, but got -1.',
      ],
      [
        () => cutmixBatch(img, lab, { alpha: NaN }),
        'Error in cutmixBatch: options.alpha must be a finite number > 0, but got NaN.',
      ],
      [
        () => cutmixBatch(img, lab, { alpha: Infinity }),
        'Error in cutmixBatch: options.alpha must be a finite number > 0, but got Infinity.',
      ],
      [
        () => cutmixBatch(img, lab, { alpha: -Infinity }),
        'Error in cutmixBatch: options.alpha must be a finite number > 0, but got -Infinity.',
      ],
      [
        () => cutmixBatch(img, lab, { lam: 1.5 }),
        'Error in cutmixBatch: options.lam must be a number in [0, 1], but got 1.5.',
      ],
      [
        () => cutmixBatch(img, lab, { lam: NaN }),
        'Error in cutmixBatch: options.lam must be a number in [0, 1], but got NaN.',
      ],
      [
        () => cutmixBatch(img, lab, { lam: new Float32Array([0.5]) }),
        'Error in cutmixBatch: options.lam.length must be 2 (one λ per sample), but got 1.',
      ],
      [
        () => cutmixBatch(img, lab, { lam: [0.5, -0.5] }),
        'Error in cutmixBatch: options.lam[1] must be a number in [0, 1], but got -0.5.',
      ],
      [
        () => cutmixBatch(img, lab, { box: { y1: 0, x1: 0, y2: 5, x2: 5 } }),
        `Error in cutmixBatch: options.box must be ${boxRule}, but got {y1: 0, x1: 0, y2: 5, x2: 5}.`,
      ],
      [
        () => cutmixBatch(img, lab, { box: { y1: 3, x1: 0, y2: 2, x2: 5 } }),
        `Error in cutmixBatch: options.box must be ${boxRule}, but got {y1: 3, x1: 0, y2: 2, x2: 5}.`,
      ],
      [
        () => cutmixBatch(img, lab, { box: { z1: 0, y1: 0, x1: 0, z2: 1, y2: 1, x2: 1 } }),
        `Error in cutmixBatch: options.box must be ${boxRule}, but got {z1: 0, y1: 0, x1: 0, z2: 1, y2: 1, x2: 1}.`,
      ],
      [
        () => cutmixBatch(img, lab, { box: [{ y1: 0, x1: 0, y2: 1, x2: 1 }] }),
        'Error in cutmixBatch: options.box.length must be 2 (one box per sample), but got 1.',
      ],
      [
        () => cutmixBatch(img, lab, { partners: [0] }),
        'Error in cutmixBatch: options.partners.length must be 2 (one partner per sample), but got 1.',
      ],
      [
        () => cutmixBatch(img, lab, { partners: [0, 1.5] }),
        'Error in cutmixBatch: options.partners[1] must be an integer index in [0, 2), but got 1.5.',
      ],
      [
        () => cutmixBatch(img, lab, { partners: [0, 2] }),
        'Error in cutmixBatch: options.partners[1] must be an integer index in [0, 2), but got 2.',
      ],
      [
        () => cutmixBatch(img, lab, { partners: [-1, 0] }),
        'Error in cutmixBatch: options.partners[0] must be an integer index in [0, 2), but got -1.',
      ],
      [
        () => cutmixBatch(img, lab, { prob: 1.1 }),
        'Error in cutmixBatch: options.prob must be a number in [0, 1], but got 1.1.',
      ],
      [
        () => cutmixBatch(img, lab, { prob: -0.1 }),
        'Error in cutmixBatch: options.prob must be a number in [0, 1], but got -0.1.',
      ],
      [
        () => cutmixBatch(img, lab, { mode: 'pairs' as never }),
        "Error in cutmixBatch: options.mode must be one of 'batch', 'elem', 'pair', but got \"pairs\".",
      ],
      [
        () => cutmixBatch(img, lab, { partner: 'shuffle' as never }),
        "Error in cutmixBatch: options.partner must be one of 'permutation', 'flip', 'roll', but got \"shuffle\".",
      ],
      [
        () => cutmixBatch(img, lab, { placement: 'uniform' as never }),
        "Error in cutmixBatch: options.placement must be one of 'center-clip', 'inside', but got \"uniform\".",
      ],
      [
        () => cutmixBatch(img, lab, { dataFormat: 'CHW' as never }),
        "Error in cutmixBatch: options.dataFormat must be one of 'NCW', 'NWC', 'NCHW', 'NHWC', 'NCDHW', 'NDHWC', 'channelsFirst', 'channelsLast', but got \"CHW\".",
      ],
      [
        () => cutmixBatch(img, lab, { ratioMinMax: [0.5, 1.2] }),
        'Error in cutmixBatch: options.ratioMinMax must be a pair [min, max] with 0 < min ≤ max ≤ 1, but got [0.5, 1.2].',
      ],
      [
        () => cutmixBatch(img, lab, { ratioMinMax: [0, 0.5] }),
        'Error in cutmixBatch: options.ratioMinMax must be a pair [min, max] with 0 < min ≤ max ≤ 1, but got [0, 0.5].',
      ],
      [
        () => cutmixBatch(img, lab, { correctLam: 1 as never }),
        'Error in cutmixBatch: options.correctLam must be a boolean, but got 1.',
      ],
      [
        () => cutmixBatch(img, lab, { alhpa: 1 } as CutMixOptions),
        "Error in cutmixBatch: options key 'alhpa' must be one of alpha, rng, seed, mode, partner, partners, lam, prob, dataFormat, box, placement, ratioMinMax, correctLam, but got an unknown key.",
      ],
      [
        () => cutmixBatch(img, lab, { seed: 1, rng: Math.random }),
        'Error in cutmixBatch: options.seed must be omitted when options.rng is given (one random source), but got both.',
      ],
      [
        () => cutmixBatch(img, lab, { lam: 0.5, ratioMinMax: [0.2, 0.4] }),
        'Error in cutmixBatch: options.ratioMinMax must be omitted when options.lam is given (ratioMinMax sizes the box instead of λ), but got both.',
      ],
      [
        () => cutmixBatch(img, lab, { rng: () => 2 }),
        'Error in cutmixBatch: options.rng() must be a number in [0, 1), but got 2.',
      ],
    ];
    for (const [call, message] of cases) {
      const before = tf.memory().numTensors;
      expect(call).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
    }
    const complex = bad.complex;
    tf.dispose([img, lab, ...Object.values(bad).filter((t) => t !== complex)]);
    await onCpu(() => complex.dispose());
  });
});

it('same seed gives identical output bytes on cpu and wasm, every mode, scheme and layout', async () => {
  const results: Record<string, string> = {};
  for (const backend of BACKENDS) {
    await useBackend(backend);
    const parts: string[] = [];
    for (const mode of ['batch', 'elem'] as const) {
      for (const partner of ['permutation', 'flip', 'roll'] as const) {
        for (const dataFormat of layouts) {
          const shape: [number, number, number, number] = dataFormat === 'NCHW' ? [5, 2, 9, 13] : [5, 9, 13, 2];
          const images = tf.tensor4d(range(5 * 2 * 9 * 13), shape);
          const labels = tf.tensor1d([0, 1, 2, 3, 4], 'int32');
          const out = cutmixBatch(images, labels, { seed: 99, mode, partner, dataFormat });
          parts.push(JSON.stringify([Array.from(out.lam), out.boxes, Array.from(out.partners)]));
          parts.push(Buffer.from(out.images.dataSync().buffer).toString('base64'));
          tf.dispose([images, labels, out.images, out.labelsA, out.labelsB]);
        }
      }
    }
    results[backend] = parts.join('|');
  }
  expect(results.wasm).toBe(results.cpu);
});

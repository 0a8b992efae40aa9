import * as tf from '@tensorflow/tfjs-core';
import jStat from 'jstat';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { CutMix, cutmixBatch, mixupOrCutmix, sampleLambda, seededRng } from '../../src/index.js';
import { useBackend } from '../support/backends.js';
import { range } from '../support/reference.js';

const arbCase = fc.record({
  seed: fc.integer(),
  n: fc.integer({ min: 1, max: 8 }),
  c: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 40 }),
  w: fc.integer({ min: 1, max: 40 }),
  mode: fc.constantFrom('batch' as const, 'elem' as const),
  partner: fc.constantFrom('permutation' as const, 'flip' as const, 'roll' as const),
  dataFormat: fc.constantFrom('NCHW' as const, 'NHWC' as const),
  dtype: fc.constantFrom('float32' as const, 'int32' as const),
  placement: fc.constantFrom('center-clip' as const, 'inside' as const),
  prob: fc.constantFrom(1, 0.5),
});

it('the same seed gives identical λ, boxes, partners and output bytes on cpu and wasm (property over seeds and shapes)', async () => {
  await fc.assert(
    fc.asyncProperty(arbCase, async (cs) => {
      const shape: [number, number, number, number] =
        cs.dataFormat === 'NCHW' ? [cs.n, cs.c, cs.h, cs.w] : [cs.n, cs.h, cs.w, cs.c];
      const size = cs.n * cs.c * cs.h * cs.w;
      const seen: string[] = [];
      for (const backend of ['cpu', 'wasm'] as const) {
        await useBackend(backend);
        const before = tf.memory().numTensors;
        const values = cs.dtype === 'int32' ? Int32Array.from(range(size, -7)) : range(size, 0.5);
        const images = tf.tensor4d(values, shape, cs.dtype);
        const labels = tf.tensor1d(
          Int32Array.from({ length: cs.n }, (_, i) => i % 3),
          'int32',
        );
        const { seed, n: _n, c: _c, h: _h, w: _w, dtype: _d, ...options } = cs;
        const out = cutmixBatch(images, labels, { seed, ...options });
        seen.push(
          JSON.stringify([
            Array.from(out.lam),
            out.boxes,
            Array.from(out.partners),
            Array.from(out.labelsB.dataSync()),
          ]) + Buffer.from(out.images.dataSync().buffer).toString('base64'),
        );
        tf.dispose([images, labels, out.images, out.labelsA, out.labelsB]);
        expect(tf.memory().numTensors).toBe(before);
      }
      expect(seen[1]).toBe(seen[0]);
    }),
    { numRuns: 40 },
  );
});

it('two CutMix instances with different seeds never share a stream (nor does jstat leak one into the other)', async () => {
  await useBackend('cpu');
  const images = tf.zeros([6, 1, 12, 12]) as tf.Tensor4D;
  const labels = tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32');
  const record = (cm: CutMix) => {
    const r = cm.mix(images, labels);
    r.images.dispose();
    return JSON.stringify([Array.from(r.lam), r.boxes, Array.from(r.partners)]);
  };
  // Each alone…
  const alone = (seed: number) => {
    const cm = new CutMix({ seed, mode: 'elem' });
    const out = Array.from({ length: 5 }, () => record(cm));
    cm.dispose();
    return out;
  };
  const a = alone(1);
  const b = alone(2);
  // …and interleaved, with unrelated jstat and Math.random use in between: the same streams.
  const ca = new CutMix({ seed: 1, mode: 'elem' });
  const cb = new CutMix({ seed: 2, mode: 'elem' });
  const ia: string[] = [];
  const ib: string[] = [];
  for (let i = 0; i < 5; i++) {
    ia.push(record(ca));
    jStat.beta.sample(2, 3);
    sampleLambda(0.5, seededRng(99));
    ib.push(record(cb));
  }
  expect(ia).toEqual(a);
  expect(ib).toEqual(b);
  expect(a).not.toEqual(b);
  ca.dispose();
  cb.dispose();
  tf.dispose([images, labels]);
});

it('mixupOrCutmix with a seed repeats its choices and draws on cpu and wasm', async () => {
  const seen: string[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await useBackend(backend);
    const images = tf.tensor4d(range(4 * 2 * 5 * 6), [4, 2, 5, 6]);
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const rng = seededRng(5);
    for (let i = 0; i < 6; i++) {
      const out = mixupOrCutmix(images, labels, { rng });
      seen.push(
        `${backend}:${out.method}:${Array.from(out.lam)}:${Buffer.from(out.images.dataSync().buffer).toString('base64')}`,
      );
      tf.dispose([out.images, out.labelsA, out.labelsB]);
    }
    tf.dispose([images, labels]);
  }
  expect(seen.slice(6).map((s) => s.slice(5))).toEqual(seen.slice(0, 6).map((s) => s.slice(4)));
});

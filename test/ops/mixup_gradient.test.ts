import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs's op gradients, as a training program has them
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { mixupBatch } from '../../src/index.js';
import { DATA_FORMATS } from '../../src/common/layout.js';
import { describeEachBackend } from '../support/backends.js';
import { shapeOf } from '../support/kernels_cases.js';

/**
 * The input gradient of MixUp from its definition: a mixed sample s passes λₛ·dyₛ to itself and
 * (1−λₛ)·dyₛ to its partner; an unmixed one (λ = 1, or its own partner) passes dyₛ to itself.
 */
function expectedGradient(dy: Float32Array, lam: Float32Array, partners: Int32Array): Float32Array {
  const n = lam.length;
  const per = n === 0 ? 0 : dy.length / n;
  const dx = new Float32Array(dy.length);
  for (let s = 0; s < n; s++) {
    const mixed = lam[s] !== 1 && partners[s] !== s;
    for (let j = 0; j < per; j++) {
      const g = dy[s * per + j];
      dx[s * per + j] += mixed ? lam[s] * g : g;
      if (mixed) dx[partners[s] * per + j] += (1 - lam[s]) * g;
    }
  }
  return dx;
}

// λ in quarters and integer upstream values: every product and sum is exact in float32, in any order.
const arbCase = fc.record({
  dataFormat: fc.constantFrom(...DATA_FORMATS),
  n: fc.integer({ min: 1, max: 5 }),
  c: fc.integer({ min: 1, max: 3 }),
  sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
  quarters: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 5 }),
  partners: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  seed: fc.nat(),
});

describeEachBackend('tf.grad through mixupBatch', () => {
  it('routes λ·dy to each sample and (1−λ)·dy to its partner, unmixed samples whole, every rank and layout', () => {
    fc.assert(
      fc.property(arbCase, ({ dataFormat, n, c, sizes, quarters, partners, seed }) => {
        const shape = shapeOf(dataFormat, n, c, sizes.slice(5 - dataFormat.length));
        const size = shape.reduce((a, b) => a * b, 1);
        const lam = quarters.slice(0, n).map((q) => q / 4);
        const pairs = partners.slice(0, n).map((p) => p % n);
        const dyValues = Float32Array.from({ length: size }, (_, i) => ((i * 7 + seed) % 17) - 8);
        const x = tf.randomUniform(shape, -1, 1, 'float32', seed);
        const dy = tf.tensor(dyValues, shape);
        const labels = tf.zeros([n], 'int32');
        try {
          let plan: { lam: Float32Array; partners: Int32Array } | undefined;
          const dx = tf.grad((v: tf.Tensor) => {
            const r = mixupBatch(v, labels, { lam, partners: pairs, mode: 'elem', dataFormat });
            plan = r;
            tf.dispose([r.labelsA, r.labelsB]);
            return r.images;
          })(x, dy);
          expect(Array.from(dx.dataSync())).toEqual(Array.from(expectedGradient(dyValues, plan!.lam, plan!.partners)));
          dx.dispose();
        } finally {
          tf.dispose([x, dy, labels]);
        }
      }),
      { numRuns: 40 },
    );
  });
});

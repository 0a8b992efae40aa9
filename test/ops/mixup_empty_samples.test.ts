import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { mixupBatch, mixupOrCutmix } from '../../src/index.js';
import { describeEachBackend } from '../support/backends.js';

// A batch of samples with no elements ([2, 0, 4, 4]: zero channels) passes every check; the blend must
// hand it back as it is, not reach a backend op that cannot broadcast an empty axis (wasm did).
describeEachBackend('MixUp on samples with no elements', () => {
  it.each([
    [[2, 0, 4, 4], 'NCHW'],
    [[3, 4, 2, 0], 'NHWC'],
    [[2, 0, 2, 3, 3], 'NCDHW'],
  ] as const)('%j %s: returns an empty batch of the same shape, whatever is drawn', (shape, dataFormat) => {
    const x = tf.zeros([...shape]);
    const labels = tf.tensor1d(
      Array.from({ length: shape[0] }, (_, i) => i),
      'int32',
    );
    const a = mixupBatch(x, labels, { seed: 1, mode: 'elem', partner: 'roll', dataFormat });
    const b = mixupOrCutmix(x, labels, { seed: 2, switchProb: 0, partner: 'roll', dataFormat });
    expect([a.images.shape, b.images.shape, b.method]).toEqual([[...shape], [...shape], 'mixup']);
    expect(Array.from(a.lam).some((l) => l < 1)).toBe(true);
    tf.dispose([x, labels, a.images, a.labelsA, a.labelsB, b.images, b.labelsA, b.labelsB]);
  });
});

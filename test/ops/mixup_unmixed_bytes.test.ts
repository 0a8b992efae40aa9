import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { mixupBatch } from '../../src/index.js';
import { DATA_FORMATS } from '../../src/common/layout.js';
import { describeEachBackend } from '../support/backends.js';
import { shapeOf } from '../support/kernels_cases.js';

/** Bit patterns a blend would change (0·∞ = NaN, −0 + 0 = +0, NaN payloads): first in every sample. */
const SPECIAL_WORDS = [0x7fc12345, 0xffc00001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff];
const SIGNALLING_NAN = 0x7f800001;

describeEachBackend('mixupBatch on a batch of mixed and unmixed samples', (backend) => {
  it.each(DATA_FORMATS)('%s: every unmixed sample keeps its exact bytes (−0, ±Inf, NaN payloads)', (dataFormat) => {
    const shape = shapeOf(dataFormat, 4, 2, [3, 4, 5].slice(5 - dataFormat.length));
    const per = shape.slice(1).reduce((a, b) => a * b, 1);
    const words = Uint32Array.from({ length: 4 * per }, (_, i) => 0x3f800000 + ((i * 2654435761) % 0x7fffff));
    for (let s = 0; s < 4; s++) words.set([...SPECIAL_WORDS, SIGNALLING_NAN], s * per);
    const x = tf.tensor(new Float32Array(words.buffer), shape);
    const labels = tf.zeros([4], 'int32');
    // Sample 1 pairs with itself, sample 3 keeps λ = 1; samples 0 and 2 are mixed.
    const r = mixupBatch(x, labels, { lam: [0.25, 0.5, 0.75, 1], partners: [2, 1, 0, 0], mode: 'elem', dataFormat });
    const out = new Uint32Array(new Float32Array(r.images.dataSync()).buffer);
    for (const s of [1, 3]) {
      const got = Array.from(out.subarray(s * per, (s + 1) * per));
      const want = Array.from(words.subarray(s * per, (s + 1) * per));
      // tfjs's cpu `where` reads elements as JavaScript numbers, which quiets a signalling NaN (documented
      // in the README); every other pattern, and on wasm the signalling NaN too, comes through unchanged.
      if (backend === 'cpu') want[SPECIAL_WORDS.length] = SIGNALLING_NAN | 0x400000;
      expect(
        got.map((w) => w.toString(16)),
        `sample ${s}`,
      ).toEqual(want.map((w) => w.toString(16)));
    }
    // The mixed samples really are blends: sample 0 holds NaN where its partner has a NaN (0.75·NaN).
    expect(Number.isNaN(r.images.dataSync()[0])).toBe(true);
    tf.dispose([x, labels, r.images, r.labelsA, r.labelsB]);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  cutmixBatch,
  cutmixLoss,
  mixupBatch,
  mixupOrCutmix,
  seededRng,
  type CutMixResult,
  type MixUpOrCutMixOptions,
} from '../../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

function batch(n = 6) {
  const images = tf.tensor4d(
    Float32Array.from({ length: n * 2 * 5 * 4 }, (_, i) => (i % 17) / 7),
    [n, 2, 5, 4],
  );
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % 3),
    'int32',
  );
  return { images, labels };
}

const release = (r: CutMixResult) => tf.dispose([r.images, r.labelsA, r.labelsB]);

describeEachBackend('mixupOrCutmix', () => {
  it('picks CutMix with chance switchProb per batch (binomial bound over 400 seeded batches)', () => {
    const { images, labels } = batch(4);
    for (const switchProb of [0.2, 0.5, 0.85]) {
      const rng = seededRng(1000 * switchProb);
      const trials = 400;
      let cutmixes = 0;
      for (let t = 0; t < trials; t++) {
        const r = mixupOrCutmix(images, labels, { rng, switchProb });
        if (r.method === 'cutmix') cutmixes++;
        release(r);
      }
      // Within 4.5 standard deviations of trials·p; a wrong switch (1 − p, or ignoring p) falls outside.
      const sd = Math.sqrt(trials * switchProb * (1 - switchProb));
      expect(Math.abs(cutmixes - trials * switchProb)).toBeLessThan(4.5 * sd);
    }
    for (const [switchProb, method] of [
      [0, 'mixup'],
      [1, 'cutmix'],
    ] as const) {
      for (let seed = 0; seed < 20; seed++) {
        const r = mixupOrCutmix(images, labels, { seed, switchProb });
        expect(r.method).toBe(method);
        release(r);
      }
    }
    tf.dispose([images, labels]);
  });

  it('runs the chosen op with its own α: same bytes and λ as cutmixBatch/mixupBatch on the replayed stream', () => {
    const { images, labels } = batch();
    const options = { switchProb: 0.5, mixupAlpha: 0.3, cutmixAlpha: 2, mode: 'elem' as const };
    const seen = new Set<string>();
    for (let seed = 0; seed < 16; seed++) {
      const got = mixupOrCutmix(images, labels, { ...options, seed });
      seen.add(got.method);
      // Replay: one switch draw, then the chosen op on the same stream with its own α.
      const replay = seededRng(seed);
      const useCutmix = replay() < options.switchProb;
      expect(got.method).toBe(useCutmix ? 'cutmix' : 'mixup');
      const want = useCutmix
        ? cutmixBatch(images, labels, { rng: replay, alpha: options.cutmixAlpha, mode: 'elem' })
        : mixupBatch(images, labels, { rng: replay, alpha: options.mixupAlpha, mode: 'elem' });
      expect(Array.from(got.lam)).toEqual(Array.from(want.lam));
      expect(Array.from(got.partners)).toEqual(Array.from(want.partners));
      expect(got.boxes).toEqual(want.boxes);
      expect(Array.from(got.images.dataSync())).toEqual(Array.from(want.images.dataSync()));
      expect(Array.from(got.labelsB.dataSync())).toEqual(Array.from(want.labelsB.dataSync()));
      // The wrong α (torchvision#8440's bug) would have drawn other λ: the check above can fail.
      const wrongRng = seededRng(seed);
      wrongRng();
      const wrong = useCutmix
        ? cutmixBatch(images, labels, { rng: wrongRng, alpha: options.mixupAlpha, mode: 'elem' })
        : mixupBatch(images, labels, { rng: wrongRng, alpha: options.cutmixAlpha, mode: 'elem' });
      expect(Array.from(wrong.lam)).not.toEqual(Array.from(got.lam));
      [got, want, wrong].forEach(release);
    }
    expect(seen).toEqual(new Set(['mixup', 'cutmix']));
    tf.dispose([images, labels]);
  });

  it('either result feeds cutmixLoss; layouts and int32 (CutMix only) work', () => {
    const { images, labels } = batch(4);
    const logits = tf.tensor2d(
      Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)),
      [4, 3],
    );
    for (const seed of [1, 2, 3, 4]) {
      const r = mixupOrCutmix(images, labels, { seed });
      const loss = cutmixLoss(logits, r.labelsA, r.labelsB, r.lam);
      expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
      release(r);
      loss.dispose();
    }
    const nhwc = tf.zeros([3, 4, 5, 2]) as tf.Tensor4D;
    const labels3 = tf.tensor1d([0, 1, 2], 'int32');
    const r = mixupOrCutmix(nhwc, labels3, { seed: 1, dataFormat: 'NHWC' });
    expect(r.images.shape).toEqual([3, 4, 5, 2]);
    const ints = tf.zeros([3, 1, 4, 4], 'int32') as tf.Tensor4D;
    const c = mixupOrCutmix(ints, labels3, { seed: 1, switchProb: 1 });
    expect(c.method).toBe('cutmix');
    expect(c.images.dtype).toBe('int32');
    release(r);
    release(c);
    tf.dispose([images, labels, logits, nhwc, ints, labels3]);
  });

  it('rejects bad input with exact messages before drawing, leaking nothing', () => {
    const { images, labels } = batch(2);
    const ints = tf.zeros([2, 1, 4, 4], 'int32') as tf.Tensor4D;
    const oneLabel = tf.tensor1d([0], 'int32');
    const cases: [() => unknown, string][] = [
      [
        () => mixupOrCutmix(images, labels, { alpha: 1 } as MixUpOrCutMixOptions),
        "Error in mixupOrCutmix: options key 'alpha' must be one of rng, seed, mode, partner, partners, prob, dataFormat, placement, ratioMinMax, correctLam, switchProb, mixupAlpha, cutmixAlpha, but got an unknown key.",
      ],
      [
        () => mixupOrCutmix(images, labels, { switchProb: 1.5 }),
        'Error in mixupOrCutmix: options.switchProb must be a number in [0, 1], but got 1.5.',
      ],
      [
        () => mixupOrCutmix(images, labels, { mixupAlpha: 0 }),
        'Error in mixupOrCutmix: options.mixupAlpha must be a finite number > 0, but got 0.',
      ],
      [
        () => mixupOrCutmix(images, labels, { cutmixAlpha: NaN }),
        'Error in mixupOrCutmix: options.cutmixAlpha must be a finite number > 0, but got NaN.',
      ],
      [
        () => mixupOrCutmix(images, labels, { placement: 'edge' as never }),
        "Error in mixupOrCutmix: options.placement must be one of 'center-clip', 'inside', but got \"edge\".",
      ],
      [
        () => mixupOrCutmix(ints, labels, { switchProb: 0.99 }),
        'Error in mixupOrCutmix: images.dtype must be float32 (MixUp blends pixel values; cast integer images with tf.cast first), but got int32.',
      ],
      [
        () => mixupOrCutmix(images, oneLabel),
        'Error in mixupOrCutmix: labels must have 2 rows to match images, but got 1.',
      ],
      [
        () => mixupOrCutmix(images, labels, { seed: 1, rng: Math.random }),
        'Error in mixupOrCutmix: options.seed must be omitted when options.rng is given (one random source), but got both.',
      ],
      [
        () => mixupOrCutmix(images, labels, { rng: () => -1 }),
        'Error in mixupOrCutmix: options.rng() must be a number in [0, 1), but got -1.',
      ],
      [
        () => mixupOrCutmix(images, labels, { switchProb: null } as never),
        'Error in mixupOrCutmix: options.switchProb must be a number in [0, 1], but got null.',
      ],
      [
        () => mixupOrCutmix(images, labels, null as never),
        'Error in mixupOrCutmix: options must be an options object, but got null.',
      ],
    ];
    for (const [fn, message] of cases) expectThrowsNoLeak(fn, message);
    tf.dispose([images, labels, ints, oneLabel]);
  });
});

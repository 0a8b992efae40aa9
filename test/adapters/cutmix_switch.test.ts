import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // the gradients of tf.grad below
import { expect, it } from 'vitest';
import {
  CutMix,
  cutmixBatch,
  mixTargets,
  mixupOrCutmix,
  seededRng,
  softmaxCrossEntropyPerSample,
} from '../../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

/** Issue 16 item 7: the CutMix class as timm users expect it. */

const images = (n = 6) => tf.randomUniform([n, 1, 8, 8], 0, 1, 'float32', 11) as tf.Tensor4D;
const indices = (n = 6) =>
  tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % 4),
    'int32',
  );
const logitsFor = (n = 6) => tf.randomNormal([n, 4], 0, 1, 'float32', 5) as tf.Tensor2D;

describeEachBackend('CutMix as timm users expect it', () => {
  it('labelSmoothing: loss is the softmax cross-entropy against the smoothed mixed targets', () => {
    const [x, y, logits] = [images(), indices(), logitsFor()];
    const cutmix = new CutMix({ seed: 4, mode: 'elem', labelSmoothing: 0.2, numClasses: 4 });
    const r = cutmix.mix(x, y);
    const loss = cutmix.loss(logits);
    const targets = mixTargets(r.labelsA, r.labelsB, r.lam, { numClasses: 4, labelSmoothing: 0.2 });
    const expected = tf.tidy(() => tf.mean(softmaxCrossEntropyPerSample(targets, logits)));
    expect(loss.dataSync()[0]).toBeCloseTo(expected.dataSync()[0], 5);
    const fromClass = cutmix.targets();
    expect(Array.from(fromClass.dataSync())).toEqual(Array.from(targets.dataSync()).map((v) => expect.closeTo(v, 6)));
    tf.dispose([x, y, logits, r.images, loss, targets, expected, fromClass]);
    cutmix.dispose();
  });

  it('numClasses checks labels, logits and targets against K', () => {
    const [x, logits] = [images(2), logitsFor(2)];
    const big = tf.tensor1d([0, 4], 'int32');
    const onehot3 = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const cutmix = new CutMix({ seed: 1, numClasses: 4 });
    try {
      expectThrowsNoLeak(
        () => cutmix.mix(x, big),
        'Error in CutMix.mix: labels[1] must be an integer class index in [0, 4), but got 4.',
      );
      expectThrowsNoLeak(
        () => cutmix.mix(x, onehot3),
        'Error in CutMix.mix: labels must have 4 columns to match the CutMix options.numClasses, but got 3.',
      );
      const fine = tf.tensor1d([0, 3], 'int32');
      const r = cutmix.mix(x, fine);
      const five = tf.zeros([2, 5]) as tf.Tensor2D;
      expectThrowsNoLeak(
        () => cutmix.loss(five),
        'Error in CutMix.loss: logits must have 4 columns (the CutMix options.numClasses), but got 5.',
      );
      const three = tf.zeros([2, 3]) as tf.Tensor2D;
      expectThrowsNoLeak(
        () => cutmix.loss(three),
        'Error in CutMix.loss: logits must have 4 columns (the CutMix options.numClasses), but got 3.',
      );
      three.dispose();
      tf.dispose([r.images, five, fine]);
      expectThrowsNoLeak(
        () => new CutMix({ numClasses: 0 }),
        'Error in CutMix: options.numClasses must be a positive integer, but got 0.',
      );
      const noK = new CutMix({ seed: 1 });
      const s = noK.mix(x, big);
      expectThrowsNoLeak(
        () => noK.targets(),
        'Error in CutMix.targets: the CutMix options.numClasses must be given for class-index labels, but got undefined.',
      );
      tf.dispose(s.images);
      noK.dispose();
    } finally {
      cutmix.dispose();
      tf.dispose([x, logits, big, onehot3]);
    }
  });

  it("the MixUp switch draws per batch as mixupOrCutmix does, on the adapter's one stream", () => {
    const [x, y] = [images(), indices()];
    const cutmix = new CutMix({ seed: 9, mixupAlpha: 0.4, switchProb: 0.5 });
    const rng = seededRng(9);
    const methods: string[] = [];
    for (let step = 0; step < 12; step++) {
      const ours = cutmix.mix(x, y);
      const theirs = mixupOrCutmix(x, y, { rng, mixupAlpha: 0.4, switchProb: 0.5 });
      expect(ours.method).toBe(theirs.method);
      expect(Array.from(ours.lam)).toEqual(Array.from(theirs.lam));
      expect(Array.from(ours.images.dataSync())).toEqual(Array.from(theirs.images.dataSync()));
      methods.push(ours.method);
      tf.dispose([ours.images, theirs.images, theirs.labelsA, theirs.labelsB]);
    }
    expect(new Set(methods)).toEqual(new Set(['cutmix', 'mixup']));
    const off = cutmix.mix(x, y, { training: false });
    expect(off.method).toBe('none');
    tf.dispose([x, y, off.images]);
    cutmix.dispose();
  });

  it('defaults and the boundary match mixupOrCutmix: switchProb 0.5, and a draw equal to it is MixUp', () => {
    const [x, y] = [images(), indices()];
    const ours = new CutMix({ seed: 21, mixupAlpha: 0.4 });
    const rng = seededRng(21);
    for (let step = 0; step < 12; step++) {
      const a = ours.mix(x, y);
      const b = mixupOrCutmix(x, y, { rng, mixupAlpha: 0.4 });
      expect(a.method).toBe(b.method);
      tf.dispose([a.images, b.images, b.labelsA, b.labelsB]);
    }
    ours.dispose();
    const edge = new CutMix({ rng: () => 0.5, switchProb: 0.5 });
    const [a, b] = [edge.mix(x, y), mixupOrCutmix(x, y, { rng: () => 0.5, switchProb: 0.5 })];
    expect([a.method, b.method]).toEqual(['mixup', 'mixup']);
    tf.dispose([x, y, a.images, b.images, b.labelsA, b.labelsB]);
    edge.dispose();
  });

  it('switchProb 0 is always MixUp, 1 always CutMix; without the switch, always CutMix', () => {
    const [x, y] = [images(), indices()];
    for (const [options, method] of [
      [{ seed: 1, switchProb: 0 }, 'mixup'],
      [{ seed: 1, mixupAlpha: 1, switchProb: 1 }, 'cutmix'],
      [{ seed: 1 }, 'cutmix'],
    ] as const) {
      const cutmix = new CutMix(options);
      for (let i = 0; i < 3; i++) {
        const r = cutmix.mix(x, y);
        expect(r.method).toBe(method);
        tf.dispose(r.images);
      }
      cutmix.dispose();
    }
    tf.dispose([x, y]);
  });

  it('the switch refuses what MixUp cannot do, on every call and before any draw', () => {
    const [x, y] = [images(2), indices(2)];
    const ints = tf.zeros([2, 1, 8, 8], 'int32');
    const masks = tf.zeros([2, 1, 8, 8], 'int32');
    let draws = 0;
    const cutmix = new CutMix({ rng: () => (draws++, 0.3), mixupAlpha: 1 });
    try {
      expectThrowsNoLeak(
        () => cutmix.mix(ints, y),
        'Error in CutMix.mix: images.dtype must be float32 (MixUp blends pixel values; cast integer images with tf.cast first), but got int32.',
      );
      expectThrowsNoLeak(
        () => cutmix.mix(x, y, { masks }),
        'Error in CutMix.mix: options.masks must be omitted while MixUp is on (a blend has no cut to apply to them; set switchProb: 1), but got a value.',
      );
      expect(draws).toBe(0);
      expectThrowsNoLeak(
        () => new CutMix({ switchProb: 0.5, box: { y1: 0, x1: 0, y2: 1, x2: 1 } }),
        "Error in CutMix: options.box must be omitted when options.switchProb turns MixUp on (a given box is CutMix's alone), but got both.",
      );
      expectThrowsNoLeak(
        () => new CutMix({ mixupAlpha: 0 }),
        'Error in CutMix: options.mixupAlpha must be a finite number > 0, but got 0.',
      );
    } finally {
      cutmix.dispose();
      tf.dispose([x, y, ints, masks]);
    }
  });

  it('labels may be omitted: a masks-only batch mixes with no label outputs, and loss says why it cannot score', () => {
    const x = images(4);
    const masks = tf.tidy(() => tf.cast(tf.greater(x, 0.5), 'int32'));
    const cutmix = new CutMix({ seed: 2 });
    const twin = new CutMix({ seed: 2 });
    const [y, logits] = [indices(4), logitsFor(4)];
    for (const labels of [undefined, null]) {
      const r = cutmix.mix(x, labels, { masks });
      expect('labelsA' in r || 'labelsB' in r).toBe(false);
      const expectedMasks = tf.tidy(() => tf.cast(tf.greater(r.images, 0.5), 'int32'));
      expect(Array.from(r.masks.dataSync())).toEqual(Array.from(expectedMasks.dataSync()));
      expectedMasks.dispose();
      const withLabels = twin.mix(x, y, { masks });
      expect(Array.from(r.images.dataSync())).toEqual(Array.from(withLabels.images.dataSync()));
      expectThrowsNoLeak(
        () => cutmix.loss(logits),
        'Error in CutMix.loss: the last mix must have labels to score, but got a batch mixed without labels.',
      );
      tf.dispose([r.images, r.masks, withLabels.images, withLabels.masks]);
    }
    tf.dispose([x, masks, y, logits]);
    cutmix.dispose();
    twin.dispose();
  });

  it('the ops take omitted labels too and draw exactly what the labelled call draws', () => {
    const x = images(4);
    const y = indices(4);
    const plain = cutmixBatch(x, y, { seed: 5, mode: 'elem' });
    for (const labels of [undefined, null]) {
      const r = cutmixBatch(x, labels, { seed: 5, mode: 'elem' });
      expect(Object.keys(r).sort()).toEqual(['boxes', 'images', 'lam', 'partners']);
      expect(r.boxes).toEqual(plain.boxes);
      expect(Array.from(r.images.dataSync())).toEqual(Array.from(plain.images.dataSync()));
      tf.dispose(r.images);
    }
    tf.dispose([x, y, plain.images, plain.labelsA, plain.labelsB]);
  });
});

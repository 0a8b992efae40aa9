import * as tf from '@tensorflow/tfjs-core';
// Registers the gradients optimizer.minimize needs, and builds a real model.
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  CutMix,
  cutmixBatch,
  cutmixLoss,
  seededRng,
  softmaxCrossEntropyPerSample,
  type CutMixAdapterOptions,
  type Box,
} from '../../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

function batch(n = 6, dataFormat: 'NCHW' | 'NHWC' = 'NCHW') {
  const shape: [number, number, number, number] = dataFormat === 'NCHW' ? [n, 1, 6, 5] : [n, 6, 5, 1];
  const images = tf.tensor4d(
    Float32Array.from({ length: n * 30 }, (_, i) => i + 1),
    shape,
  );
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % 4),
    'int32',
  );
  return { images, labels };
}

const logitsFor = (n: number) =>
  tf.tensor2d(
    Float32Array.from({ length: n * 4 }, (_, i) => Math.sin(3 * i)),
    [n, 4],
  );

describeEachBackend('CutMix adapter', () => {
  it('mix is cutmixBatch on one stream owned by the adapter: new boxes each call, repeatable per seed', () => {
    const { images, labels } = batch();
    const cutmix = new CutMix({ seed: 7, mode: 'elem' });
    const twin = new CutMix({ seed: 7, mode: 'elem' });
    const other = new CutMix({ seed: 8, mode: 'elem' });
    const rng = seededRng(7);
    const boxesSeen: string[] = [];
    for (let step = 0; step < 3; step++) {
      const got = cutmix.mix(images, labels);
      const want = cutmixBatch(images, labels, { rng, mode: 'elem' });
      expect(got.boxes).toEqual(want.boxes);
      expect(Array.from(got.lam)).toEqual(Array.from(want.lam));
      expect(Array.from(got.images.dataSync())).toEqual(Array.from(want.images.dataSync()));
      expect(Array.from(got.labelsB.dataSync())).toEqual(Array.from(want.labelsB.dataSync()));
      const t = twin.mix(images, labels);
      expect(t.boxes).toEqual(got.boxes);
      boxesSeen.push(JSON.stringify(got.boxes));
      const o = other.mix(images, labels);
      expect(JSON.stringify(o.boxes)).not.toBe(JSON.stringify(got.boxes));
      // The caller owns images (from every adapter) and the cutmixBatch result.
      tf.dispose([got.images, want.images, want.labelsA, want.labelsB, o.images, t.images]);
    }
    expect(new Set(boxesSeen).size).toBe(3);
    [cutmix, twin, other].forEach((c) => c.dispose());
    tf.dispose([images, labels]);
  });

  it('loss equals cutmixLoss on the kept labels and λ', () => {
    const { images, labels } = batch();
    const cutmix = new CutMix({ seed: 3, mode: 'elem' });
    const logits = logitsFor(6);
    const mixed = cutmix.mix(images, labels);
    const loss = cutmix.loss(logits);
    const direct = cutmixLoss(logits, mixed.labelsA, mixed.labelsB, mixed.lam);
    expect(loss.dataSync()[0]).toBe(direct.dataSync()[0]);
    // A custom per-sample loss is passed through.
    const halfCe = (y: tf.Tensor, l: tf.Tensor2D) =>
      tf.tidy(() => tf.mul(softmaxCrossEntropyPerSample(y, l), 0.5)) as tf.Tensor1D;
    const half = cutmix.loss(logits, halfCe);
    expect(half.dataSync()[0]).toBeCloseTo(direct.dataSync()[0] / 2, 6);
    cutmix.dispose();
    tf.dispose([images, labels, logits, mixed.images, loss, direct, half]);
  });

  it('evaluation passes the batch through untouched, draws nothing, and loss is the plain mean CE', () => {
    const { images, labels } = batch(5, 'NHWC');
    const cutmix = new CutMix({ seed: 5, dataFormat: 'NHWC' });
    const fresh = new CutMix({ seed: 5, dataFormat: 'NHWC' });
    const logits = logitsFor(5);
    for (const evalMix of [
      () => cutmix.mix(images, labels, { training: false }),
      () => {
        cutmix.training = false;
        const r = cutmix.mix(images, labels);
        cutmix.training = true;
        return r;
      },
    ]) {
      const r = evalMix();
      expect(r.images).not.toBe(images); // a clone: the caller may always dispose it
      expect(Array.from(r.images.dataSync())).toEqual(Array.from(images.dataSync()));
      expect(Array.from(r.lam)).toEqual([1, 1, 1, 1, 1]);
      expect(Array.from(r.partners)).toEqual([0, 1, 2, 3, 4]);
      expect((r.boxes as Box[]).every((b) => b.y1 === b.y2 || b.x1 === b.x2)).toBe(true);
      const loss = cutmix.loss(logits);
      const plain = tf.tidy(() => tf.mean(softmaxCrossEntropyPerSample(labels, logits)));
      const stock = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 4), logits));
      expect(loss.dataSync()[0]).toBeCloseTo(plain.dataSync()[0], 6);
      expect(loss.dataSync()[0]).toBeCloseTo(stock.dataSync()[0], 5);
      tf.dispose([r.images, loss, plain, stock]);
    }
    // Evaluation drew nothing: the next training batch is the stream's first.
    const a = cutmix.mix(images, labels);
    const b = fresh.mix(images, labels);
    expect(a.boxes).toEqual(b.boxes);
    expect(Array.from(a.images.dataSync())).toEqual(Array.from(b.images.dataSync()));
    cutmix.dispose();
    fresh.dispose();
    tf.dispose([images, labels, logits, a.images, b.images]);
  });

  it('keeps two tensors between steps, releases them on the next mix and on dispose; survives tf.tidy', () => {
    const { images, labels } = batch();
    const base = tf.memory().numTensors;
    const cutmix = new CutMix({ seed: 1 });
    const first = cutmix.mix(images, labels);
    expect(tf.memory().numTensors - base).toBe(3); // images (caller's) + labelsA/labelsB (kept)
    first.images.dispose();
    const second = cutmix.mix(images, labels);
    second.images.dispose();
    expect(first.labelsA.isDisposed && first.labelsB.isDisposed).toBe(true);
    expect(tf.memory().numTensors - base).toBe(2);

    const logits = logitsFor(6);
    const inside = tf.tidy(() => {
      const { images: mixed } = cutmix.mix(images, labels);
      return cutmix.loss(tf.add(logits, tf.mul(tf.mean(mixed), 0)) as tf.Tensor2D);
    });
    // The tidy released the mixed images; the kept labels outlived it and still score a loss.
    expect(tf.memory().numTensors - base).toBe(2 + 2);
    const after = cutmix.loss(logits);
    expect(after.dataSync()[0]).toBeCloseTo(inside.dataSync()[0], 6);
    cutmix.dispose();
    expect(tf.memory().numTensors - base).toBe(3); // logits, inside, after
    tf.dispose([inside, after, logits, images, labels]);
  });

  it('trains a tfjs-layers model inside optimizer.minimize with a flat tensor count across steps', () => {
    const n = 8;
    const { images, labels } = batch(n, 'NHWC');
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [6, 5, 1] }),
        tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      ],
    });
    const optimizer = tf.train.adam(0.01);
    const cutmix = new CutMix({ seed: 2, dataFormat: 'NHWC' });
    const counts: number[] = [];
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) {
      const cost = optimizer.minimize(() => {
        const { images: mixed } = cutmix.mix(images, labels);
        return cutmix.loss(model.apply(mixed, { training: true }) as tf.Tensor2D);
      }, true) as tf.Scalar;
      losses.push(cost.dataSync()[0]);
      cost.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    // After the first step (optimizer slots created), each step leaves exactly as many tensors as before it.
    expect(new Set(counts.slice(1)).size).toBe(1);
    cutmix.dispose();
    expect(tf.memory().numTensors).toBe(counts[5] - 2);
    model.dispose();
    optimizer.dispose();
    tf.dispose([images, labels]);
  });

  it('rejects bad input with exact messages, leaking nothing', () => {
    const { images, labels } = batch(2);
    const rank3 = tf.zeros([2, 6, 5]);
    const rank2 = tf.zeros([2, 6]);
    const logits3 = logitsFor(3);
    const fresh = new CutMix();
    const cutmix = new CutMix({ seed: 1 });
    const mixed = cutmix.mix(images, labels);
    const cases: [() => unknown, string][] = [
      [
        () => new CutMix({ alhpa: 1 } as CutMixAdapterOptions),
        "Error in CutMix: options key 'alhpa' must be one of alpha, rng, seed, mode, partner, partners, lam, prob, dataFormat, box, placement, ratioMinMax, correctLam, training, minVisible, numClasses, labelSmoothing, mixupAlpha, switchProb, but got an unknown key.",
      ],
      [() => new CutMix({ alpha: -1 }), 'Error in CutMix: options.alpha must be a finite number > 0, but got -1.'],
      [
        () => new CutMix({ alpha: null } as never),
        'Error in CutMix: options.alpha must be a finite number > 0, but got null.',
      ],
      [
        () => new CutMix({ mode: 'pairs' } as never),
        "Error in CutMix: options.mode must be one of 'batch', 'elem', 'pair', but got \"pairs\".",
      ],
      [
        () => new CutMix({ training: 'yes' as never }),
        'Error in CutMix: options.training must be a boolean, but got "yes".',
      ],
      [
        () => new CutMix({ seed: Infinity }),
        'Error in CutMix: options.seed must be a finite number, but got Infinity.',
      ],
      [
        () => {
          cutmix.training = 1 as never;
        },
        'Error in CutMix.training: the assigned value must be a boolean, but got 1.',
      ],
      [
        () => cutmix.mix(rank2 as never, labels),
        'Error in CutMix.mix: images must be rank 3 (NCW), 4 (NCHW) or 5 (NCDHW), but got rank 2.',
      ],
      [
        () => cutmix.mix(rank2 as never, labels, { training: false }),
        'Error in CutMix.mix: images must be rank 3 (NCW), 4 (NCHW) or 5 (NCDHW), but got rank 2.',
      ],
      [() => cutmix.mix(images, logits3), 'Error in CutMix.mix: labels must have 2 rows to match images, but got 3.'],
      [
        () => cutmix.mix(images, labels, { train: false } as never),
        'Error in CutMix.mix: options.train must be a tf.Tensor to cut with the images (an extra target; the other options are training and objects), but got false.',
      ],
      [
        () => cutmix.mix(images, labels, { training: null } as never),
        'Error in CutMix.mix: options.training must be a boolean, but got null.',
      ],
      [
        () => fresh.loss(logits3),
        'Error in CutMix.loss: mix(images, labels) must be called before loss, but got no mixed batch.',
      ],
      [
        () => cutmix.loss(logits3),
        'Error in CutMix.loss: logits must have 2 rows to match the last mixed batch, but got 3.',
      ],
      [() => cutmix.loss(rank3 as never), 'Error in CutMix.loss: logits must be rank 2 ([N, K]), but got rank 3.'],
    ];
    for (const [fn, message] of cases) expectThrowsNoLeak(fn, message);
    cutmix.dispose();
    expectThrowsNoLeak(
      () => cutmix.loss(logits3),
      'Error in CutMix.loss: mix(images, labels) must be called before loss, but got no mixed batch.',
    );
    tf.dispose([images, labels, rank3, rank2, logits3, mixed.images]);
  });
});

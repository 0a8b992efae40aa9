import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { fgsmDirection, occlusionMask } from '../../docs/examples/demo/evaluate.js';
import { score } from '../../docs/examples/demo/metrics.js';
import { batchOf, loadDigits } from '../../docs/examples/demo/mnist.js';
import { buildCnn, cloneCnn } from '../../docs/examples/demo/model.js';
import { caption } from '../../docs/examples/demo/picture.js';
import { pairedDifference, tInterval } from '../../docs/examples/demo/stats.js';
import { streamSeed, trainArm, type Arm } from '../../docs/examples/demo/train.js';
import '../../src/wasm-grad.js';
import { softmaxCrossEntropyPerSample, seededRng } from 'tfjs-cutmix';
import { useBackend } from '../support/backends.js';

describe('demo: data', () => {
  it('training, test and validation digits: disjoint, of the sizes asked, every class equally', () => {
    const sets = loadDigits(100, 500, seededRng(42));
    const hash = (pixels: Float32Array, i: number) => {
      const bits = new Uint32Array(pixels.buffer, pixels.byteOffset + i * 784 * 4, 784);
      let h = 2166136261;
      for (const b of bits) h = Math.imul(h ^ b, 16777619);
      return h;
    };
    const seen = new Map<number, string>();
    for (const [name, d, perClass] of [
      ['train', sets.train, 100],
      ['test', sets.test, 500],
      ['validation', sets.validation, 100],
    ] as const) {
      expect(d.n, name).toBe(10 * perClass);
      for (let c = 0; c < 10; c++) expect(d.labels.filter((l) => l === c).length, `${name} ${c}`).toBe(perClass);
      for (let i = 0; i < d.n; i++) {
        const h = hash(d.pixels, i);
        if (seen.has(h) && seen.get(h) !== name) throw new Error(`a ${name} digit is also in ${seen.get(h)}`);
        seen.set(h, name);
      }
    }
    expect(() => loadDigits(101, 500, seededRng(1))).toThrow(/at most 600/);
  });
});

describe('demo: occlusion masks', () => {
  const zeros = (m: Float32Array) => m.reduce((a, v) => a + (v === 0 ? 1 : 0), 0);
  it('centre zeroes the centred s×s square, boundary everything else', () => {
    for (const s of [0, 1, 4, 5, 13, 27, 28]) {
      const centre = occlusionMask('centre', s);
      const boundary = occlusionMask('boundary', s);
      expect(zeros(centre)).toBe(s * s);
      expect(zeros(boundary)).toBe(784 - s * s);
      centre.forEach((v, i) => expect(v + boundary[i]).toBe(1));
    }
    // s = 4: rows and columns 12…15, the middle of 0…27.
    const m = occlusionMask('centre', 4);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) expect(m[y * 28 + x]).toBe(y >= 12 && y < 16 && x >= 12 && x < 16 ? 0 : 1);
    }
    // An odd side leaves the extra row and column after the square: s = 5 spans 11…15.
    expect(occlusionMask('centre', 5)[11 * 28 + 11]).toBe(0);
    expect(occlusionMask('centre', 5)[16 * 28 + 16]).toBe(1);
    expect(occlusionMask('centre', 5)[10 * 28 + 10]).toBe(1);
  });

  it('refuses a side outside 0…28', () => {
    for (const s of [-1, 29, 2.5, NaN])
      expect(() => occlusionMask('centre', s)).toThrow(/s must be an integer in \[0, 28\]/);
  });
});

describe('demo: intervals', () => {
  it('tInterval is mean ± t(0.975, n−1)·sd/√n', () => {
    const iv = tInterval([1, 2, 3]);
    // sd = 1, t(0.975, 2) = 4.302653
    expect(iv.mean).toBe(2);
    expect(iv.high - iv.mean).toBeCloseTo(4.302653 / Math.sqrt(3), 5);
    expect(iv.mean - iv.low).toBeCloseTo(4.302653 / Math.sqrt(3), 5);
    const ten = tInterval([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
    // mean 3.9, sd 2.4698178, t(0.975, 9) = 2.2621572
    expect(ten.high - ten.mean).toBeCloseTo((2.2621572 * 2.4698178) / Math.sqrt(10), 5);
    expect(Number.isNaN(tInterval([5]).low)).toBe(true);
    expect(() => tInterval([])).toThrow();
  });

  it('pairedDifference takes the interval of the per-seed differences, not of two means', () => {
    // Large spread between seeds, constant difference: the paired interval has zero width.
    const d = pairedDifference([10, 20, 30, 40], [9, 19, 29, 39]);
    expect([d.mean, d.low, d.high]).toEqual([1, 1, 1]);
    expect(() => pairedDifference([1, 2], [1])).toThrow(/paired values must match/);
  });
});

describe('demo: scores', () => {
  it('captions give the two labels and weights that sum to 1', () => {
    expect(caption({ labelA: 7, labelB: 3, lam: 0.62 })).toBe('7 ·0.62 + 3 ·0.38');
    expect(caption({ labelA: 1, labelB: 1, lam: 1 })).toBe('1 ·1.00 + 1 ·0.00');
    expect(caption({ labelA: 0, labelB: 9, lam: 0.125 })).toBe('0 ·0.13 + 9 ·0.87');
  });

  it('score: accuracy, NLL and 15-bin ECE on hand-checked cases', () => {
    // Two samples, both predicted with confidence 0.8; one right, one wrong: one bin, |0.5 − 0.8| = 0.3.
    const s = score(new Float32Array([0.8, 0.2, 0.8, 0.2]), new Int32Array([0, 1]), 2);
    expect(s.accuracy).toBe(0.5);
    expect(s.loss).toBeCloseTo((-Math.log(0.8) - Math.log(0.2)) / 2, 6);
    expect(s.ece).toBeCloseTo(0.3, 6);
    const sure = score(new Float32Array([0, 1, 1, 0]), new Int32Array([1, 0]), 2);
    expect([sure.accuracy, sure.ece]).toEqual([1, 0]);
    const two = score(new Float32Array([0.6, 0.4, 0.05, 0.95]), new Int32Array([0, 0]), 2);
    expect(two.ece).toBeCloseTo((0.4 + 0.95) / 2, 6);
  });
});

describe('demo: FGSM direction', () => {
  const digits = loadDigits(3, 2, seededRng(1)).train;
  const naive = (model: tfl.Sequential, xs: tf.Tensor4D, ys: tf.Tensor1D) =>
    tf.tidy(() => tf.sign(tf.grad((x) => tf.sum(softmaxCrossEntropyPerSample(ys, model.apply(x) as tf.Tensor2D)))(xs)));

  it('is sign(∇ₓ cross-entropy) where that gradient is not rounded away, and not 0 where it is', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    const model = buildCnn(5);
    const { xs, ys } = batchOf(
      digits,
      Array.from({ length: digits.n }, (_, i) => i),
    );
    const stable = fgsmDirection(model, xs, ys);
    const plain = naive(model, xs, ys);
    // An untrained model is far from saturated: both directions agree everywhere.
    expect(Array.from(await stable.data())).toEqual(Array.from(await plain.data()));
    // Scale the logits by 10⁶ (the last layer's weights) and label every digit as the model predicts it:
    // softmax saturates to exactly 1 in float32, the naive gradient vanishes, the direction does not.
    const weights = model.getWeights();
    const scaled = weights.map((w, i) => (i >= weights.length - 2 ? tf.mul(w, 1e6) : tf.clone(w)));
    model.setWeights(scaled);
    const predicted = tf.tidy(() => tf.cast(tf.argMax(model.apply(xs) as tf.Tensor2D, 1), 'int32')) as tf.Tensor1D;
    const stableSat = fgsmDirection(model, xs, predicted);
    const plainSat = naive(model, xs, predicted);
    const share = async (t: tf.Tensor) => Array.from(await t.data()).filter((v) => v !== 0).length / t.size;
    expect(await share(plainSat)).toBeLessThan(0.02);
    expect(await share(stableSat)).toBeGreaterThan(0.2);
    tf.dispose([xs, ys, predicted, stable, plain, stableSat, plainSat, ...scaled]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('demo: the arms share initial weights and batch order', () => {
  it('the two CNNs have the weights docs/demo.md states; a clone holds the same weights', async () => {
    await useBackend('wasm');
    for (const [kind, count] of [
      ['strided', 7018],
      ['pooled', 5258],
    ] as const) {
      const model = buildCnn(3, kind);
      const copy = cloneCnn(model, kind);
      expect(model.countParams()).toBe(count);
      const [a, b] = [model, copy].map((m) => m.getWeights().map((w) => Array.from(w.dataSync())));
      expect(b).toEqual(a);
      model.dispose();
      copy.dispose();
    }
  });

  it('MixUp and CutMix with prob 0 train to the plain weights (same start, same batches)', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const data = loadDigits(4, 1, seededRng(3)).train;
    const settings = {
      epochs: 2,
      batchSize: 16,
      learningRate: 0.002,
      mixup: { alpha: 1, prob: 0 },
      cutmix: { alpha: 1, prob: 0 },
    };
    const initial = buildCnn(streamSeed(7, 'weights'));
    const weights: Float32Array[][] = [];
    for (const arm of ['plain', 'mixup', 'cutmix'] as Arm[]) {
      const model = cloneCnn(initial);
      await trainArm(arm, model, data, settings, 7);
      weights.push(model.getWeights().map((w) => w.dataSync() as Float32Array));
      model.dispose();
    }
    // A different seed draws a different batch order: not the same weights.
    const other = cloneCnn(initial);
    await trainArm('plain', other, data, settings, 8);
    const otherWeights = other.getWeights().map((w) => w.dataSync() as Float32Array);
    other.dispose();
    initial.dispose();
    for (const arm of [1, 2]) {
      weights[arm].forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(weights[0][i][j], 5)));
    }
    expect(otherWeights[0].some((v, j) => Math.abs(v - weights[0][0][j]) > 1e-4)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { cutmixBatch, mixTargets, randBbox, seededRng, type CutMixResult } from '../../src/index.js';
import { describeEachBackend } from '../support/backends.js';
import { range } from '../support/reference.js';

describeEachBackend('large and odd batches', (backend) => {
  it('256×3×224×224 float32 (154 MB): correct, and peak tensor memory ≤ input + 1 output + 10 %', async () => {
    const shape: [number, number, number, number] = [256, 3, 224, 224];
    const size = shape.reduce((a, b) => a * b);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i += 997) values[i] = i; // sparse marks: cheap to fill, still checkable
    const images = tf.tensor4d(values, shape);
    const labels = tf.tensor1d(
      Int32Array.from({ length: 256 }, (_, i) => i % 10),
      'int32',
    );
    const inputBytes = size * 4;
    const bytesBefore = tf.memory().numBytes;
    let out: CutMixResult | undefined;
    const profile = await tf.profile(() => {
      out = cutmixBatch(images, labels, { seed: 3, mode: 'elem' });
      return out.images;
    });
    const overhead = profile.peakBytes - bytesBefore;
    expect(bytesBefore).toBeGreaterThanOrEqual(inputBytes);
    // Beyond the input already held: one output batch, plus ≤ 10 % of it for labels and scratch.
    expect(overhead).toBeLessThanOrEqual(inputBytes * 1.1);
    const got = out!.images.dataSync();
    // Spot-check a pasted and a kept element of every sample against the definition.
    const plane = 224 * 224;
    for (let s = 0; s < 256; s++) {
      const b = out!.boxes[s];
      const p = out!.partners[s];
      for (let ch = 0; ch < 3; ch++) {
        if (b.y2 > b.y1 && b.x2 > b.x1) {
          const at = b.y1 * 224 + b.x1;
          expect(got[(s * 3 + ch) * plane + at]).toBe(values[(p * 3 + ch) * plane + at]);
        }
        const corner = b.y1 === 0 && b.x1 === 0 && b.y2 > 0 && b.x2 > 0 ? 224 * 224 - 1 : 0;
        const inside =
          Math.floor(corner / 224) >= b.y1 &&
          Math.floor(corner / 224) < b.y2 &&
          corner % 224 >= b.x1 &&
          corner % 224 < b.x2;
        if (!inside) expect(got[(s * 3 + ch) * plane + corner]).toBe(values[(s * 3 + ch) * plane + corner]);
      }
    }
    tf.dispose([images, labels, out!.images, out!.labelsA, out!.labelsB]);
  }, 120_000);

  it('N = 1, H = 1 and W = 1 batches, boxes covering all or nothing, λ exactly 0 or 1 give the documented results', () => {
    for (const [h, w] of [
      [1, 1],
      [1, 7],
      [7, 1],
      [5, 6],
    ] as const) {
      const images = tf.tensor4d(range(3 * 2 * h * w), [3, 2, h, w]);
      const labels = tf.tensor1d([0, 1, 2], 'int32');
      const src = images.dataSync();
      const per = 2 * h * w;
      // λ = 1: nothing pasted, an exact copy.
      const one = cutmixBatch(images, labels, { lam: 1, seed: 1 });
      expect(Array.from(one.lam)).toEqual([1, 1, 1]);
      expect(one.images.dataSync()).toEqual(src);
      // λ = 0 with 'inside': the whole image comes from the partner, λ stays 0.
      const zero = cutmixBatch(images, labels, { lam: 0, seed: 1, placement: 'inside', partner: 'roll' });
      expect(Array.from(zero.lam)).toEqual([0, 0, 0]);
      const rolled = [2, 0, 1].flatMap((p) => Array.from(src.slice(p * per, (p + 1) * per)));
      expect(Array.from(zero.images.dataSync())).toEqual(rolled);
      // λ = 0 with the paper's centre-and-clip: the realised λ is the truth (a 1-pixel axis cannot be cut:
      // ⌊1/2⌋ = 0 either side of the centre).
      const clipped = cutmixBatch(images, labels, { lam: 0, seed: 1 });
      const b = clipped.boxes[0];
      expect(clipped.lam[0]).toBe(Math.fround(1 - ((b.y2 - b.y1) * (b.x2 - b.x1)) / (h * w)));
      if (h === 1 || w === 1) expect(clipped.lam[0]).toBe(1);
      // A whole-image box: targets are exactly the partner's one-hot.
      const whole = cutmixBatch(images, labels, { box: { y1: 0, x1: 0, y2: h, x2: w }, partner: 'flip' });
      const targets = mixTargets(whole.labelsA, whole.labelsB, whole.lam, { numClasses: 3 });
      expect(targets.arraySync()).toEqual([
        [0, 0, 1],
        [0, 1, 0],
        [1, 0, 0],
      ]);
      tf.dispose([
        images,
        labels,
        targets,
        ...[one, zero, clipped, whole].flatMap((r) => [r.images, r.labelsA, r.labelsB]),
      ]);
    }
    // N = 1: the only partner is itself, whatever the scheme.
    const single = tf.tensor4d(range(4), [1, 1, 2, 2]);
    const label = tf.tensor2d([[0.2, 0.8]]);
    for (const partner of ['permutation', 'flip', 'roll'] as const) {
      const out = cutmixBatch(single, label, { partner, lam: 0, placement: 'inside' });
      expect(Array.from(out.partners)).toEqual([0]);
      expect(out.images.dataSync()).toEqual(single.dataSync());
      expect(out.labelsB.arraySync()).toEqual(label.arraySync());
      tf.dispose([out.images, out.labelsA, out.labelsB]);
    }
    tf.dispose([single, label]);
    expect(backend).toMatch(/cpu|wasm/);
  });

  it('randBbox on 1-pixel axes stays inside and keeps λ exact', () => {
    const rng = seededRng(4);
    for (let i = 0; i < 200; i++) {
      for (const [h, w] of [
        [1, 1],
        [1, 9],
        [9, 1],
      ]) {
        const { box, lam } = randBbox(h, w, rng(), rng, { placement: i % 2 ? 'inside' : 'center-clip' });
        expect(box.y2 <= h && box.x2 <= w && box.y1 >= 0 && box.x1 >= 0).toBe(true);
        expect(lam).toBe(1 - ((box.y2 - box.y1) * (box.x2 - box.x1)) / (h * w));
      }
    }
  });
});

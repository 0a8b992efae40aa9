import * as tf from '@tensorflow/tfjs-core';
// Registers the gradients tf.grad needs through the multiply.
import '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { cutmixBatch, cutmixLoss, cutmixObjects, CutMix } from '../../src/index.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

// Defects an adversarial review found, each pinned where the fix lives.

describeEachBackend('review regressions', () => {
  it('the gradient routes by the plan as pasted, even if the caller edits the returned partners', () => {
    const x = tf.tensor4d(
      Float32Array.from({ length: 3 * 4 }, (_, i) => i),
      [3, 1, 2, 2],
    );
    const y = tf.tensor1d([0, 1, 2], 'int32');
    const w = tf.tensor4d([1, 1, 1, 1, 10, 10, 10, 10, 100, 100, 100, 100], [3, 1, 2, 2]);
    const full = { y1: 0, x1: 0, y2: 2, x2: 2 };
    const gradient = (edit: boolean) =>
      tf.grad((v: tf.Tensor) => {
        const m = cutmixBatch(v as tf.Tensor4D, y, { box: full, partners: [1, 2, 0] });
        const out = tf.mul(m.images, w);
        if (edit) m.partners.fill(0);
        return out;
      })(x);
    const [plain, edited] = [gradient(false), gradient(true)];
    expect(Array.from(edited.dataSync())).toEqual(Array.from(plain.dataSync()));
    expect(Array.from(plain.dataSync()).filter((_, i) => i % 4 === 0)).toEqual([100, 1, 10]);
    tf.dispose([x, y, w, plain, edited]);
  });

  it('an empty batch has a loss of exactly 0 (wasm sums nothing to leftover memory)', () => {
    const logits = tf.zeros([0, 3]) as tf.Tensor2D;
    const none = tf.zeros([0], 'int32');
    const loss = cutmixLoss(logits, none, none, new Float32Array(0));
    expect(loss.dataSync()[0]).toBe(0);
    const cutmix = new CutMix();
    const images = tf.zeros([0, 1, 2, 2]);
    const r = cutmix.mix(images, none);
    const adapterLoss = cutmix.loss(logits);
    expect(adapterLoss.dataSync()[0]).toBe(0);
    tf.dispose([logits, none, loss, images, r.images, adapterLoss]);
    cutmix.dispose();
  });

  it('object boxes need a 2-D plan: a 3-D box is refused, not read as 2-D', () => {
    const plan = { boxes: [{ z1: 5, y1: 0, x1: 0, z2: 6, y2: 8, x2: 8 }], partners: [0] };
    expectThrowsNoLeak(
      () => cutmixObjects([[{ y1: 0, x1: 0, y2: 4, x2: 4 }]], plan as never),
      'Error in cutmixObjects: plan.boxes[0] must be a 2-D box { y1, x1, y2, x2 } (object boxes need a plan for a 2-D batch), but got {z1, y1, x1, z2, y2, x2}.',
    );
  });

  it('labels with no class column are refused where they enter', () => {
    const images = tf.zeros([2, 1, 2, 2]);
    const labels = tf.zeros([2, 0]);
    expectThrowsNoLeak(
      () => cutmixBatch(images, labels),
      'Error in cutmixBatch: labels must have at least one class column, but got 0.',
    );
    tf.dispose([images, labels]);
  });
});

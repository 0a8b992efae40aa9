import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { CutMix } from '../../src/index.js';
import { useBackend } from '../support/backends.js';

// The CutMix class across its life: odd targets, very large batches, and a backend removed under it.

describe('CutMix across its life', () => {
  it('rejects an extra target named like a result field, before anything is made', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    const xs = tf.zeros([2, 4, 4, 3]);
    const ys = tf.tensor1d([0, 1], 'int32');
    const masks = tf.zeros([2, 4, 4, 1], 'int32');
    const cutmix = new CutMix({ seed: 1, dataFormat: 'NHWC' });
    for (const name of ['images', 'labelsA', 'labelsB', 'lam', 'boxes', 'partners', 'method']) {
      expect(() => cutmix.mix(xs, ys, { [name]: masks })).toThrow(
        new Error(
          `Error in CutMix.mix: options.${name} must be named apart from the result's own fields (images, labelsA, labelsB, lam, boxes, partners, method), but got a clash.`,
        ),
      );
    }
    // An explicit undefined is an absent target.
    const r = cutmix.mix(xs, ys, { masks: undefined });
    expect(Object.keys(r)).not.toContain('masks');
    tf.dispose([xs, ys, masks, r.images]);
    cutmix.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes a batch of 200 000 class-index labels (no spread of the labels into arguments)', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    const n = 200_000;
    const xs = tf.zeros([n, 1, 1, 2]);
    const ys = tf.tensor1d(
      Int32Array.from({ length: n }, (_, i) => i % 7),
      'int32',
    );
    const cutmix = new CutMix({ seed: 2 });
    const r = cutmix.mix(xs, ys);
    const logits = tf.zeros([n, 7]) as tf.Tensor2D;
    const loss = cutmix.loss(logits);
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    const narrow = tf.zeros([n, 6]) as tf.Tensor2D;
    expect(() => cutmix.loss(narrow)).toThrow('Error in CutMix.loss: logits must have more than 6 columns');
    tf.dispose([xs, ys, r.images, logits, narrow, loss]);
    cutmix.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stays usable after the backend of its kept labels is removed', async () => {
    await useBackend('wasm');
    const cutmix = new CutMix({ seed: 3 });
    const xs = tf.zeros([2, 1, 4, 4]);
    const ys = tf.tensor1d([0, 1], 'int32');
    tf.dispose([cutmix.mix(xs, ys).images, xs, ys]);
    await useBackend('cpu');
    tf.removeBackend('wasm');
    // Disposing the lost labels may fail inside tfjs; the adapter forgets them first either way.
    try {
      cutmix.dispose();
    } catch {
      // tfjs cannot free data whose backend is gone
    }
    const before = tf.memory().numTensors;
    const xs2 = tf.zeros([2, 1, 4, 4]);
    const ys2 = tf.tensor1d([0, 1], 'int32');
    const r = cutmix.mix(xs2, ys2);
    const logits = tf.zeros([2, 2]) as tf.Tensor2D;
    const loss = cutmix.loss(logits);
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    tf.dispose([xs2, ys2, r.images, logits, loss]);
    cutmix.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

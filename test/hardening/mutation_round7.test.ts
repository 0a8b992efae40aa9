import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  CutMix,
  cutmixBatch,
  cutmixLoss,
  cutmixObjects,
  randBbox,
  randBox,
  sampleLambda,
  type PerSampleLoss,
} from '../../src/index.js';
import { BLOCK_INTS, blockTable, pasteGeometry, runsOf } from '../../src/kernels/geometry.js';
import { webgpuPastePlan } from '../../src/kernels/webgpu.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

// Tests that kill the survivors of mutation round 7: each pins a behaviour that a one-line change to the
// source left every other test passing.

describe('mutation round 7: plan (pure JavaScript)', () => {
  it('the default placement is the paper’s centre-and-clip, in randBox and randBbox', () => {
    // cut = ⌊10·0.5⌋ = 5, centre 0, ⌊5/2⌋ = 2 either side, clipped: [0, 2); 'inside' would give [0, 5).
    expect(randBox([10], 0.5, () => 0)).toEqual({ box: { x1: 0, x2: 2 }, lam: 0.8 });
    expect(randBbox(10, 10, 0.75, () => 0)).toEqual({ box: { y1: 0, x1: 0, y2: 2, x2: 2 }, lam: 0.96 });
  });

  it('ratioMinMax may reach 1: [1, 1] cuts the whole batch', () => {
    const full = randBox([6, 8], 0.3, () => 0, { ratioMinMax: [1, 1], placement: 'inside' });
    expect(full).toEqual({ box: { y1: 0, x1: 0, y2: 6, x2: 8 }, lam: 0 });
    expect(() => randBbox(4, 4, 0.5, () => 0.5, { ratioMinMax: [0.5, 1] })).not.toThrow();
  });

  it('λ at u = ½ is exactly ½, the median of every symmetric Beta(α, α)', () => {
    for (const alpha of [0.001, 0.2, 1, 2, 10, 9999, 1e4, 1e6]) expect(sampleLambda(alpha, () => 0.5)).toBe(0.5);
  });

  it("a plan's non-enumerable own keys are not read (only own enumerable ones are a plan's)", () => {
    const objects = [[{ y1: 0, x1: 0, y2: 2, x2: 2 }], []];
    const plan = {
      boxes: [
        { y1: 0, x1: 0, y2: 4, x2: 4 },
        { y1: 0, x1: 0, y2: 0, x2: 0 },
      ],
    };
    Object.defineProperty(plan, 'partners', { value: [1, 0], enumerable: false });
    expect(() => cutmixObjects(objects, plan as never)).toThrow(
      new Error(
        'Error in cutmixObjects: plan.partners must be an Int32Array or number[] of partner indices, but got undefined.',
      ),
    );
  });

  it('object boxes refuse a plan box with only z2 (a 3-D box is never read as 2-D)', () => {
    const plan = { boxes: [{ y1: 0, x1: 0, y2: 4, x2: 4, z2: 1 }], partners: [0] };
    expect(() => cutmixObjects([[{ y1: 0, x1: 0, y2: 2, x2: 2 }]], plan as never)).toThrow(
      new Error(
        'Error in cutmixObjects: plan.boxes[0] must be a 2-D box { y1, x1, y2, x2 } (object boxes need a plan for a 2-D batch), but got {y1, x1, y2, x2, z2}.',
      ),
    );
  });
});

describe('mutation round 7: kernel plans', () => {
  it('a sample that is its own partner has no block, whatever its box (its output is its input)', () => {
    const g = pasteGeometry([2, 1, 4, 4], 'NCHW');
    // Both boxes are rows [1, 3) × columns [1, 3); sample 0 pastes from itself, sample 1 from sample 0.
    const boxes = Int32Array.of(0, 1, 1, 1, 3, 3, 0, 1, 1, 1, 3, 3);
    const table = blockTable(g, Int32Array.of(0, 0), boxes);
    expect([runsOf(table, 0), runsOf(table, 1)]).toEqual([0, 2]);
    expect(Array.from(table.subarray(0, BLOCK_INTS))).toEqual(new Array(BLOCK_INTS).fill(0));
    const { plan, maxUnits } = webgpuPastePlan(g, Int32Array.of(0, 0), boxes);
    expect(Array.from(plan)).toEqual([0, 0, 0, 0, 0, 0, 0, 5, 1, 1, 2, 2]);
    expect(maxUnits).toBe(2);
  });
});

describeEachBackend('mutation round 7: tensors', () => {
  it("an explicit 'channelsFirst' keeps NCHW even where the shape reads more plausibly as NHWC", () => {
    const x = tf.zeros([2, 28, 28, 1]);
    const r = cutmixBatch(x, undefined, { dataFormat: 'channelsFirst', seed: 1 });
    // Read as NCHW: 28 channels of 28×1, so every box lies within width 1.
    for (const box of r.boxes) expect(box.x2).toBeLessThanOrEqual(1);
    expect(r.images.shape).toEqual([2, 28, 28, 1]);
    tf.dispose([x, r.images]);
  });

  it('a batch of 3000 samples pastes each sample from its own partner (the kernel scratch holds the order)', () => {
    // More samples than any earlier call in this file has kept scratch ints for.
    const n = 3000;
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * n }, (_, i) => i),
      [n, 1, 1, 2],
    );
    const r = cutmixBatch(x, undefined, { seed: 5, box: { y1: 0, x1: 0, y2: 1, x2: 1 } });
    const got = r.images.dataSync();
    const bad = r.partners.findIndex((p, s) => got[2 * s] !== 2 * p || got[2 * s + 1] !== 2 * s + 1);
    expect(bad).toBe(-1);
    tf.dispose([x, r.images]);
  });

  it("mode 'batch' refuses per-sample λ given as a typed array, as it does an array", () => {
    const x = tf.zeros([2, 1, 4, 4]);
    expectThrowsNoLeak(
      () => cutmixBatch(x, undefined, { mode: 'batch', lam: Float32Array.of(0.5, 0.25) }),
      "Error in cutmixBatch: options.mode must be 'elem' or omitted with per-sample options.lam or options.box, but got 'batch'.",
    );
    tf.dispose(x);
  });

  it('CutMix.mix takes objects only with a 2-D batch: a 1-D or 3-D plan cannot move object boxes', () => {
    const cutmix = new CutMix({ seed: 1 });
    const objects = [[{ y1: 0, x1: 0, y2: 1, x2: 1 }]];
    for (const [shape, d] of [
      [[1, 1, 8], 1],
      [[1, 1, 2, 4, 4], 3],
    ] as const) {
      const x = tf.zeros([...shape]);
      expectThrowsNoLeak(
        () => cutmix.mix(x, undefined, { objects }),
        `Error in CutMix.mix: options.objects must be given only with a 2-D batch (object boxes are 2-D), but got a ${d}-D batch.`,
      );
      x.dispose();
    }
    cutmix.dispose();
  });

  it("CutMix.mix refuses an extra tensor whose spatial sizes differ from the images'", () => {
    const cutmix = new CutMix({ seed: 1 });
    const [x, mask] = [tf.zeros([2, 1, 4, 4]), tf.zeros([2, 1, 4, 5])];
    expectThrowsNoLeak(
      () => cutmix.mix(x, undefined, { mask }),
      'Error in CutMix.mix: options.mask spatial shape must be [4, 4] to match images, but got [4, 5].',
    );
    tf.dispose([x, mask]);
    cutmix.dispose();
  });

  it('cutmixLoss refuses a lossFn whose result has another length, even one that would broadcast', () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    const labels = tf.tensor1d([0], 'int32');
    const threeLosses: PerSampleLoss = () => tf.zeros([3]) as tf.Tensor1D;
    expectThrowsNoLeak(
      () => cutmixLoss(logits, labels, labels, 0.5, threeLosses),
      'Error in cutmixLoss: lossFn(labels, logits) must be a per-sample loss of shape [1], but got a float32 tensor of shape [3].',
    );
    tf.dispose([logits, labels]);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CutMix,
  cutmixBatch,
  mixTargets,
  mixupBatch,
  mixupOrCutmix,
  sigmoidCrossEntropyPerSample,
  softmaxCrossEntropyPerSample,
} from '../../src/index.js';
import { valuesReadable } from '../../src/targets/labels.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

type Make = () => unknown;
const disposed =
  (make: () => tf.Tensor): Make =>
  () => {
    const t = make();
    t.dispose();
    return t;
  };

/** Runs `call` on arguments made fresh, then disposes every tensor among them. */
function withArgs(makers: Make[], call: (...args: unknown[]) => void): void {
  const args = makers.map((m) => m());
  try {
    call(...args);
  } finally {
    tf.dispose(args.filter((a): a is tf.Tensor => a instanceof tf.Tensor && !a.isDisposed));
  }
}

const images = () => tf.zeros([4, 1, 3, 3]);
const LABEL_RANK = 'rank 1 (class indices [N]) or rank 2 (one-hot, soft or multi-hot [N, K])';

describeEachBackend('labels are checked where they enter (issue 9 defect 11)', () => {
  it.each([
    [() => tf.tensor1d([0, 0.5, 1, 2]), 'labels[1] must be an integer class index ≥ 0, but got 0.5.'],
    [() => tf.tensor1d([0, 1, NaN, 2]), 'labels[2] must be an integer class index ≥ 0, but got NaN.'],
    [() => tf.tensor1d([-1, 1, 0, 2], 'int32'), 'labels[0] must be an integer class index ≥ 0, but got -1.'],
    [
      () => tf.zeros([4, 1], 'int32'),
      'labels.dtype must be float32 for targets [N, K] (cast with tf.cast), but got int32.',
    ],
    [
      () => tf.zeros([4, 3], 'int32'),
      'labels.dtype must be float32 for targets [N, K] (cast with tf.cast), but got int32.',
    ],
    [() => tf.zeros([4], 'bool'), 'labels.dtype must be int32 or float32, but got bool.'],
    [() => tf.zeros([3], 'int32'), 'labels must have 4 rows to match images, but got 3.'],
    [() => tf.zeros([4, 1, 1]), `labels must be ${LABEL_RANK}, but got rank 3.`],
    [disposed(() => tf.zeros([4], 'int32')), 'labels must be a live tensor, but got a disposed tensor.'],
    [() => [0, 1, 2, 3], 'labels must be a tf.Tensor, but got an array of length 4.'],
  ])('cutmixBatch rejects labels %#', (labels, message) => {
    withArgs([images, labels], (x, y) =>
      expectThrowsNoLeak(() => cutmixBatch(x as tf.Tensor4D, y as tf.Tensor), `Error in cutmixBatch: ${message}`),
    );
  });

  it('rejects the same labels in every mixing op, in its own name', () => {
    const half = () => tf.tensor1d([0, 0.5, 1, 2]);
    const message = (fn: string) => `Error in ${fn}: labels[1] must be an integer class index ≥ 0, but got 0.5.`;
    withArgs([images, half], (x, y) => {
      const [xs, ys] = [x as tf.Tensor4D, y as tf.Tensor];
      expectThrowsNoLeak(() => mixupBatch(xs, ys), message('mixupBatch'));
      expectThrowsNoLeak(() => mixupOrCutmix(xs, ys), message('mixupOrCutmix'));
      expectThrowsNoLeak(() => new CutMix().mix(xs, ys), message('CutMix.mix'));
    });
  });

  it('accepts int32 indices, integer-valued float32 indices and float32 targets [N, K]', () => {
    for (const labels of [
      () => tf.tensor1d([0, 1, 2, 3], 'int32'),
      () => tf.tensor1d([3, 2, 1, 0]),
      () => tf.fill([4, 3], 1 / 3),
    ]) {
      withArgs([images, labels], (x, y) => {
        const r = cutmixBatch(x as tf.Tensor4D, y as tf.Tensor, { seed: 1 });
        tf.dispose([r.images, r.labelsA, r.labelsB]);
      });
    }
  });

  it.each([
    [() => tf.zeros([2, 1, 3, 3]), { dataFormat: 'NCDHW' }, 'images must be rank 5 (NCDHW), but got rank 4.'],
    [() => tf.zeros([2, 3, 3]), { dataFormat: 'NHWC' }, 'images must be rank 4 (NHWC), but got rank 3.'],
    [() => tf.zeros([2, 9]), {}, 'images must be rank 3 (NCW), 4 (NCHW) or 5 (NCDHW), but got rank 2.'],
    [() => tf.zeros([2, 1, 0, 3]), {}, 'images height (dim 2 of NCHW) must be ≥ 1, but got 0.'],
    [() => tf.zeros([2, 1, 3, 3], 'bool'), {}, 'images.dtype must be float32 or int32, but got bool.'],
  ])('cutmixBatch rejects images %#', (make, options, message) => {
    withArgs([make, () => tf.tensor1d([0, 1], 'int32')], (x, y) =>
      expectThrowsNoLeak(
        () => cutmixBatch(x as tf.Tensor4D, y as tf.Tensor, options as never),
        `Error in cutmixBatch: ${message}`,
      ),
    );
  });
});

describeEachBackend('per-sample losses check their arguments (issue 9 defect 6)', () => {
  const logits = () => tf.zeros([2, 3]);
  it.each([
    [() => tf.tensor1d([0, 5], 'int32'), logits, 'labels[1] must be an integer class index in [0, 3), but got 5.'],
    [() => tf.tensor1d([-1, 0], 'int32'), logits, 'labels[0] must be an integer class index in [0, 3), but got -1.'],
    // The message shows the value the float32 tensor holds.
    [() => tf.tensor1d([0, 2.5]), logits, 'labels[1] must be an integer class index in [0, 3), but got 2.5.'],
    [
      () => tf.tensor1d([0, 2.7]),
      logits,
      'labels[1] must be an integer class index in [0, 3), but got 2.700000047683716.',
    ],
    [disposed(() => tf.tensor1d([0, 1], 'int32')), logits, 'labels must be a live tensor, but got a disposed tensor.'],
    [() => tf.tensor1d([0, 1], 'int32'), disposed(logits), 'logits must be a live tensor, but got a disposed tensor.'],
    [
      () => tf.zeros([2, 3], 'int32'),
      logits,
      'labels.dtype must be float32 for targets [N, K] (cast with tf.cast), but got int32.',
    ],
    [() => tf.zeros([2, 4]), logits, 'labels must have 3 columns to match logits, but got 4.'],
    [() => tf.zeros([3], 'int32'), logits, 'labels must have 2 rows to match logits, but got 3.'],
    [() => tf.zeros([2], 'int32'), () => tf.zeros([2, 3], 'int32'), 'logits.dtype must be float32, but got int32.'],
  ])('softmaxCrossEntropyPerSample rejects %#', (labels, logitsOf, message) => {
    withArgs([labels, logitsOf], (l, z) =>
      expectThrowsNoLeak(
        () => softmaxCrossEntropyPerSample(l as tf.Tensor, z as tf.Tensor2D),
        `Error in softmaxCrossEntropyPerSample: ${message}`,
      ),
    );
  });

  it.each([
    [() => tf.tensor1d([0, 5], 'int32'), 'labels must be rank 2 (multi-hot or soft targets [N, K]), but got rank 1.'],
    [disposed(() => tf.zeros([2, 3])), 'labels must be a live tensor, but got a disposed tensor.'],
    [
      () => tf.zeros([2, 3], 'int32'),
      'labels.dtype must be float32 for targets [N, K] (cast with tf.cast), but got int32.',
    ],
    [() => tf.zeros([2, 2]), 'labels must have 3 columns to match logits, but got 2.'],
  ])('sigmoidCrossEntropyPerSample rejects %#', (labels, message) => {
    withArgs([labels, logits], (l, z) =>
      expectThrowsNoLeak(
        () => sigmoidCrossEntropyPerSample(l as tf.Tensor, z as tf.Tensor2D),
        `Error in sigmoidCrossEntropyPerSample: ${message}`,
      ),
    );
  });

  it('scores valid labels, one loss per sample, as an independent double-precision computation does', () => {
    const z = [
      [2, -1, 0.5],
      [-3, 0, 40],
    ];
    const t = [
      [1, 0, 1],
      [0, 0.5, 1],
    ];
    const softmax = [0, 2].map((k, i) => Math.log(z[i].reduce((s, v) => s + Math.exp(v - 40), 0)) + 40 - z[i][k]);
    // log σ(v), stably: −log(1 + e^(−v)) for v ≥ 0, v − log(1 + e^v) below; log(1 − σ(v)) = log σ(−v).
    const logSigmoid = (v: number) => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)));
    const bce = z.map(
      (row, i) => -row.reduce((s, v, k) => s + t[i][k] * logSigmoid(v) + (1 - t[i][k]) * logSigmoid(-v), 0) / 3,
    );
    withArgs(
      [() => tf.tensor1d([0, 2], 'int32'), () => tf.tensor2d(z), () => tf.tensor2d(t)],
      (l, logitsT, targets) => {
        const a = softmaxCrossEntropyPerSample(l as tf.Tensor, logitsT as tf.Tensor2D);
        const b = sigmoidCrossEntropyPerSample(targets as tf.Tensor, logitsT as tf.Tensor2D);
        const got = [...a.dataSync(), ...b.dataSync()];
        tf.dispose([a, b]);
        [...softmax, ...bce].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 5));
      },
    );
  });
});

describe('label values are read only where they already are in CPU memory (issue 9 defect 12)', () => {
  // A backend that is neither cpu, wasm nor tensorflow (as webgl and webgpu are), built from the cpu
  // backend's kernels under another name.
  const NAME = 'no-readback-test';
  beforeAll(async () => {
    tf.registerBackend(NAME, () => new MathBackendCPU());
    for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: NAME });
    await tf.setBackend(NAME);
  });
  afterAll(async () => {
    tf.env().set('DEBUG', false);
    await tf.setBackend('cpu');
    tf.removeBackend(NAME);
  });

  it('skips value checks there, reading nothing back, and checks them with tfjs DEBUG on', () => {
    const [x, y] = [tf.zeros([4, 1, 3, 3]), tf.tensor1d([0, 0.5, 1, 7])];
    try {
      expect([tf.getBackend(), valuesReadable()]).toEqual([NAME, false]);
      const reads = (['dataSync', 'data', 'array', 'arraySync', 'bufferSync', 'buffer'] as const).map((m) =>
        vi.spyOn(y, m),
      );
      const r = cutmixBatch(x, y, { seed: 1 });
      const t = mixTargets(y, y, 0.5, { numClasses: 8 });
      const c = new CutMix({ seed: 1 }).mix(x, y);
      tf.dispose([r.images, r.labelsA, r.labelsB, t, c.images, c.labelsA, c.labelsB]);
      expect(reads.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0, 0, 0, 0]);
      vi.spyOn(console, 'log').mockImplementation(() => undefined);
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      tf.env().set('DEBUG', true);
      expect(valuesReadable()).toBe(true);
      expect(() => cutmixBatch(x, y)).toThrow(
        new Error('Error in cutmixBatch: labels[1] must be an integer class index ≥ 0, but got 0.5.'),
      );
    } finally {
      tf.env().set('DEBUG', false);
      vi.restoreAllMocks();
      tf.dispose([x, y]);
    }
  });
});

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { paste } from '../kernels/paste.js';
import type { AnyBox } from '../plan/box.js';
import type { CutMixPlan } from '../plan/plan.js';

/**
 * MixUp's images: `λᵢ·xᵢ + (1−λᵢ)·x_partner(i)` for every sample in one broadcast multiply-add; a sample
 * that is not mixed (λ = 1, or paired with itself) is its input's exact bytes, not a blend that would turn
 * `-0` into `+0` or `Infinity` into NaN (0·∞).
 *
 * Every rank runs on the `[N, elements per sample]` view, and the per-sample choice is made full-size on
 * the device (a broadcast add cast to bool, not a `tile`): webgl and webgpu run `where` only up to rank 4,
 * and their `tile` reads small or rank-5 tensors back to the CPU.
 */
export function blend(x: Tensor, plan: CutMixPlan<AnyBox>): Tensor {
  const { lam, partners } = plan;
  const n = lam.length;
  const unmixed = Float32Array.from(lam, (l, i) => (l === 1 || partners[i] === i ? 1 : 0));
  if (unmixed.every((u) => u === 1)) return tf.clone(x);
  return tf.tidy(() => {
    const size = x.size / n;
    const rows = tf.reshape(x, [n, size]);
    const own = tf.tensor2d(lam, [n, 1]);
    const other = tf.tensor2d(
      lam.map((l) => 1 - l),
      [n, 1],
    );
    // The partners' rows: a paste of whole samples, so that the gradient is the paste's on every backend
    // (tf.gather's needs UnsortedSegmentSum, which tfjs's wasm backend lacks).
    const whole = new Int32Array(6 * n).map((_, k) => (k % 6 === 5 ? size : k % 6 >= 3 ? 1 : 0));
    // Each full-size step in its own tidy, so that its temporaries are freed before the next one allocates:
    // the partners' rows and both products go once the blend exists (peak 4 batches, not 6).
    const mixed = tf.tidy(() => {
      const theirs = tf.reshape(paste(tf.reshape(rows, [n, 1, size]), partners, whole, 'NCW'), [n, size]);
      return tf.add(tf.mul(rows, own), tf.mul(theirs, other));
    });
    // Always selected, even when every sample is mixed: one program set per shape, whatever the draw. The mask
    // is a broadcast add cast to bool: wasm's broadcasting comparisons run ~60× slower (3 ms at 32×784). The
    // fill names its dtype: tfjs-core 4.0's fill passes none, and wasm's Fill kernel then throws.
    const keep = tf.tidy(() => tf.cast(tf.add(tf.fill([n, size], 0, 'float32'), tf.tensor2d(unmixed, [n, 1])), 'bool'));
    return tf.reshape(tf.where(keep, rows, mixed), x.shape);
  });
}

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { AnyBox } from '../plan/box.js';
import type { CutMixPlan } from '../plan/plan.js';

/**
 * MixUp's images: `λᵢ·xᵢ + (1−λᵢ)·x_partner(i)` for every sample in one broadcast multiply-add; a sample
 * that is not mixed (λ = 1, or paired with itself) is its input's exact bytes, not a blend that would turn
 * `-0` into `+0` or `Infinity` into NaN (0·∞).
 */
export function blend(x: Tensor, plan: CutMixPlan<AnyBox>): Tensor {
  const { lam, partners } = plan;
  const n = lam.length;
  const unmixed = Uint8Array.from(lam, (l, i) => (l === 1 || partners[i] === i ? 1 : 0));
  // Samples without elements have nothing to blend (and wasm's broadcast refuses their empty shapes).
  if (x.size === 0 || unmixed.every((u) => u === 1)) return tf.clone(x);
  return tf.tidy(() => {
    const perSample = [n, ...new Array<number>(x.rank - 1).fill(1)];
    const own = tf.tensor(lam, perSample);
    const other = tf.tensor(
      lam.map((l) => 1 - l),
      perSample,
    );
    const mixed = tf.add(tf.mul(x, own), tf.mul(tf.gather(x, tf.tensor1d(partners, 'int32')), other));
    if (unmixed.every((u) => u === 0)) return mixed;
    return tf.where(tf.tensor(unmixed, perSample, 'bool'), x, mixed);
  });
}

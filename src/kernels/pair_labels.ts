import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { CUTMIX_LABELS, type CutmixLabelsAttrs } from './names.js';
import { ensureKernelsRegistered } from './register.js';

/**
 * A mixing op's label pair, `[labelsA, labelsB]`: a new tensor of the labels and the labels gathered by
 * `partners` (row n is row `partners[n]`), both owned by the caller. One kernel call on cpu and wasm;
 * elsewhere `clone` and `gather`. Exact for float32 and int32 labels (bits are copied), differentiable
 * with respect to the labels. Arguments are already checked (`partners` in [0, N)).
 *
 * @example
 * ```ts
 * const labels = tf.tensor1d([3, 7, 1], 'int32');
 * const [labelsA, labelsB] = pairLabels(labels, Int32Array.of(2, 0, 1)); // labelsB: [1, 3, 7]
 * ```
 */
export function pairLabels(labels: Tensor, partners: Int32Array): [Tensor, Tensor] {
  ensureKernelsRegistered();
  // wasm's gather mis-shapes an empty index list; an empty batch's partner labels are just empty.
  if (partners.length === 0) return [tf.clone(labels), tf.clone(labels)];
  if (tf.getKernel(CUTMIX_LABELS, tf.getBackend()) === undefined) {
    return tf.tidy(() => [tf.clone(labels), tf.gather(labels, tf.tensor1d(partners, 'int32'))]) as [Tensor, Tensor];
  }
  // A copy, so that a caller editing its plan afterwards cannot change what the gradient routes.
  const attrs: CutmixLabelsAttrs = { partners: Int32Array.from(partners) };
  return tf.engine().runKernel(CUTMIX_LABELS, { labels }, attrs as unknown as NamedAttrMap) as [Tensor, Tensor];
}

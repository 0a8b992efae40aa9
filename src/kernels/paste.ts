import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor4D } from '@tensorflow/tfjs-core';
import type { DataFormat } from '../layout.js';
import { pasteComposite } from './composite.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';
import { ensureKernelsRegistered } from './register.js';

/**
 * The one place a batch is pasted: the active backend's registered `CutmixPaste` kernel when it has one
 * (for float32 and int32, the dtypes the kernels copy as 32-bit words), else the stock-op composite.
 * Arguments are already validated.
 *
 * @example
 * ```ts
 * const mixed = paste(images, Int32Array.of(1, 0), Int32Array.of(0, 0, 16, 16, 8, 8, 24, 24), 'NCHW');
 * ```
 * @param images `[N, C, H, W]` or `[N, H, W, C]` batch.
 * @param partners `partners[n]` is the sample whose pixels fill sample n's box.
 * @param boxes `y1, x1, y2, x2` per sample, half-open, inside the image.
 * @param dataFormat layout of `images`.
 * @returns a new tensor of the same shape and dtype.
 */
export function paste(images: Tensor4D, partners: Int32Array, boxes: Int32Array, dataFormat: DataFormat): Tensor4D {
  // An empty batch has nothing to paste (and wasm's gather mis-shapes empty indices).
  if (images.size === 0) return tf.clone(images);
  ensureKernelsRegistered();
  const wordSized = images.dtype === 'float32' || images.dtype === 'int32';
  if (wordSized && tf.getKernel(CUTMIX_PASTE, tf.getBackend()) !== undefined) {
    const attrs: CutmixPasteAttrs = { partners, boxes, dataFormat };
    return tf.engine().runKernel(CUTMIX_PASTE, { images }, attrs as unknown as NamedAttrMap) as Tensor4D;
  }
  return pasteComposite(images, partners, boxes, dataFormat);
}

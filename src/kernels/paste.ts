import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor4D } from '@tensorflow/tfjs-core';
import type { DataFormat } from '../layout.js';
import { pasteComposite } from './composite.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';
import { ensureKernelsRegistered } from './register.js';

/**
 * The one place a batch is pasted: the active backend's registered `CutmixPaste` kernel when it has one,
 * else the stock-op composite. Arguments are already validated.
 */
export function paste(images: Tensor4D, partners: Int32Array, boxes: Int32Array, dataFormat: DataFormat): Tensor4D {
  // An empty batch has nothing to paste (and wasm's gather mis-shapes empty indices).
  if (images.size === 0) return tf.clone(images);
  ensureKernelsRegistered();
  if (tf.getKernel(CUTMIX_PASTE, tf.getBackend()) !== undefined) {
    const attrs: CutmixPasteAttrs = { partners, boxes, dataFormat };
    return tf.engine().runKernel(CUTMIX_PASTE, { images }, attrs as unknown as NamedAttrMap) as Tensor4D;
  }
  return pasteComposite(images, partners, boxes, dataFormat);
}

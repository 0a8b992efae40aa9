import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import type { DataFormat } from '../common/layout.js';
import { pasteComposite } from './composite.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';
import { ensureKernelsRegistered } from './register.js';

/**
 * The one place a batch is pasted, for every rank, layout and dtype (float32, int32, bool): the active
 * backend's registered `CutmixPaste` kernel when it has one, else the stock-op composite. One call per
 * tensor. Arguments are already checked; `boxes` holds 6 ints per sample (see `CutmixPasteAttrs`).
 */
export function paste(x: Tensor, partners: Int32Array, boxes: Int32Array, dataFormat: DataFormat): Tensor {
  // An empty batch has nothing to paste (and wasm's gather mis-shapes empty indices).
  if (x.size === 0) return tf.clone(x);
  // The kernel and its gradient keep the partners: a copy, so that a caller editing its plan afterwards
  // cannot change what the gradient routes (the boxes are always a fresh array already).
  partners = Int32Array.from(partners);
  ensureKernelsRegistered();
  if (tf.getKernel(CUTMIX_PASTE, tf.getBackend()) === undefined) return pasteComposite(x, partners, boxes, dataFormat);
  const attrs: CutmixPasteAttrs = { partners, boxes, dataFormat };
  return tf.engine().runKernel(CUTMIX_PASTE, { images: x }, attrs as unknown as NamedAttrMap) as Tensor;
}

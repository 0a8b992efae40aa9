import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { pasteGradientComposite } from './composite.js';
import { CUTMIX_PASTE, CUTMIX_PASTE_GRAD, type CutmixPasteAttrs } from './names.js';

/** The paste's gradient: the backend's `CutmixPasteGrad` kernel when it has one, else the composite. */
function pasteGradient(dy: Tensor, attrs: CutmixPasteAttrs): Tensor {
  const { partners, boxes, dataFormat } = attrs;
  if (dy.size === 0) return tf.clone(dy);
  if (tf.getKernel(CUTMIX_PASTE_GRAD, tf.getBackend()) === undefined) {
    return pasteGradientComposite(dy, partners, boxes, dataFormat);
  }
  return tf.engine().runKernel(CUTMIX_PASTE_GRAD, { dy }, attrs as unknown as NamedAttrMap) as Tensor;
}

/** The registered paste's gradient: the upstream gradient routed back to each element's source. */
export const pasteGradConfig: GradConfig = {
  kernelName: CUTMIX_PASTE,
  gradFunc: (dy: Tensor | Tensor[], _saved: Tensor[], attrs) => ({
    images: () => pasteGradient(dy as Tensor, attrs as unknown as CutmixPasteAttrs),
  }),
};

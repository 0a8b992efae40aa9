import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { pasteGradient } from './composite.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';

/** The registered kernels' gradient: the upstream gradient routed back to each element's source. */
const pasteGradConfig: GradConfig = {
  kernelName: CUTMIX_PASTE,
  gradFunc: (dy: Tensor | Tensor[], _saved: Tensor[], attrs) => {
    const { partners, boxes, dataFormat } = attrs as unknown as CutmixPasteAttrs;
    return { images: () => pasteGradient(dy as Tensor4D, partners, boxes, dataFormat) };
  },
};

let registered = false;

/**
 * Registers the paste gradient and the per-backend kernels once per process. Lazy (first paste), idempotent,
 * and silent: anything tfjs already has is left alone, so a second copy of this package never warns.
 */
export function ensureKernelsRegistered(): void {
  if (registered) return;
  registered = true;
  if (tf.getGradient(CUTMIX_PASTE) === undefined) tf.registerGradient(pasteGradConfig);
}

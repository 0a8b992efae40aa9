import type { DataFormat } from '../common/layout.js';

/**
 * Kernel name of the CutMix paste, registered per backend with `tf.registerKernel` on the package's first
 * paste (cpu, wasm, webgl and webgpu; other backends use a stock-op fallback).
 *
 * @example
 * ```ts
 * const mixed = cutmixBatch(xs, ys, { seed: 1 });  // the first paste registers the kernels
 * // Did the fast kernel run on the active backend, or the stock-op fallback?
 * const fast = tf.getKernel(CUTMIX_PASTE, tf.getBackend()) !== undefined;
 * ```
 */
export const CUTMIX_PASTE = 'CutmixPaste';

/** Kernel name of the paste's gradient: the upstream gradient routed back to each element's source. */
export const CUTMIX_PASTE_GRAD = 'CutmixPasteGrad';

/**
 * Attributes of both kernels. Partners and boxes are a few integers per batch, passed as attributes so
 * that nothing is allocated for them on the hot path.
 */
export interface CutmixPasteAttrs {
  /** `partners[n]`: the sample whose elements fill sample n's box. */
  partners: Int32Array;
  /**
   * `boxes[6n .. 6n+5]`: z1, y1, x1, z2, y2, x2 of sample n's box, half-open and inside the batch. Every
   * rank uses the 3-D form: a 2-D box has z in [0, 1), a 1-D box z and y in [0, 1).
   */
  boxes: Int32Array;
  /** Layout (and so rank) of the input: `NCW`, `NWC`, `NCHW`, `NHWC`, `NCDHW` or `NDHWC`. */
  dataFormat: DataFormat;
}

/**
 * Kernel name of the label pair every mixing op returns: `[labels, labels gathered by partners]` in one
 * kernel call (cpu and wasm; elsewhere `clone` and `gather`).
 */
export const CUTMIX_LABELS = 'CutmixLabels';

/** Attributes of the {@link CUTMIX_LABELS} kernel. */
export interface CutmixLabelsAttrs {
  /** `partners[n]`: the sample whose label row becomes row n of the second output. */
  partners: Int32Array;
}

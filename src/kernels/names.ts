import type { DataFormat } from '../layout.js';

/**
 * Kernel name of the CutMix patch paste, registered per backend with `tf.registerKernel`.
 *
 * @example
 * ```ts
 * // Is the fast kernel available on the active backend, or will the stock-op fallback run?
 * const fast = tf.getKernel(CUTMIX_PASTE, tf.getBackend()) !== undefined;
 * ```
 */
export const CUTMIX_PASTE = 'CutmixPaste';

/** Inputs of the paste kernel: the image batch (float32 or int32, rank 4). */
export type CutmixPasteInputs = { images: unknown };

/**
 * Attributes of the paste kernel. Partners and boxes are small per-batch integers, passed as attributes
 * so that no tensor is allocated for them on the hot path.
 * - `partners[n]`: the sample whose pixels fill sample n's box.
 * - `boxes[4n .. 4n+3]`: y1, x1, y2, x2 of sample n's box (half-open, inside the image).
 */
export interface CutmixPasteAttrs {
  /** `partners[n]`: the sample whose pixels fill sample n's box. */
  partners: Int32Array;
  /** `boxes[4n .. 4n+3]`: y1, x1, y2, x2 of sample n's box. */
  boxes: Int32Array;
  /** Layout of `images`. */
  dataFormat: DataFormat;
}

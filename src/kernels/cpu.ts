import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';
import { pasteBoxRows } from './paste_impl.js';

/** Word view of a float32/int32 backing array, without copying. */
function words(values: Float32Array | Int32Array): Int32Array {
  return values instanceof Int32Array ? values : new Int32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * The paste on the cpu backend's typed arrays: one copy of the batch into a new array of the same dtype
 * (the output must be fresh memory, so this copy is the floor), then each box run copied from the
 * partner. Output bytes equal the input's outside the boxes and the partner's inside, NaN payloads
 * included.
 *
 * @example
 * ```ts
 * tf.registerKernel(cutmixPasteCpuConfig); // done lazily by ensureKernelsRegistered()
 * ```
 * @param args.inputs `{ images }`: rank 4, float32 or int32.
 * @param args.attrs {@link CutmixPasteAttrs}.
 * @param args.backend the cpu backend object (never imported at run time).
 */
export function cutmixPasteCpu(args: {
  inputs: { images: TensorInfo };
  attrs: CutmixPasteAttrs;
  backend: MathBackendCPU;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { images } = inputs;
  const { partners, boxes, dataFormat } = attrs;
  const source = backend.data.get(images.dataId).values as Float32Array | Int32Array;
  // Same-type construction copies the bytes as they are (no NaN canonicalisation).
  const out = source instanceof Int32Array ? new Int32Array(source) : new Float32Array(source);
  pasteBoxRows(words(source), 0, words(out), 0, images.shape, dataFormat, partners, boxes);
  return backend.makeTensorInfo(images.shape, images.dtype, out);
}

/** Kernel config of {@link cutmixPasteCpu}; registered by `ensureKernelsRegistered`. */
export const cutmixPasteCpuConfig: KernelConfig = {
  kernelName: CUTMIX_PASTE,
  backendName: 'cpu',
  kernelFunc: cutmixPasteCpu as unknown as KernelFunc,
};

import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asBits, pasteBoxes, pasteGradElements, type Elements } from './copy.js';
import { blockTable, pasteGeometry } from './geometry.js';
import { CUTMIX_PASTE, CUTMIX_PASTE_GRAD, type CutmixPasteAttrs } from './names.js';

type CpuArgs<I extends string> = { inputs: Record<I, TensorInfo>; attrs: CutmixPasteAttrs; backend: MathBackendCPU };

/**
 * The paste on the cpu backend's typed arrays: a copy of the batch in a fresh array of the input's own kind
 * (the cpu backend may keep an int32 tensor in bytes after a cast from bool, so the kind is copied, not
 * assumed; same-kind construction keeps the bits), then each box pasted over it from the partner. In
 * JavaScript every run costs a call, so this beats writing each element once (two calls per run):
 * measured in docs/benchmarks.md.
 */
function cutmixPasteCpu({ inputs, attrs, backend }: CpuArgs<'images'>): TensorInfo {
  const { images } = inputs;
  const source = backend.data.get(images.dataId).values as Elements;
  const out = new (source.constructor as new (from: Elements) => Elements)(source);
  const g = pasteGeometry(images.shape, attrs.dataFormat);
  pasteBoxes(asBits(source), asBits(out), g, attrs.partners, blockTable(g, attrs.partners, attrs.boxes));
  return backend.makeTensorInfo(images.shape, images.dtype, out);
}

/** The paste's gradient on the cpu backend (float32 `dy`), see `pasteGradElements`. */
function cutmixPasteGradCpu({ inputs, attrs, backend }: CpuArgs<'dy'>): TensorInfo {
  const { dy } = inputs;
  const upstream = backend.data.get(dy.dataId).values as Float32Array;
  const dx = new Float32Array(upstream.length);
  const g = pasteGeometry(dy.shape, attrs.dataFormat);
  pasteGradElements(upstream, dx, g, attrs.partners, blockTable(g, attrs.partners, attrs.boxes));
  return backend.makeTensorInfo(dy.shape, 'float32', dx);
}

/** The cpu kernels; registered lazily by `ensureKernelsRegistered`. */
export const cpuKernelConfigs: readonly KernelConfig[] = [
  { kernelName: CUTMIX_PASTE, backendName: 'cpu', kernelFunc: cutmixPasteCpu as unknown as KernelFunc },
  { kernelName: CUTMIX_PASTE_GRAD, backendName: 'cpu', kernelFunc: cutmixPasteGradCpu as unknown as KernelFunc },
];

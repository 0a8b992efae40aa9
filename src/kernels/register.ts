import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { pasteGradient } from './composite.js';
import { cutmixPasteCpuConfig } from './cpu.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';
import { cutmixPasteWasmConfig } from './wasm.js';
import { cutmixPasteWebGLConfig } from './webgl.js';
import { cutmixPasteWebGPUConfig } from './webgpu.js';

/** The registered kernels' gradient: the upstream gradient routed back to each element's source. */
const pasteGradConfig: GradConfig = {
  kernelName: CUTMIX_PASTE,
  gradFunc: (dy: Tensor | Tensor[], _saved: Tensor[], attrs) => {
    const { partners, boxes, dataFormat } = attrs as unknown as CutmixPasteAttrs;
    return { images: () => pasteGradient(dy as Tensor4D, partners, boxes, dataFormat) };
  },
};

/** One kernel per backend name; a backend that is never loaded simply never looks its kernel up. */
const KERNEL_CONFIGS: readonly KernelConfig[] = [
  cutmixPasteCpuConfig,
  cutmixPasteWasmConfig,
  cutmixPasteWebGLConfig,
  cutmixPasteWebGPUConfig,
];

let registered = false;

/**
 * Registers the paste gradient and the per-backend kernels once per process. Lazy (first paste), idempotent,
 * and silent: anything tfjs already has is left alone, so a second copy of this package never warns.
 *
 * @example
 * ```ts
 * ensureKernelsRegistered();
 * tf.getKernel(CUTMIX_PASTE, 'wasm'); // the wasm kernel config
 * ```
 */
export function ensureKernelsRegistered(): void {
  if (registered) return;
  registered = true;
  if (tf.getGradient(CUTMIX_PASTE) === undefined) tf.registerGradient(pasteGradConfig);
  for (const config of KERNEL_CONFIGS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
}

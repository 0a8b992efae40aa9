import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { cpuKernelConfigs } from './cpu.js';
import { pasteGradConfig } from './gradient.js';
import { labelKernelConfigs, labelsGradConfig } from './labels.js';
import { CUTMIX_LABELS, CUTMIX_PASTE } from './names.js';
import { wasmKernelConfigs } from './wasm/kernel.js';
import { cutmixPasteWebGLConfig } from './webgl.js';
import { cutmixPasteWebGPUConfig } from './webgpu.js';

/** Every backend's kernels; a backend that is never loaded simply never looks its kernels up. */
const KERNEL_CONFIGS: readonly KernelConfig[] = [
  ...cpuKernelConfigs,
  ...wasmKernelConfigs,
  ...labelKernelConfigs,
  cutmixPasteWebGLConfig,
  cutmixPasteWebGPUConfig,
];

let registered = false;

/**
 * Registers the paste gradient and the per-backend kernels once per process. Lazy (first paste), idempotent,
 * and silent: anything tfjs already has is left alone, so a second copy of this package never warns.
 */
export function ensureKernelsRegistered(): void {
  if (registered) return;
  registered = true;
  if (tf.getGradient(CUTMIX_PASTE) === undefined) tf.registerGradient(pasteGradConfig);
  if (tf.getGradient(CUTMIX_LABELS) === undefined) tf.registerGradient(labelsGradConfig);
  for (const config of KERNEL_CONFIGS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
}

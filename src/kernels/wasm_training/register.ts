import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { depthwiseBackpropFilterConfig } from './depthwise_backprop_filter.js';
import { depthwiseBackpropInputConfig } from './depthwise_backprop_input.js';

/** The gradient kernels tfjs-backend-wasm 4.22 lacks for training convolutions, in the order registered. */
const CONFIGS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
];

/**
 * Names of the wasm kernels `tfjs-cutmix/wasm-grad` can provide: `Conv2DBackpropFilter` (the weights of
 * `conv1d`, `conv2d`, `separableConv2d` and `conv2dTranspose`), and `DepthwiseConv2dNativeBackpropFilter`
 * and `DepthwiseConv2dNativeBackpropInput` (`depthwiseConv2d`, `separableConv2d`).
 *
 * @example
 * ```ts
 * import { WASM_GRADIENT_KERNELS } from 'tfjs-cutmix/wasm-grad';
 * for (const name of WASM_GRADIENT_KERNELS) console.log(name, tf.getKernel(name, 'wasm') !== undefined);
 * ```
 */
export const WASM_GRADIENT_KERNELS: readonly string[] = CONFIGS.map((c) => c.kernelName);

/**
 * Registers, for the 'wasm' backend, each gradient kernel of {@link WASM_GRADIENT_KERNELS} that no one has
 * registered yet, so that tfjs-layers models with `conv1d`, `conv2d`, `separableConv2d`,
 * `depthwiseConv2d` or `conv2dTranspose` layers train on wasm. A kernel already registered (a tfjs release
 * that ships its own, or your own) is never replaced. Importing `tfjs-cutmix/wasm-grad` calls this once;
 * calling it again is harmless.
 *
 * The kernels take their backend as an argument and load no backend themselves; gradients still come from
 * `@tensorflow/tfjs-layers` (or the `@tensorflow/tfjs` union package), which registers them on import.
 *
 * @returns The names of the kernels that are this package's in tfjs's registry now: those tfjs lacked.
 *   Empty when tfjs already has all of them.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmGradients } from 'tfjs-cutmix/wasm-grad'; // the import already registered them
 *
 * await tf.setBackend('wasm');
 * console.log(registerWasmGradients()); // ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', …]
 * const model = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3 })] });
 * ```
 */
export function registerWasmGradients(): string[] {
  for (const config of CONFIGS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  return CONFIGS.filter((c) => tf.getKernel(c.kernelName, c.backendName)?.kernelFunc === c.kernelFunc).map(
    (c) => c.kernelName,
  );
}

import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { installCheck, replacesTfjs, type CheckedKernel } from './checked.js';
import { conv2dBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { depthwiseBackpropFilterConfig } from './depthwise_backprop_filter.js';
import { depthwiseBackpropInputConfig } from './depthwise_backprop_input.js';
import { MAX_POOL_PROBE, maxPoolGradConfig } from './max_pool_grad.js';

/** The gradient kernels tfjs-backend-wasm 4.22 lacks for training convolutions, in the order registered. */
const MISSING: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
];

/** The ones tfjs-backend-wasm 4.22 has but gets wrong: replaced where their probe fails (./checked.ts). */
const CHECKED: readonly CheckedKernel[] = [{ config: maxPoolGradConfig, probe: MAX_POOL_PROBE }];

/**
 * Names of the wasm kernels `tfjs-cutmix/wasm-grad` can provide: `Conv2DBackpropFilter` (the weights of
 * `conv1d`, `conv2d`, `separableConv2d` and `conv2dTranspose`), `DepthwiseConv2dNativeBackpropFilter` and
 * `DepthwiseConv2dNativeBackpropInput` (`depthwiseConv2d`, `separableConv2d`), and `MaxPoolGrad`
 * (`maxPooling1d`/`maxPooling2d`, in place of tfjs-backend-wasm 4.22's, which drops gradients).
 *
 * @example
 * ```ts
 * import { WASM_GRADIENT_KERNELS } from 'tfjs-cutmix/wasm-grad';
 * for (const name of WASM_GRADIENT_KERNELS) console.log(name, tf.getKernel(name, 'wasm') !== undefined);
 * ```
 */
export const WASM_GRADIENT_KERNELS: readonly string[] = [...MISSING, ...CHECKED.map((c) => c.config)].map(
  (c) => c.kernelName,
);

/** Puts every check in place; a `setupFunc` of ours, so that `tf.setBackend('wasm')` redoes it (see below). */
const installChecks = () => CHECKED.forEach(installCheck);

/** Our kernels as registered: the same function, with `installChecks` as their setup. */
const REGISTERED = new Map(MISSING.map((c) => [c, { ...c, setupFunc: installChecks }]));

/**
 * Registers, for the 'wasm' backend, the gradient kernels of {@link WASM_GRADIENT_KERNELS}, so that
 * tfjs-layers models with `conv1d`, `conv2d`, `separableConv2d`, `depthwiseConv2d`, `conv2dTranspose` and
 * max pooling layers train on wasm with the gradients the cpu backend computes. Importing
 * `tfjs-cutmix/wasm-grad` calls this once; calling it again is harmless.
 *
 * - The convolution kernels are registered where no one has registered them; one already registered (a
 *   tfjs release that ships its own, or yours) is never replaced.
 * - `MaxPoolGrad`: tfjs-backend-wasm 4.22's drops the gradient of every pooling window whose values are all
 *   ≤ 0. A registered `MaxPoolGrad` is put behind a check: the first time it runs on a wasm backend
 *   instance (or when this is called with wasm active), it is run once on a 2×4 input with such a window.
 *   If it gets that right (a fixed tfjs, or yours), it is the one that runs from then on; if not, this
 *   package's runs instead. Where none is registered, this package's is. If the backend is imported after
 *   this entry, the check goes in at `tf.setBackend('wasm')`.
 *
 * The kernels take their backend as an argument and load no backend themselves; gradients still come from
 * `@tensorflow/tfjs-layers` (or the `@tensorflow/tfjs` union package), which registers them on import.
 *
 * @returns The names of the kernels of this package that run now: those tfjs lacks, and `MaxPoolGrad` once
 *   tfjs's has failed the check on the wasm backend (checked by this call when wasm is the active backend).
 *   Empty when tfjs has all of them, right.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmGradients } from 'tfjs-cutmix/wasm-grad'; // the import already registered them
 *
 * await tf.setBackend('wasm');
 * console.log(registerWasmGradients()); // ['Conv2DBackpropFilter', …, 'MaxPoolGrad'] on tfjs 4.22
 * const model = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3 })] });
 * ```
 */
export function registerWasmGradients(): string[] {
  for (const [config, registered] of REGISTERED) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(registered);
  }
  installChecks();
  const missing = MISSING.filter((c) => tf.getKernel(c.kernelName, c.backendName)?.kernelFunc === c.kernelFunc).map(
    (c) => c.kernelName,
  );
  return [...missing, ...CHECKED.filter(replacesTfjs).map((c) => c.config.kernelName)];
}

/**
 * The `tfjs-cutmix/wasm-grad` entry point: importing it registers the wasm gradient kernels that
 * tfjs-backend-wasm 4.22 lacks for training convolutions (only those no one has registered), and puts a
 * check in front of its `MaxPoolGrad`, which is replaced only where it proves wrong, so that tfjs-layers
 * `conv1d`/`conv2d` models, max pooling included, train on the wasm backend with the cpu backend's
 * gradients. Opt-in and apart from the root entry: nothing here loads unless you import it.
 */
import { registerWasmGradients } from './kernels/wasm_training/register.js';

export { registerWasmGradients, WASM_GRADIENT_KERNELS } from './kernels/wasm_training/register.js';

// The import is the registration, as importing a tfjs backend registers its kernels. The call sits in
// the entry itself: a bundler keeps an entry's statements (package.json lists the built entry under
// `sideEffects`), but may drop a module imported only for its side effect.
registerWasmGradients();

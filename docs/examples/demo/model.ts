/**
 * The demo's small CNNs (channels-last, as tfjs-layers' conv2d wants), 10 logits out (no softmax: the
 * losses apply log-softmax themselves).
 *
 * - `'strided'` (the default, 7 018 weights): two 3×3 convolutions with stride 2 and ReLU, then a dense
 *   layer. The first convolution has 13×13 output positions instead of 26×26, so its filter gradient (on wasm,
 *   `tfjs-cutmix/wasm-grad`'s kernel) does about a quarter of the work.
 * - `'pooled'` (5 258 weights, the earlier demo's): 3×3 convolutions with stride 1, each followed by a 2×2
 *   max-pool. Slower per step on wasm (docs/demo.md has both timings), kept to compare with.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export type ModelKind = 'strided' | 'pooled';
export const MODEL_KINDS: readonly ModelKind[] = ['strided', 'pooled'];

// Digits 28×28×1, 10 classes (as ./mnist.ts loads them). No import from there: the bench (bench/step_share.ts)
// builds this model in the browser too, where the data loader's Node imports cannot go.
const SIDE = 28;
const NUM_CLASSES = 10;

/**
 * @param seed Seeds the kernels' Glorot-uniform initialisers.
 * @param kind Which of the two CNNs. Default 'strided'.
 */
export function buildCnn(seed: number, kind: ModelKind = 'strided'): tfl.Sequential {
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  const strides = kind === 'strided' ? 2 : 1;
  const conv = (filters: number, offset: number, inputShape?: number[]) =>
    tfl.layers.conv2d({
      inputShape,
      filters,
      kernelSize: 3,
      strides,
      activation: 'relu',
      kernelInitializer: init(offset),
    });
  const pool = () => (kind === 'pooled' ? [tfl.layers.maxPooling2d({ poolSize: 2 })] : []);
  return tfl.sequential({
    layers: [
      conv(8, 1, [SIDE, SIDE, 1]),
      ...pool(),
      conv(16, 2),
      ...pool(),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: NUM_CLASSES, kernelInitializer: init(3) }),
    ],
  });
}

/**
 * A second model with the first one's architecture and exactly its current weights.
 * @param model The model to copy.
 * @param kind Its kind.
 */
export function cloneCnn(model: tfl.Sequential, kind: ModelKind = 'strided'): tfl.Sequential {
  const copy = buildCnn(0, kind);
  const weights = model.getWeights().map((w) => tf.clone(w));
  copy.setWeights(weights);
  tf.dispose(weights);
  return copy;
}

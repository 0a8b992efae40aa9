/**
 * The demo's small CNN (channels-last, as tfjs-layers' conv2d wants): two 3×3 conv + max-pool stages and
 * a dense layer to 10 logits (no softmax: the losses apply log-softmax themselves). 5 258 weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { NUM_CLASSES, SIDE } from './mnist.js';

/** @param seed Seeds the kernels' Glorot-uniform initialisers. */
export function buildCnn(seed: number): tfl.Sequential {
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [SIDE, SIDE, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: NUM_CLASSES, kernelInitializer: init(3) }),
    ],
  });
}

/**
 * A second model with the first one's architecture and exactly its current weights.
 * @param model The model to copy.
 * @param seed Seed for the throw-away initial weights that the copy then overwrites.
 */
export function cloneCnn(model: tfl.Sequential, seed: number): tfl.Sequential {
  const copy = buildCnn(seed);
  const weights = model.getWeights().map((w) => tf.clone(w));
  copy.setWeights(weights);
  tf.dispose(weights);
  return copy;
}

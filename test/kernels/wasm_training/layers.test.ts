import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmGradients } from 'tfjs-cutmix/wasm-grad';
import { useBackend } from '../../support/backends.js';
import { valuesFrom } from '../../support/conv_cases.js';

// The weight and input gradients of whole tfjs-layers models, as training computes them, on wasm (with the
// entry) against cpu: every padding and stride a Conv1D/Conv2D layer takes, both of its dataFormats
// (tfjs-layers turns 'channelsFirst' into channels-last itself before the convolution), and max pooling
// after layers whose outputs go below zero.

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
  registerWasmGradients();
});

const L = tfl.layers;
const CASES: [string, number[], () => tfl.layers.Layer[]][] = [
  ['conv2d valid', [9, 8, 2], () => [L.conv2d({ filters: 3, kernelSize: 3 })]],
  [
    'conv2d same, strides 2, 3×2',
    [9, 8, 2],
    () => [L.conv2d({ filters: 3, kernelSize: [3, 2], strides: 2, padding: 'same' })],
  ],
  [
    'conv2d same, strides [3, 2], 4×4, no bias',
    [10, 11, 2],
    () => [L.conv2d({ filters: 3, kernelSize: 4, strides: [3, 2], padding: 'same', useBias: false })],
  ],
  [
    'conv2d channelsFirst',
    [2, 9, 8],
    () => [L.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', dataFormat: 'channelsFirst' })],
  ],
  ['conv1d valid', [17, 2], () => [L.conv1d({ filters: 3, kernelSize: 3 })]],
  ['conv1d same, strides 2', [17, 2], () => [L.conv1d({ filters: 3, kernelSize: 4, strides: 2, padding: 'same' })]],
  ['conv1d channelsFirst', [2, 16], () => [L.conv1d({ filters: 3, kernelSize: 3, dataFormat: 'channelsFirst' })]],
  [
    'two conv2d, then average pooling',
    [9, 8, 2],
    () => [
      L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L.averagePooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 2, kernelSize: 2 }),
    ],
  ],
  [
    'conv2d → depthwiseConv2d',
    [9, 8, 2],
    () => [
      L.conv2d({ filters: 3, kernelSize: 1 }),
      L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2 }),
    ],
  ],
  [
    'conv2d → separableConv2d',
    [9, 8, 2],
    () => [L.conv2d({ filters: 3, kernelSize: 1 }), L.separableConv2d({ filters: 2, kernelSize: 3 })],
  ],
  ['conv2dTranspose', [5, 4, 2], () => [L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' })]],
  // Max pooling: tfjs-backend-wasm 4.22's own MaxPoolGrad drops the gradient of windows with no value above 0.
  [
    'conv2d → maxPooling2d → relu',
    [9, 8, 2],
    () => [L.conv2d({ filters: 3, kernelSize: 3 }), L.maxPooling2d({ poolSize: 2, padding: 'same' }), L.reLU()],
  ],
  [
    'conv2d → batchNormalization → maxPooling2d',
    [9, 8, 2],
    () => [L.conv2d({ filters: 3, kernelSize: 3 }), L.batchNormalization(), L.maxPooling2d({ poolSize: 2 })],
  ],
  [
    'conv2d → leakyReLU → maxPooling2d 3×3, strides 1, same',
    [7, 6, 2],
    () => [
      L.conv2d({ filters: 3, kernelSize: 2 }),
      L.leakyReLU(),
      L.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
    ],
  ],
  [
    'conv1d → maxPooling1d (linear)',
    [17, 2],
    () => [L.conv1d({ filters: 3, kernelSize: 3 }), L.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' })],
  ],
];

/** Gradients of a softmax loss with respect to every weight, on the active backend. */
function weightGrads(model: tfl.Sequential, x: tf.Tensor, y: tf.Tensor): Float32Array[] {
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { grads, value } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    vars,
  );
  const out = vars.map((v) => Float32Array.from(grads[v.name].dataSync()));
  tf.dispose([...Object.values(grads), value]);
  return out;
}

/** Weight gradients of `layers` (after a dense layer, before flatten + dense) on wasm against cpu. */
async function expectSameGradients(inputShape: number[], layers: () => tfl.layers.Layer[], labels: number[]) {
  await useBackend('cpu');
  const before = tf.memory().numTensors;
  // A dense layer first, so that the convolutions' input gradients are needed too.
  const first = L.dense({ units: inputShape[inputShape.length - 1] });
  const model = tfl.sequential({ layers: [L.inputLayer({ inputShape }), first, ...layers()] });
  if ((model.outputs[0].shape as number[]).length > 2) model.add(L.flatten());
  model.add(L.dense({ units: 3 }));
  const n = labels.length;
  const x = tf.tensor(valuesFrom(n * inputShape.reduce((a, b) => a * b, 1), 7), [n, ...inputShape]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3));
  const want = weightGrads(model, x, y);
  await useBackend('wasm');
  const got = weightGrads(model, x, y);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => tf.test_util.expectArraysClose(g, want[i]));
  model.dispose();
  tf.dispose([x, y]);
  expect(tf.memory().numTensors).toBe(before);
}

describe('tfjs-layers convolution models: weight gradients on wasm (with tfjs-cutmix/wasm-grad) equal cpu', () => {
  for (const [name, inputShape, layers] of CASES) {
    it(name, () => expectSameGradients(inputShape, layers, [0, 1, 2, 1, 0]));
  }

  // One sample: above that tfjs-backend-cpu's ResizeNearestNeighborGrad is wrong (tfjs_wasm_kernels.test.ts);
  // square images into the bilinear one: for others, the cpu's ResizeBilinearGrad returns the wrong shape.
  it('conv2d → upSampling2d, nearest and bilinear (batch 1)', () =>
    expectSameGradients(
      [4, 4, 2],
      () => [
        L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }),
        L.upSampling2d({ size: [2, 2] }),
        L.conv2d({ filters: 2, kernelSize: 3, strides: 2 }),
        L.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }),
      ],
      [2],
    ));
});

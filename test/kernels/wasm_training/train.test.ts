import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CutMix, cutmixBatch, cutmixLoss, seededRng } from 'tfjs-cutmix';
import { registerWasmGradients } from 'tfjs-cutmix/wasm-grad';
import { loadDigits } from '../../../docs/examples/demo/mnist.js';
import { useBackend } from '../../support/backends.js';

// With tfjs-cutmix/wasm-grad, tfjs-layers convolution models train on wasm with CutMix: the loss falls,
// every step runs this package's kernels, and nothing is left behind from one step to the next.

beforeAll(async () => {
  await useBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

/** Spies on this package's registered kernels; returns their call counts by name. */
function countOurKernels(): () => Record<string, number> {
  const spies = registerWasmGradients().map((name) => {
    const config = tf.getKernel(name, 'wasm') as tf.KernelConfig;
    return [name, vi.spyOn(config, 'kernelFunc')] as const;
  });
  return () => Object.fromEntries(spies.map(([name, spy]) => [name, spy.mock.calls.length]));
}

/**
 * Runs `steps` optimizer steps of `loss` and returns the losses; checks after every step that the number
 * of tensors and of wasm data buffers is what it was after the first (weights and optimizer state).
 */
async function train(steps: number, loss: (step: number) => tf.Scalar): Promise<number[]> {
  const optimizer = tf.train.adam(0.01);
  const losses: number[] = [];
  let settled: [number, number] | undefined;
  for (let step = 0; step < steps; step++) {
    const value = optimizer.minimize(() => loss(step), true) as tf.Scalar;
    losses.push((await value.data())[0]);
    value.dispose();
    const counts: [number, number] = [tf.memory().numTensors, tf.backend().numDataIds()];
    settled ??= counts;
    expect(counts, `tensors and wasm buffers after step ${step}`).toEqual(settled);
  }
  optimizer.dispose();
  return losses;
}

describe('training convolutions on wasm with tfjs-cutmix/wasm-grad', () => {
  it('an MNIST conv2d model (NHWC) with the CutMix class', async () => {
    const calls = countOurKernels();
    const { train: digits } = loadDigits(20, 0, seededRng(3)); // 200 real digits from the mnist package
    const before = tf.memory().numTensors;
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 8,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: init(1),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({
          filters: 16,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(2),
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 10, kernelInitializer: init(3) }),
      ],
    });
    const cutmix = new CutMix({ seed: 5, dataFormat: 'NHWC' });
    const batch = 40;
    const xs = tf.tensor4d(digits.pixels, [digits.n, 28, 28, 1]);
    const ys = tf.tensor1d(digits.labels, 'int32');
    const losses = await train(25, (step) => {
      const first = (step * batch) % digits.n;
      const { images } = cutmix.mix(tf.slice(xs, first, batch), tf.slice(ys, first, batch));
      return cutmix.loss(model.apply(images, { training: true }) as tf.Tensor2D);
    });
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-5))).toBeLessThan(0.8 * mean(losses.slice(0, 5)));
    expect(calls().Conv2DBackpropFilter, 'one filter gradient per conv layer and step').toBe(2 * 25);
    expect(calls().MaxPoolGrad, "one per step, through the check in front of tfjs's").toBe(25);
    cutmix.dispose();
    model.dispose();
    tf.dispose([xs, ys]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a conv1d model on signals (NWC) with cutmixBatch', async () => {
    const calls = countOurKernels();
    const [n, length, classes] = [24, 64, 3];
    const rng = seededRng(11);
    // Class k: a sine of frequency k + 1 at a random phase, plus noise.
    const signals = new Float32Array(n * length);
    const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
    for (let i = 0; i < n; i++) {
      const phase = rng() * 2 * Math.PI;
      for (let t = 0; t < length; t++) {
        signals[i * length + t] = Math.sin(((labels[i] + 1) * 2 * Math.PI * t) / length + phase) + 0.3 * (rng() - 0.5);
      }
    }
    const before = tf.memory().numTensors;
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv1d({
          inputShape: [length, 1],
          filters: 8,
          kernelSize: 5,
          activation: 'relu',
          kernelInitializer: init(4),
        }),
        tfl.layers.maxPooling1d({ poolSize: 2 }),
        tfl.layers.conv1d({
          filters: 8,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(5),
        }),
        tfl.layers.globalAveragePooling1d({}),
        tfl.layers.dense({ units: classes, kernelInitializer: init(6) }),
      ],
    });
    const xs = tf.tensor3d(signals, [n, length, 1]);
    const ys = tf.tensor1d(labels, 'int32');
    const cutmixRng = seededRng(12);
    const losses = await train(60, () => {
      const mixed = cutmixBatch(xs, ys, { rng: cutmixRng, dataFormat: 'NWC', prob: 0.5 });
      const logits = model.apply(mixed.images, { training: true }) as tf.Tensor2D;
      return cutmixLoss(logits, mixed.labelsA, mixed.labelsB, mixed.lam);
    });
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-5))).toBeLessThan(0.8 * mean(losses.slice(0, 5)));
    expect(calls().Conv2DBackpropFilter).toBe(2 * 60);
    expect(calls().MaxPoolGrad, 'maxPooling1d').toBe(60);
    model.dispose();
    tf.dispose([xs, ys]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a conv2dTranspose model (an 8×8 autoencoder) on CutMix-mixed images', async () => {
    const calls = countOurKernels();
    const rng = seededRng(13);
    const before = tf.memory().numTensors;
    // 16 images of one bright bar at a random row or column: what the model must reproduce.
    const pixels = new Float32Array(16 * 64);
    for (let i = 0; i < 16; i++) {
      const at = Math.floor(rng() * 8);
      for (let j = 0; j < 8; j++) pixels[i * 64 + (i % 2 === 0 ? at * 8 + j : j * 8 + at)] = 1;
    }
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 8,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(12),
        }),
        tfl.layers.conv2dTranspose({
          filters: 1,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          kernelInitializer: init(13),
        }),
      ],
    });
    const xs = tf.tensor4d(pixels, [16, 8, 8, 1]);
    const ys = tf.tensor1d(new Int32Array(16), 'int32');
    const cutmixRng = seededRng(14);
    const losses = await train(40, () => {
      const { images, labelsA, labelsB } = cutmixBatch(xs, ys, { rng: cutmixRng, dataFormat: 'NHWC' });
      tf.dispose([labelsA, labelsB]);
      return tf.losses.meanSquaredError(images, model.apply(images, { training: true }) as tf.Tensor) as tf.Scalar;
    });
    expect(mean(losses.slice(-5))).toBeLessThan(0.8 * mean(losses.slice(0, 5)));
    // The first layer's filter gradient, and conv2dTranspose's (a Conv2DBackpropFilter of its own).
    expect(calls().Conv2DBackpropFilter).toBe(2 * 40);
    model.dispose();
    tf.dispose([xs, ys]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a separableConv2d / depthwiseConv2d model (the depthwise kernels)', async () => {
    const calls = countOurKernels();
    const { train: digits } = loadDigits(10, 0, seededRng(4));
    const before = tf.memory().numTensors;
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 4,
          kernelSize: 3,
          strides: 2,
          activation: 'relu',
          kernelInitializer: init(7),
        }),
        tfl.layers.depthwiseConv2d({
          kernelSize: 3,
          depthMultiplier: 2,
          activation: 'relu',
          depthwiseInitializer: init(8),
        }),
        tfl.layers.separableConv2d({
          filters: 8,
          kernelSize: 3,
          strides: 2,
          activation: 'relu',
          depthwiseInitializer: init(9),
          pointwiseInitializer: init(10),
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 10, kernelInitializer: init(11) }),
      ],
    });
    const cutmix = new CutMix({ seed: 6, dataFormat: 'NHWC' });
    const xs = tf.tensor4d(digits.pixels, [digits.n, 28, 28, 1]);
    const ys = tf.tensor1d(digits.labels, 'int32');
    const losses = await train(25, () => {
      const { images } = cutmix.mix(xs, ys);
      return cutmix.loss(model.apply(images, { training: true }) as tf.Tensor2D);
    });
    expect(mean(losses.slice(-5))).toBeLessThan(0.8 * mean(losses.slice(0, 5)));
    expect(calls()).toEqual({
      Conv2DBackpropFilter: 2 * 25, // the first conv and separableConv2d's pointwise step
      DepthwiseConv2dNativeBackpropFilter: 2 * 25,
      DepthwiseConv2dNativeBackpropInput: 2 * 25,
      MaxPoolGrad: 0,
    });
    cutmix.dispose();
    model.dispose();
    tf.dispose([xs, ys]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

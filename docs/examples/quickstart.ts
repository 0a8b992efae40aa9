/**
 * Quick start: train a tiny convolutional classifier with CutMix in a custom training loop, on the wasm
 * backend (the fast one in Node without tfjs-node).
 *
 * Everything is generated here (no download): four classes of 16×16 grey images with class-dependent
 * patterns plus noise, drawn from a seeded generator. Each step mixes the batch with `cutmixBatch` and
 * scores the model with `cutmixLoss` inside `optimizer.minimize`.
 *
 * Run it with `npm run example` (wasm backend), or `npm run example -- --backend cpu --steps 200`.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers builds the model and, as a side effect, registers the gradients that training needs
// (tfjs-core alone registers none).
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// The wasm gradient kernels tfjs-backend-wasm 4.22 lacks for training a convolution (Conv2DBackpropFilter).
import 'tfjs-cutmix/wasm-grad';
import { pathToFileURL } from 'node:url';
import { cutmixBatch, cutmixLoss, seededRng, type Rng } from 'tfjs-cutmix';

export interface QuickstartOptions {
  /** Training steps (one mixed batch each). Default 120. */
  steps?: number;
  /** Images per batch. Default 32. */
  batchSize?: number;
  /** Seed for the data, the model's initial weights and every CutMix draw. Default 42. */
  seed?: number;
  /** Backend to train on. Default 'wasm'. */
  backend?: 'cpu' | 'wasm';
  /** Print progress lines. Default true. */
  log?: boolean;
}

export interface QuickstartResult {
  /** The CutMix loss of every step, in order. */
  losses: number[];
  /** Accuracy on freshly generated, unmixed images after training. */
  testAccuracy: number;
  /** `tf.memory().numTensors` before and after the run: equal when nothing leaked. */
  numTensorsBefore: number;
  numTensorsAfter: number;
}

const SIZE = 16;
const NUM_CLASSES = 4;

/**
 * One 16×16 image of class `label`, values in about [0, 1]: horizontal stripes, vertical stripes, a
 * centred square or a checkerboard, at a random phase, with uniform noise.
 */
function drawImage(label: number, rng: Rng): Float32Array {
  const img = new Float32Array(SIZE * SIZE);
  const phase = Math.floor(rng() * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let on: boolean;
      if (label === 0) on = (y + phase) % 4 < 2;
      else if (label === 1) on = (x + phase) % 4 < 2;
      else if (label === 2) on = Math.abs(y - 7.5) < 3 + phase / 2 && Math.abs(x - 7.5) < 3 + phase / 2;
      else on = (Math.floor((y + phase) / 2) + Math.floor((x + phase) / 2)) % 2 === 0;
      img[y * SIZE + x] = (on ? 0.8 : 0.2) + 0.4 * (rng() - 0.5);
    }
  }
  return img;
}

/** A batch as tensors: images `[n, 16, 16, 1]` (NHWC, as tfjs-layers' conv2d wants) and int32 labels `[n]`. */
function makeBatch(n: number, rng: Rng): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const pixels = new Float32Array(n * SIZE * SIZE);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(rng() * NUM_CLASSES);
    pixels.set(drawImage(labels[i], rng), i * SIZE * SIZE);
  }
  return { xs: tf.tensor4d(pixels, [n, SIZE, SIZE, 1]), ys: tf.tensor1d(labels, 'int32') };
}

/**
 * A small convolutional network that outputs logits (no softmax: `cutmixLoss` applies log-softmax itself):
 * one strided 3×3 convolution, max pooling, and a dense layer. It trains on wasm thanks to the
 * `tfjs-cutmix/wasm-grad` import above, and on cpu as it is.
 */
function makeModel(seed: number): tfl.Sequential {
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [SIZE, SIZE, 1],
        filters: 8,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: NUM_CLASSES, kernelInitializer: init(2) }),
    ],
  });
}

/** Trains for `steps` CutMix steps and reports the losses and the clean test accuracy. */
export async function main(options: QuickstartOptions = {}): Promise<QuickstartResult> {
  const { steps = 120, batchSize = 32, seed = 42, backend = 'wasm', log = true } = options;
  for (const [name, value] of [
    ['steps', steps],
    ['batchSize', batchSize],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  await tf.ready();
  const numTensorsBefore = tf.memory().numTensors;

  const dataRng = seededRng(seed);
  const cutmixRng = seededRng(seed + 1); // one stream for every CutMix draw: a new box each step
  const model = makeModel(seed);
  const optimizer = tf.train.adam(0.01);
  const losses: number[] = [];
  if (log) console.log(`training ${steps} CutMix steps of ${batchSize} images on ${backend}`);

  for (let step = 1; step <= steps; step++) {
    const { xs, ys } = makeBatch(batchSize, dataRng);
    // Tensors made inside minimize's function are released when it returns, except the loss it returns.
    const loss = optimizer.minimize(() => {
      const mixed = cutmixBatch(xs, ys, { rng: cutmixRng, dataFormat: 'NHWC' });
      const logits = model.apply(mixed.images, { training: true }) as tf.Tensor2D;
      return cutmixLoss(logits, mixed.labelsA, mixed.labelsB, mixed.lam);
    }, /* returnCost */ true) as tf.Scalar;
    losses.push((await loss.data())[0]);
    tf.dispose([xs, ys, loss]);
    if (log && (step % 20 === 0 || step === steps)) {
      const recent = losses.slice(-20);
      const mean = recent.reduce((s, v) => s + v, 0) / recent.length;
      console.log(`step ${String(step).padStart(4)}  cutmix loss ${mean.toFixed(4)} (mean of last ${recent.length})`);
    }
  }

  // Evaluate on new, unmixed images.
  const test = makeBatch(256, dataRng);
  const predicted = tf.tidy(() => tf.argMax(model.predict(test.xs) as tf.Tensor2D, -1));
  const [p, t] = await Promise.all([predicted.data(), test.ys.data()]);
  const testAccuracy = Array.from(p).filter((c, i) => c === t[i]).length / p.length;
  tf.dispose([predicted, test.xs, test.ys]);

  model.dispose();
  optimizer.dispose();
  const numTensorsAfter = tf.memory().numTensors;
  if (log) {
    // The mixed targets are soft, so the CutMix loss levels off above 0 even for a perfect classifier.
    console.log(`test accuracy on ${p.length} clean images: ${(100 * testAccuracy).toFixed(1)} %`);
    console.log(`backend ${tf.getBackend()}; tensors before ${numTensorsBefore}, after ${numTensorsAfter}`);
  }
  return { losses, testAccuracy, numTensorsBefore, numTensorsAfter };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // The command line (`npm run example -- --help`); scripts/cli.ts is the repository's, not the package's.
  const { numberFlag, parseCli, runCli, UsageError } = await import('../../scripts/cli.js');
  await runCli('example', async () => {
    const args = parseCli(process.argv.slice(2), {
      command: 'example',
      usage: 'npm run example [-- --steps N] [--batch-size N] [--seed N] [--backend wasm|cpu]',
      options: {
        steps: { type: 'string', value: 'N', help: 'training steps (default 120)' },
        'batch-size': { type: 'string', value: 'N', help: 'images per batch (default 32)' },
        seed: { type: 'string', value: 'N', help: 'seed for data, weights and CutMix (default 42)' },
        backend: { type: 'string', value: 'NAME', help: "'wasm' (default) or 'cpu'" },
      },
    });
    const count = (name: string, raw: string | undefined) =>
      numberFlag(name, raw, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
    if (args.backend !== undefined && args.backend !== 'cpu' && args.backend !== 'wasm') {
      throw new UsageError(`--backend must be 'wasm' or 'cpu', but got '${args.backend}'`);
    }
    await main({
      steps: count('steps', args.steps),
      batchSize: count('batch-size', args['batch-size']),
      seed: numberFlag('seed', args.seed, Number.isInteger, 'an integer'),
      backend: args.backend,
    });
  });
}

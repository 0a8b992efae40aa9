/**
 * `npm run demo`: CutMix on real digits, offline.
 *
 * Trains the same small CNN twice on a small subset of the MNIST digits shipped in the `mnist` package,
 * in a custom loop, from the same initial weights and in the same batch order: once plain, once through
 * the `CutMix` adapter (NHWC). Then it scores both on a disjoint held-out test set (accuracy, loss, 15-bin
 * ECE), prints a table and draws `cutmix-batch.png`, a 3×3 grid of one mixed batch with each tile's labels
 * and weights: into .tmp/demo/ (ignored by git), or over docs/images/cutmix-batch.png with `--write`.
 *
 *   npm run demo                      the full run (about a minute on 2 cores)
 *   npm run demo -- --write           the full run, updating the README's picture
 *   npm run demo -- --quick           a CI-sized run (small subset, 2 epochs)
 *   npm run demo -- --help            every flag
 */
import * as tf from '@tensorflow/tfjs-core';
// Types only here: demo/model.ts loads tfjs-layers, which builds the model and registers the gradients
// training needs (tfjs-core alone has none).
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CutMix, cutmixBatch, seededRng, softmaxCrossEntropyPerSample } from 'tfjs-cutmix';
import { score, type Scores } from './demo/metrics.js';
import { loadDigits, NUM_CLASSES, PIXELS, shuffled, SIDE, type Digits } from './demo/mnist.js';
import { buildCnn, cloneCnn } from './demo/model.js';
import { renderGrid, type Tile } from './demo/picture.js';
import { progressBar } from './demo/progress.js';
import { formatTable } from './demo/table.js';
import { registerWasmConv2dFilterGrad } from './demo/wasm_conv2d_filter_grad.js';

export interface DemoOptions {
  /** CI-sized run: 30 training digits per class, 2 epochs, 100 test digits per class. */
  quick?: boolean;
  /** Training digits per class. Default 100 (1 000 in all). */
  trainPerClass?: number;
  /** Held-out test digits per class. Default 500 (5 000 in all). */
  testPerClass?: number;
  /** Passes over the training set. Default 30. */
  epochs?: number;
  batchSize?: number;
  /**
   * CutMix's chance of mixing a batch (`prob`). Default 0.5, the official code's recipe for small data
   * (CIFAR); 1 (every batch) is its ImageNet recipe. docs/demo.md reports both.
   */
  cutmixProb?: number;
  /** Seed for the data order, the initial weights and every CutMix draw. Default 42. */
  seed?: number;
  /** Backend to train on. Default 'wasm'. */
  backend?: 'cpu' | 'wasm';
  /** Where the PNG goes. Default .tmp/demo (ignored by git). */
  outDir?: string;
  /** Write the PNG. Default true. */
  image?: boolean;
  /** Progress bar on stderr and the table on stdout. Default true. */
  log?: boolean;
}

export interface RunResult {
  name: 'plain' | 'cutmix';
  /** Mean training objective over the last epoch (for CutMix, the loss on mixed batches). */
  lastEpochObjective: number;
  /** Loss, accuracy and ECE on the (unmixed) training images after training. */
  train: Scores;
  test: Scores;
  /** Wall time of the training loop, seconds. */
  seconds: number;
}

export interface DemoResult {
  runs: RunResult[];
  trainSize: number;
  testSize: number;
  epochs: number;
  stepsPerRun: number;
  /** Path of the PNG, when written. */
  imagePath?: string;
  totalSeconds: number;
  numTensorsBefore: number;
  numTensorsAfter: number;
}

const LEARNING_RATE = 0.002;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `rows` images of `data` as an NHWC batch and their labels. */
function batchOf(data: Digits, rows: ArrayLike<number>): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const pixels = new Float32Array(rows.length * PIXELS);
  const labels = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    pixels.set(data.pixels.subarray(rows[i] * PIXELS, (rows[i] + 1) * PIXELS), i * PIXELS);
    labels[i] = data.labels[rows[i]];
  }
  return { xs: tf.tensor4d(pixels, [rows.length, SIDE, SIDE, 1]), ys: tf.tensor1d(labels, 'int32') };
}

/** Class probabilities for every image of `data`, predicted in chunks, scored against the labels. */
async function evaluate(model: tfl.Sequential, data: Digits): Promise<Scores> {
  const probs = new Float32Array(data.n * NUM_CLASSES);
  const chunk = 500;
  for (let start = 0; start < data.n; start += chunk) {
    const rows = Int32Array.from({ length: Math.min(chunk, data.n - start) }, (_, i) => start + i);
    const { xs, ys } = batchOf(data, rows);
    const p = tf.tidy(() => tf.softmax(model.predict(xs) as tf.Tensor2D));
    probs.set(await p.data(), start * NUM_CLASSES);
    tf.dispose([xs, ys, p]);
  }
  return score(probs, data.labels, NUM_CLASSES);
}

/** One training run: the same batches in the same order for both runs; `cutmix` decides the loss. */
async function train(
  name: RunResult['name'],
  model: tfl.Sequential,
  data: Digits,
  o: Required<Pick<DemoOptions, 'epochs' | 'batchSize' | 'cutmixProb' | 'seed' | 'log'>>,
): Promise<{ lastEpochObjective: number; seconds: number }> {
  const started = performance.now();
  const optimizer = tf.train.adam(LEARNING_RATE);
  const orderRng = seededRng(o.seed + 1); // same stream in both runs: same batches, same order
  const cutmix =
    name === 'cutmix' ? new CutMix({ alpha: 1, prob: o.cutmixProb, seed: o.seed + 2, dataFormat: 'NHWC' }) : undefined;
  const stepsPerEpoch = Math.ceil(data.n / o.batchSize);
  const bar = o.log ? progressBar(name, o.epochs * stepsPerEpoch) : undefined;
  let smoothed = NaN;
  let epochSum = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = shuffled(data.n, orderRng);
    epochSum = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      const { xs, ys } = batchOf(data, order.subarray(step * o.batchSize, (step + 1) * o.batchSize));
      const cost = optimizer.minimize(() => {
        if (cutmix) {
          const { images } = cutmix.mix(xs, ys);
          return cutmix.loss(model.apply(images, { training: true }) as tf.Tensor2D);
        }
        return tf.mean(
          softmaxCrossEntropyPerSample(ys, model.apply(xs, { training: true }) as tf.Tensor2D),
        ) as tf.Scalar;
      }, true) as tf.Scalar;
      const value = (await cost.data())[0];
      tf.dispose([xs, ys, cost]);
      epochSum += value;
      smoothed = Number.isNaN(smoothed) ? value : 0.95 * smoothed + 0.05 * value;
      if (bar) {
        bar.update(epoch * stepsPerEpoch + step + 1, { loss: smoothed.toFixed(4) });
        // On cpu and wasm, data() resolves without giving timers a turn: yield once per step so that the bar's
        // timer can draw its periodic line when stderr is not a terminal.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  bar?.stop();
  cutmix?.dispose();
  optimizer.dispose();
  return { lastEpochObjective: epochSum / stepsPerEpoch, seconds: (performance.now() - started) / 1000 };
}

/** The first nine training digits mixed by CutMix, as PNG tiles with their labels and weights. */
function mixedTiles(data: Digits, seed: number): Tile[] {
  const { xs, ys } = batchOf(data, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  // 'elem' mode so that each tile shows its own box and λ (training above uses the paper's per-batch mode).
  const mixed = cutmixBatch(xs, ys, { seed, mode: 'elem', dataFormat: 'NHWC' });
  const pixels = mixed.images.dataSync() as Float32Array;
  const [a, b] = [mixed.labelsA.dataSync(), mixed.labelsB.dataSync()];
  const tiles = Array.from({ length: 9 }, (_, i) => ({
    pixels: pixels.slice(i * PIXELS, (i + 1) * PIXELS),
    labelA: a[i],
    labelB: b[i],
    lam: mixed.lam[i],
    box: mixed.boxes[i],
  }));
  tf.dispose([xs, ys, mixed.images, mixed.labelsA, mixed.labelsB]);
  return tiles;
}

/**
 * Runs the demo: trains plain and CutMix, scores both, prints the table and writes the PNG.
 * @param options See {@link DemoOptions}; the command line maps onto them.
 */
export async function main(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const quick = options.quick ?? false;
  const o = {
    trainPerClass: options.trainPerClass ?? (quick ? 30 : 100),
    testPerClass: options.testPerClass ?? (quick ? 100 : 500),
    epochs: options.epochs ?? (quick ? 2 : 30),
    batchSize: options.batchSize ?? 32,
    cutmixProb: options.cutmixProb ?? 0.5,
    seed: options.seed ?? 42,
    log: options.log ?? true,
  };
  const backend = options.backend ?? 'wasm';
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend failed to initialise`);
  await tf.ready();
  registerWasmConv2dFilterGrad();
  const numTensorsBefore = tf.memory().numTensors;

  const { train: trainSet, test: testSet } = loadDigits(o.trainPerClass, o.testPerClass, seededRng(o.seed));
  const stepsPerRun = o.epochs * Math.ceil(trainSet.n / o.batchSize);
  if (o.log) {
    console.error(
      `${backend} backend: ${trainSet.n} training digits, ${testSet.n} held-out test digits, ` +
        `${o.epochs} epochs of batch ${o.batchSize} (${stepsPerRun} steps per run); ` +
        `CutMix α = 1, prob = ${o.cutmixProb}, one box per batch`,
    );
  }

  const plainModel = buildCnn(o.seed);
  const cutmixModel = cloneCnn(plainModel, o.seed); // same initial weights
  const runs: RunResult[] = [];
  for (const [name, model] of [
    ['plain', plainModel],
    ['cutmix', cutmixModel],
  ] as const) {
    const { lastEpochObjective, seconds } = await train(name, model, trainSet, o);
    runs.push({
      name,
      lastEpochObjective,
      seconds,
      train: await evaluate(model, trainSet),
      test: await evaluate(model, testSet),
    });
    model.dispose();
  }

  let imagePath: string | undefined;
  if (options.image ?? true) {
    const outDir = resolve(options.outDir ?? join(ROOT, '.tmp', 'demo'));
    mkdirSync(outDir, { recursive: true });
    imagePath = join(outDir, 'cutmix-batch.png');
    writeFileSync(imagePath, renderGrid(mixedTiles(trainSet, o.seed), SIDE, 3));
  }

  const result: DemoResult = {
    runs,
    trainSize: trainSet.n,
    testSize: testSet.n,
    epochs: o.epochs,
    stepsPerRun,
    imagePath,
    totalSeconds: (performance.now() - started) / 1000,
    numTensorsBefore,
    numTensorsAfter: tf.memory().numTensors,
  };
  if (o.log) {
    console.log(formatTable(result));
    console.log(
      `\n${result.trainSize} training / ${result.testSize} test digits, ${result.epochs} epochs, ` +
        `total ${result.totalSeconds.toFixed(1)} s; tensors before ${numTensorsBefore}, after ${result.numTensorsAfter}` +
        (imagePath ? `\nwrote ${imagePath}` : ''),
    );
  }
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { demoOptions } = await import('./demo/args.js');
  await main(demoOptions(process.argv.slice(2), join(ROOT, 'docs', 'images')));
}

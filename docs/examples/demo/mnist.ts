/**
 * The MNIST digits shipped inside the `mnist` package (863 to 1 127 per class; nothing is downloaded),
 * split into a training subset, a disjoint held-out test set and a disjoint validation set (for choosing
 * settings without looking at the test set). The package's own `set()` shuffles with `Math.random`; here
 * each class is sliced by index and the sets are shuffled with a seeded stream, so every run sees the same
 * images in the same order.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import type { Rng } from 'tfjs-cutmix';

/** One class of the `mnist` package: `set(start, end)` returns samples start..end (inclusive). */
interface MnistClass {
  length: number;
  set(start: number, end: number): { input: number[]; output: number[] }[];
}

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const NUM_CLASSES = 10;

/** Images as 28×28 grey values in [0, 1] (row-major, one channel), with their class labels. */
export interface Digits {
  n: number;
  pixels: Float32Array;
  labels: Int32Array;
}

/**
 * Fisher–Yates with the given stream: a seeded order.
 * @param n Number of items.
 * @param rng The stream that decides the order.
 */
export function shuffled(n: number, rng: Rng): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function collect(classes: MnistClass[], start: number, count: number, rng: Rng): Digits {
  const samples = classes.flatMap((c) => c.set(start, start + count - 1));
  const order = shuffled(samples.length, rng);
  const pixels = new Float32Array(samples.length * PIXELS);
  const labels = new Int32Array(samples.length);
  order.forEach((from, to) => {
    pixels.set(samples[from].input, to * PIXELS);
    labels[to] = samples[from].output.indexOf(1);
  });
  return { n: samples.length, pixels, labels };
}

/** Validation digits per class: the 100 after the largest test set the demo uses (index 600 to 699). */
export const VALIDATION_PER_CLASS = 100;
const VALIDATION_START = 600;

/**
 * `trainPerClass` digits of each class for training (the first ones of each class), the next
 * `testPerClass` of each class for testing, and digits 600–699 of each class for validation; the three
 * never overlap.
 *
 * @example
 * ```ts
 * const { train, test, validation } = loadDigits(100, 500, seededRng(42)); // 1 000, 5 000 and 1 000 digits
 * ```
 * @param trainPerClass Training digits per class.
 * @param testPerClass Test digits per class; train + test at most 600.
 * @param rng Shuffles each set.
 */
export function loadDigits(
  trainPerClass: number,
  testPerClass: number,
  rng: Rng,
): { train: Digits; test: Digits; validation: Digits } {
  if (trainPerClass + testPerClass > VALIDATION_START) {
    throw new Error(
      `train + test digits per class must be at most ${VALIDATION_START}, but got ${trainPerClass} + ${testPerClass}`,
    );
  }
  const classes = (createRequire(import.meta.url)('mnist') as MnistClass[]).slice(0, NUM_CLASSES);
  return {
    train: collect(classes, 0, trainPerClass, rng),
    test: collect(classes, trainPerClass, testPerClass, rng),
    validation: collect(classes, VALIDATION_START, VALIDATION_PER_CLASS, rng),
  };
}

/**
 * Images `rows` of `data` as an NHWC batch `[n, 28, 28, 1]` and their int32 labels.
 * @param data The digits.
 * @param rows Indices into `data`.
 */
export function batchOf(data: Digits, rows: ArrayLike<number>): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const pixels = new Float32Array(rows.length * PIXELS);
  const labels = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    pixels.set(data.pixels.subarray(rows[i] * PIXELS, (rows[i] + 1) * PIXELS), i * PIXELS);
    labels[i] = data.labels[rows[i]];
  }
  return { xs: tf.tensor4d(pixels, [rows.length, SIDE, SIDE, 1]), ys: tf.tensor1d(labels, 'int32') };
}

/**
 * The first `n` digits of `data` (all of them when `n` ≥ data.n).
 * @param data The digits.
 * @param n How many to keep.
 */
export function firstDigits(data: Digits, n: number): Digits {
  const m = Math.min(n, data.n);
  return { n: m, pixels: data.pixels.subarray(0, m * PIXELS), labels: data.labels.subarray(0, m) };
}

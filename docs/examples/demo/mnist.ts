/**
 * The MNIST digits shipped inside the `mnist` package (about 1 000 per class; nothing is downloaded),
 * split into a training subset and a disjoint held-out test set. The package's own `set()` shuffles with
 * `Math.random`; here each class is sliced by index and the sets are shuffled with a seeded stream, so
 * every run sees the same images in the same order.
 */
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

/**
 * `trainPerClass` digits of each class for training (the first ones of each class) and the next
 * `testPerClass` of each class for testing, so the two never overlap.
 *
 * @example
 * ```ts
 * const { train, test } = loadDigits(100, 500, seededRng(42)); // 1 000 and 5 000 digits
 * ```
 * @param trainPerClass Training digits per class.
 * @param testPerClass Test digits per class.
 * @param rng Shuffles each set.
 */
export function loadDigits(trainPerClass: number, testPerClass: number, rng: Rng): { train: Digits; test: Digits } {
  const classes = createRequire(import.meta.url)('mnist') as MnistClass[];
  const smallest = Math.min(...classes.slice(0, NUM_CLASSES).map((c) => c.length));
  if (trainPerClass + testPerClass > smallest) {
    throw new Error(`only ${smallest} digits in the smallest class; asked for ${trainPerClass} + ${testPerClass}`);
  }
  return {
    train: collect(classes.slice(0, NUM_CLASSES), 0, trainPerClass, rng),
    test: collect(classes.slice(0, NUM_CLASSES), trainPerClass, testPerClass, rng),
  };
}

/**
 * Scores a trained model as the paper's robustness section does, at MNIST scale (docs/demo.md): clean
 * accuracy, loss and ECE on the test digits; accuracy under centre and boundary occlusion for each hole
 * size; accuracy under FGSM for each ε. Everything happens in the pixel space the model trains on, [0, 1]
 * grey values where 0 is the background.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { score, type Scores } from './metrics.js';
import { batchOf, NUM_CLASSES, SIDE, type Digits } from './mnist.js';

export type Occlusion = 'centre' | 'boundary';

export interface Grids {
  /** Side s of the centred square, in pixels (0…28). */
  sizes: number[];
  /** FGSM step sizes ε, in grey levels of [0, 1]. */
  epsilons: number[];
}

export interface Robustness {
  /** Accuracy with a centred s×s hole zeroed, one per `sizes`. */
  centre: number[];
  /** Accuracy with everything outside a centred s×s square zeroed, one per `sizes`. */
  boundary: number[];
  /** Accuracy on FGSM images, one per `epsilons`. */
  fgsm: number[];
}

const CHUNK = 500;

/**
 * The 0/1 mask of an occlusion: 0 where pixels are zeroed. The square spans rows and columns
 * [⌊(side − s)/2⌋, ⌊(side − s)/2⌋ + s). Centre zeroes the square (s = 0: nothing); boundary zeroes all
 * but the square (s = 0: everything).
 * @param kind 'centre' or 'boundary'.
 * @param s Side of the square, 0…side.
 * @param side Image side. Default 28.
 */
export function occlusionMask(kind: Occlusion, s: number, side = SIDE): Float32Array {
  if (!Number.isInteger(s) || s < 0 || s > side) throw new Error(`s must be an integer in [0, ${side}], but got ${s}`);
  const start = Math.floor((side - s) / 2);
  const inside = (i: number) => i >= start && i < start + s;
  return Float32Array.from({ length: side * side }, (_, p) => {
    const square = inside(Math.floor(p / side)) && inside(p % side);
    return (kind === 'centre') === square ? 0 : 1;
  });
}

/**
 * FGSM's direction (Goodfellow et al. 2015), sign(∇ₓ loss(f(x), y)) for the softmax cross-entropy, with the
 * input gradient taken by `tf.grad` through the model; the attack is x' = clip(x + ε·direction, 0, 1).
 *
 * The gradient of the cross-entropy with respect to the logits z is p − onehot(y), which is
 * (1 − p_y)·c with c_j = softmax over the other classes (j ≠ y) and c_y = −1. A positive factor per sample
 * leaves the sign of ∇ₓ unchanged, so the direction is taken as sign(∇ₓ Σ c·z) with c held constant. This is
 * the same direction in exact arithmetic; computed naively, float32 rounds p_y to 1 for very confident
 * digits, their gradient is exactly 0 and FGSM leaves them untouched (gradient masking), which would credit
 * an overconfident model with robustness it does not have.
 * @param model The trained model.
 * @param xs Clean images `[n, 28, 28, 1]`.
 * @param ys Their int32 labels.
 */
export function fgsmDirection(model: tfl.Sequential, xs: tf.Tensor4D, ys: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => {
    const onehot = tf.cast(tf.oneHot(ys, NUM_CLASSES), 'float32');
    const logits = model.apply(xs) as tf.Tensor2D;
    // Softmax over the other classes: the true class's logit pushed far below the rest (exp gives 0).
    const others = tf.softmax(tf.sub(logits, tf.mul(onehot, 1e9)));
    const c = tf.sub(others, onehot);
    const surrogate = (x: tf.Tensor) => tf.sum(tf.mul(model.apply(x) as tf.Tensor2D, c));
    return tf.sign(tf.grad(surrogate)(xs)) as tf.Tensor4D;
  });
}

/** How many of the images `images()` makes (inside a tidy) `model` classifies as `ys`. */
function hits(model: tfl.Sequential, ys: tf.Tensor1D, images: () => tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(model.apply(images()) as tf.Tensor2D, 1), ys), 'int32')));
}

/**
 * Accuracy, loss and ECE of `model` on clean `data`.
 * @param model The trained model.
 * @param data The digits to score.
 */
export async function scoreClean(model: tfl.Sequential, data: Digits): Promise<Scores> {
  const probs = new Float32Array(data.n * NUM_CLASSES);
  for (let start = 0; start < data.n; start += CHUNK) {
    const { xs, ys } = batchOf(data, range(start, Math.min(data.n, start + CHUNK)));
    try {
      const p = tf.tidy(() => tf.softmax(model.apply(xs) as tf.Tensor2D));
      probs.set(await p.data(), start * NUM_CLASSES);
      p.dispose();
    } finally {
      tf.dispose([xs, ys]);
    }
  }
  return score(probs, data.labels, NUM_CLASSES);
}

/**
 * Accuracy under centre and boundary occlusion for every hole size, and under FGSM for every ε.
 * @param model The trained model.
 * @param data The test digits the curves use (a subset of the test set, for time).
 * @param grids Hole sizes and ε.
 */
export async function scoreRobustness(model: tfl.Sequential, data: Digits, grids: Grids): Promise<Robustness> {
  const kinds = ['centre', 'boundary'] as const;
  const masks = kinds.map((kind) => grids.sizes.map((s) => tf.tensor4d(occlusionMask(kind, s), [1, SIDE, SIDE, 1])));
  const counts = {
    centre: grids.sizes.map(() => 0),
    boundary: grids.sizes.map(() => 0),
    fgsm: grids.epsilons.map(() => 0),
  };
  try {
    for (let start = 0; start < data.n; start += CHUNK) {
      const { xs, ys } = batchOf(data, range(start, Math.min(data.n, start + CHUNK)));
      const pending: [number[], number, tf.Scalar][] = [];
      let direction: tf.Tensor4D | undefined;
      try {
        kinds.forEach((kind, k) =>
          masks[k].forEach((mask, i) => pending.push([counts[kind], i, hits(model, ys, () => tf.mul(xs, mask))])),
        );
        const sign = (direction = fgsmDirection(model, xs, ys));
        grids.epsilons.forEach((eps, i) =>
          pending.push([counts.fgsm, i, hits(model, ys, () => tf.clipByValue(tf.add(xs, tf.mul(sign, eps)), 0, 1))]),
        );
        for (const [into, i, count] of pending) into[i] += (await count.data())[0];
      } finally {
        tf.dispose([xs, ys, ...(direction ? [direction] : []), ...pending.map(([, , count]) => count)]);
      }
    }
  } finally {
    tf.dispose(masks.flat());
  }
  const accuracy = (c: number[]) => c.map((v) => v / data.n);
  return { centre: accuracy(counts.centre), boundary: accuracy(counts.boundary), fgsm: accuracy(counts.fgsm) };
}

function range(from: number, to: number): Int32Array {
  return Int32Array.from({ length: to - from }, (_, i) => from + i);
}

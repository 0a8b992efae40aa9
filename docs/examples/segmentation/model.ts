/**
 * The segmentation example's per-pixel model and loss: a 3×3 convolution (relu) and a 1×1 convolution to
 * one logit per class and pixel (NHWC, 'same' padding: the output is as tall and wide as the input).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers builds the model and, as a side effect, registers the gradients training needs.
import * as tfl from '@tensorflow/tfjs-layers';
import { CHANNELS, NUM_CLASSES, SIDE } from './data.js';

/** @param seed Seeds the kernels' Glorot-uniform initialisers. */
export function buildSegmenter(seed: number, hidden = 8): tfl.Sequential {
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [SIDE, SIDE, CHANNELS],
        filters: hidden,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.conv2d({ filters: NUM_CLASSES, kernelSize: 1, kernelInitializer: init(2) }),
    ],
  });
}

/**
 * Per-pixel softmax cross-entropy, averaged over every pixel of the batch. For segmentation the (mixed)
 * mask carries the label of each pixel, so this is the whole CutMix loss: no λ weighting (`cutmixLoss` is
 * for one label per image).
 * @param masks int32 class per pixel, `[N, H, W, 1]`.
 * @param logits float32 `[N, H, W, K]`.
 */
export function pixelCrossEntropy(masks: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const k = logits.shape[logits.rank - 1];
    const targets = tf.oneHot(tf.reshape(masks, [-1]) as tf.Tensor1D, k);
    const logProbs = tf.logSoftmax(tf.reshape(logits, [-1, k]) as tf.Tensor2D);
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, logProbs), -1))) as tf.Scalar;
  });
}

/** Pixel accuracy and per-class intersection over union of predicted classes against true ones. */
export function scorePixels(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
): { accuracy: number; iou: number[] } {
  const inter = new Array<number>(NUM_CLASSES).fill(0);
  const union = new Array<number>(NUM_CLASSES).fill(0);
  let right = 0;
  for (let i = 0; i < truth.length; i++) {
    const [p, t] = [predicted[i], truth[i]];
    if (p === t) {
      right++;
      inter[t]++;
      union[t]++;
    } else {
      union[p]++;
      union[t]++;
    }
  }
  return { accuracy: right / truth.length, iou: inter.map((v, k) => (union[k] === 0 ? NaN : v / union[k])) };
}

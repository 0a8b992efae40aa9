/**
 * One training run of one arm: plain, MixUp or CutMix. Every arm of a seed starts from the same weights
 * (the caller clones them) and sees the same batches in the same order (the order stream depends on the
 * seed only); the arms differ only in what is done to each batch before the loss.
 */
import * as tf from '@tensorflow/tfjs-core';
// Types only: model.ts loads tfjs-layers, which registers the gradients training needs.
import type * as tfl from '@tensorflow/tfjs-layers';
import { CutMix, cutmixLoss, mixupBatch, seededRng, softmaxCrossEntropyPerSample } from 'tfjs-cutmix';
import { batchOf, shuffled, type Digits } from './mnist.js';

export type Arm = 'plain' | 'mixup' | 'cutmix';
export const ARMS: readonly Arm[] = ['plain', 'mixup', 'cutmix'];
export const ARM_LABEL: Record<Arm, string> = { plain: 'plain', mixup: 'MixUp', cutmix: 'CutMix' };

/** λ ~ Beta(α, α); a batch is mixed with chance `prob` (one λ and one partner permutation per batch). */
export interface MixSetup {
  alpha: number;
  prob: number;
}

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  mixup: MixSetup;
  cutmix: MixSetup;
}

/** The seed of one random stream of a run: distinct per seed and role, so no two streams coincide. */
export function streamSeed(seed: number, role: 'weights' | 'order' | 'cutmix' | 'mixup'): number {
  return 1000 * seed + { weights: 0, order: 10, cutmix: 20, mixup: 30 }[role];
}

/**
 * Trains `model` in place for `s.epochs` passes over `data` with Adam.
 * @param arm What happens to each batch: nothing, `mixupBatch` or the `CutMix` adapter (NHWC).
 * @param model The model, already holding the seed's initial weights.
 * @param data Training digits.
 * @param s Epochs, batch size, learning rate and each mixing arm's α and prob.
 * @param seed The run's seed (batch order and mixing draws).
 * @param onStep Called after every step with the step's objective.
 * @returns The mean objective over the last epoch (for a mixing arm, the loss on mixed batches).
 */
export async function trainArm(
  arm: Arm,
  model: tfl.Sequential,
  data: Digits,
  s: TrainSettings,
  seed: number,
  onStep?: (objective: number) => void | Promise<void>,
): Promise<number> {
  const optimizer = tf.train.adam(s.learningRate);
  const orderRng = seededRng(streamSeed(seed, 'order'));
  const cutmix =
    arm === 'cutmix' ? new CutMix({ ...s.cutmix, seed: streamSeed(seed, 'cutmix'), dataFormat: 'NHWC' }) : undefined;
  const mixupRng = seededRng(streamSeed(seed, 'mixup'));
  const logitsOf = (images: tf.Tensor4D) => model.apply(images, { training: true }) as tf.Tensor2D;
  const stepsPerEpoch = Math.ceil(data.n / s.batchSize);
  let epochSum = 0;
  try {
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      const order = shuffled(data.n, orderRng);
      epochSum = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        const { xs, ys } = batchOf(data, order.subarray(step * s.batchSize, (step + 1) * s.batchSize));
        let value: number;
        try {
          const cost = optimizer.minimize(() => {
            if (cutmix) return cutmix.loss(logitsOf(cutmix.mix(xs, ys).images));
            if (arm === 'mixup') {
              const m = mixupBatch(xs, ys, { ...s.mixup, rng: mixupRng, dataFormat: 'NHWC' });
              return cutmixLoss(logitsOf(m.images), m.labelsA, m.labelsB, m.lam);
            }
            return tf.mean(softmaxCrossEntropyPerSample(ys, logitsOf(xs))) as tf.Scalar;
          }, true) as tf.Scalar;
          value = (await cost.data())[0];
          cost.dispose();
        } finally {
          tf.dispose([xs, ys]);
        }
        epochSum += value;
        await onStep?.(value);
      }
    }
  } finally {
    cutmix?.dispose();
    optimizer.dispose();
  }
  return epochSum / stepsPerEpoch;
}

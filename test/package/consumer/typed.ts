// TypeScript consumer: typechecked (`tsc --noEmit --strict`, no skipLibCheck) against the installed tarball
// under moduleResolution node16/nodenext (as ESM .mts and CommonJS .cts), bundler and node10. Every
// `@ts-expect-error` below must fire: it proves the types are real, not `any`.
import * as tf from '@tensorflow/tfjs-core';
import {
  CutMix,
  cutmixBatch,
  cutmixLoss,
  mixTargets,
  type Box,
  type CutMixOptions,
  type CutMixResult,
} from 'tfjs-cutmix';
import { cutmixDataset, type MixedBatch } from 'tfjs-cutmix/data';
import type { Dataset } from '@tensorflow/tfjs-data';

export function step(images: tf.Tensor4D, labels: tf.Tensor1D, logits: tf.Tensor2D): tf.Scalar {
  const options: CutMixOptions = { alpha: 1, seed: 42, dataFormat: 'NHWC', mode: 'elem' };
  const r: CutMixResult = cutmixBatch(images, labels, options);
  const lam: Float32Array = r.lam;
  const boxes: Box[] = r.boxes;
  const partners: Int32Array = r.partners;
  const mixedImages: tf.Tensor4D = r.images;
  // @ts-expect-error -- alpha is a number
  cutmixBatch(images, labels, { alpha: 'big' });
  const targets: tf.Tensor2D = mixTargets(r.labelsA, r.labelsB, lam, { numClasses: 10 });
  const loss: tf.Scalar = cutmixLoss(logits, r.labelsA, r.labelsB, lam);
  tf.dispose([mixedImages, targets, r.labelsA, r.labelsB]);
  void boxes;
  void partners;
  return loss;
}

export function adapter(images: tf.Tensor4D, labels: tf.Tensor1D, logits: tf.Tensor2D): tf.Scalar {
  const cutmix = new CutMix({ alpha: 1, seed: 7, dataFormat: 'NHWC' });
  const { images: mixed } = cutmix.mix(images, labels);
  const loss: tf.Scalar = cutmix.loss(logits);
  // @ts-expect-error -- mix needs labels
  cutmix.mix(images);
  tf.dispose(mixed);
  cutmix.dispose();
  return loss;
}

export function dataset(source: Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor1D }>): Dataset<MixedBatch> {
  return cutmixDataset(source, { numClasses: 10, labelSmoothing: 0.1, seed: 1 });
}

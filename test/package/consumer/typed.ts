// TypeScript consumer: typechecked (`tsc --noEmit --strict`, no skipLibCheck) against the installed tarball
// under moduleResolution node16/nodenext (as ESM .mts and CommonJS .cts), bundler and node10. Every
// `@ts-expect-error` below must fire: it proves the types are real, not `any`.
import * as tf from '@tensorflow/tfjs-core';
import {
  applyCutmix,
  CutMix,
  cutmixBatch,
  cutmixLoss,
  cutmixObjects,
  mixTargets,
  randBox,
  sigmoidCrossEntropyPerSample,
  type Box,
  type Box1D,
  type Box3D,
  type CutMixOptions,
  type CutMixPlan,
  type CutMixResult,
  type ObjectBox,
} from 'tfjs-cutmix';
import { cutmixDataset, type MixedBatch } from 'tfjs-cutmix/data';
import { registerWasmGradients, WASM_GRADIENT_KERNELS } from 'tfjs-cutmix/wasm-grad';
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

export function plan(images: tf.Tensor4D, masks: tf.Tensor4D, labels: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  const r = cutmixBatch(images, labels, { seed: 1, mode: 'pair', correctLam: false });
  const kept: CutMixPlan = r;
  const mixedMasks: tf.Tensor4D = applyCutmix(masks, kept, { dataFormat: 'NCHW' });
  const objects: ObjectBox[][] = cutmixObjects([[{ y1: 0, x1: 0, y2: 1, x2: 1, cls: 'cat' }]], r, { minVisible: 0.2 });
  const stretch: Box1D = randBox([16000], 0.5).box;
  const cube: Box3D = randBox([8, 16, 16], 0.5).box;
  // @ts-expect-error -- a 2-D box is not a 3-D one
  const wrong: Box3D = randBox([16, 16], 0.5).box;
  // @ts-expect-error -- correctLam is a boolean
  cutmixBatch(images, labels, { correctLam: 'no' });
  const loss = cutmixLoss(logits, r.labelsA, r.labelsB, r.lam, sigmoidCrossEntropyPerSample);
  tf.dispose([r.images, r.labelsA, r.labelsB, mixedMasks]);
  void [objects, stretch, cube, wrong];
  return loss;
}

/** tfjs-cutmix/wasm-grad: importing it registers the kernels; the call reports which are this package's. */
export function wasmGradients(): string[] {
  const ours: string[] = registerWasmGradients();
  const all: readonly string[] = WASM_GRADIENT_KERNELS;
  // @ts-expect-error -- the list is read-only
  WASM_GRADIENT_KERNELS.push('MaxPoolGrad');
  // @ts-expect-error -- registerWasmGradients takes no argument
  registerWasmGradients({ replace: true });
  return ours.filter((name) => all.includes(name));
}

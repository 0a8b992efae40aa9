// TypeScript consumer: typechecked (`tsc --noEmit --strict`, no skipLibCheck) against the installed tarball
// under moduleResolution node16/nodenext (as ESM .mts and CommonJS .cts), bundler and node10, with
// TypeScript 5.9 and the current 7.x. Every `@ts-expect-error` below must fire: it proves the types are
// real, not `any`. The `natural*` functions are what a TF.js user writes first.
import * as tf from '@tensorflow/tfjs-core';
import {
  applyCutmix,
  CutMix,
  cutmixBatch,
  mixupBatch,
  mixupOrCutmix,
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
import { cutmixDataset, oneHotDataset, type ImageBatch, type MixedBatch } from 'tfjs-cutmix/data';
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
  // Labels may be omitted (a masks-only batch): then the result has none.
  const unlabelled = cutmix.mix(images);
  // @ts-expect-error -- no labels in, no labels out
  void unlabelled.labelsA;
  tf.dispose([mixed, unlabelled.images]);
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

/** Inline tensors of rank 3 and 5 keep their rank: one generic signature per op. */
export function naturalRanks(ys: tf.Tensor1D, plan: CutMixPlan<Box1D>): void {
  const signals = cutmixBatch(tf.zeros([2, 1, 16]), ys);
  const stretch: Box1D = signals.boxes[0] as Box1D;
  const masks = applyCutmix(tf.zeros([2, 16, 1], 'int32'), plan, { dataFormat: 'NWC' });
  const volumes = mixupBatch(tf.zeros([2, 1, 4, 4, 4]), ys);
  const v: tf.Tensor5D = cutmixBatch(tf.zeros([2, 1, 4, 4, 4]) as tf.Tensor5D, ys).images;
  const cube: Box3D = cutmixBatch(v, ys, { dataFormat: 'channelsFirst' }).boxes[0];
  const noLabels = cutmixBatch(tf.zeros([2, 8, 8, 3]) as tf.Tensor4D, undefined, { dataFormat: 'channelsLast' });
  const fromNoLabels: tf.Tensor4D = noLabels.images;
  void [stretch, masks, volumes, cube, fromNoLabels];
}

/** `Dataset<ImageBatch>` in, `Dataset<MixedBatch>` out; validation data as the model now wants it. */
export function naturalDataset(batches: Dataset<tf.TensorContainer>): Dataset<MixedBatch>[] {
  const m: Dataset<MixedBatch> = cutmixDataset(batches as Dataset<ImageBatch>);
  const withMasks: Dataset<MixedBatch> = cutmixDataset(batches, { numClasses: 10, alsoCut: ['masks'] });
  const val: Dataset<MixedBatch> = oneHotDataset(batches, { numClasses: 10 });
  return [m, withMasks, val];
}

/** A user's own detection type: accepted as it is, returned with its own fields typed. */
interface Detection {
  y1: number;
  x1: number;
  y2: number;
  x2: number;
  label: number;
}

export function naturalObjects(images: tf.Tensor4D, labels: tf.Tensor1D, detections: Detection[][]): number {
  const plan = cutmixBatch(images, labels, { seed: 1, dataFormat: 'NHWC' });
  const moved: Detection[][] = cutmixObjects(detections, plan);
  const cutmix = new CutMix({ seed: 1, dataFormat: 'NHWC' });
  const r = cutmix.mix(images, labels, { objects: detections });
  const label: number = r.objects[0][0].label + moved[0][0].label;
  tf.dispose([plan.images, plan.labelsA, plan.labelsB, r.images]);
  cutmix.dispose();
  return label;
}

/** An extra tensor that may be undefined is typed so; a given one is a Tensor. */
export function naturalOptionalTarget(images: tf.Tensor4D, labels: tf.Tensor1D, maybe: tf.Tensor4D | undefined): void {
  const cutmix = new CutMix({ seed: 1, dataFormat: 'NHWC', numClasses: 10, labelSmoothing: 0.1, switchProb: 1 });
  const r = cutmix.mix(images, labels, { masks: maybe, depth: images });
  // @ts-expect-error -- may be undefined
  const masks: tf.Tensor = r.masks;
  const depth: tf.Tensor = r.depth;
  const method: 'cutmix' | 'mixup' | 'none' = r.method;
  const targets: tf.Tensor2D = cutmix.targets();
  tf.dispose([r.images, depth, targets, ...(r.masks ? [r.masks] : [])]);
  void [masks, method];
  cutmix.dispose();
}

/** Labels that may be undefined (batches with or without them): the label outputs are typed optional. */
export function naturalOptionalLabels(images: tf.Tensor4D, maybe: tf.Tensor1D | undefined): void {
  const cut = cutmixBatch(images, maybe, { dataFormat: 'NHWC' });
  // @ts-expect-error -- may be undefined
  const a: tf.Tensor = cut.labelsA;
  const blend = mixupBatch(images, maybe, { dataFormat: 'NHWC' });
  // @ts-expect-error -- may be undefined
  const b: tf.Tensor = blend.labelsB;
  const either = mixupOrCutmix(images, maybe, { dataFormat: 'NHWC' });
  // @ts-expect-error -- may be undefined
  const c: tf.Tensor = either.labelsA;
  const cutmix = new CutMix({ dataFormat: 'NHWC' });
  const kept = cutmix.mix(images, maybe);
  // @ts-expect-error -- may be undefined
  const d: tf.Tensor = kept.labelsB;
  // Given labels still give labels, and none give none.
  const given: tf.Tensor = cutmixBatch(images, tf.zeros([2], 'int32'), { dataFormat: 'NHWC' }).labelsA;
  // @ts-expect-error -- no labels in, no labels out
  void cutmixBatch(images, undefined, { dataFormat: 'NHWC' }).labelsA;
  void [a, b, c, d, given];
  cutmix.dispose();
}

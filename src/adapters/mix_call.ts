import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { CheckedBatch } from '../common/batch.js';
import { assertBoolean, describeValue, fail, keyPath, readOptions } from '../common/validate.js';
import { checkTarget, pasteWithPlan, type CheckedMix, type MixResult } from '../ops/runner.js';
import { cloneBox, emptyBox } from '../plan/box.js';

/** One `CutMix.mix` call's options, read once: the training switch, objects, and extra tensors by name. */
export interface MixCall {
  training: boolean | undefined;
  objects: unknown;
  /** Extra tensors to cut with the images, not yet checked against the batch. */
  extras: [name: string, value: unknown][];
}

/** Fields of a `mix` result that an extra tensor's name may not take. */
const RESULT_FIELDS: readonly string[] = ['images', 'labelsA', 'labelsB', 'lam', 'boxes', 'partners', 'method'];

/** Reads `mix`'s options once; an explicit `undefined` is an absent extra, as an absent option is elsewhere. */
export function readMixCall(fn: string, options: unknown): MixCall {
  const { training, objects, ...extras } = readOptions(fn, 'options', options, null);
  if (training !== undefined) assertBoolean(fn, 'options.training', training);
  return {
    training: training as boolean | undefined,
    objects,
    extras: Object.entries(extras).filter(([, t]) => t !== undefined),
  };
}

/** Checks each extra tensor against the images' batch (layout, sizes, a paste dtype) and its name. */
export function checkExtras(fn: string, extras: MixCall['extras'], batch: CheckedBatch): [string, Tensor][] {
  return extras.map(([name, t]) => {
    const arg = keyPath('options', name);
    if (RESULT_FIELDS.includes(name)) {
      fail(fn, arg, `named apart from the result's own fields (${RESULT_FIELDS.join(', ')})`, 'a clash');
    }
    if (!(t instanceof tf.Tensor)) {
      const expected =
        'a tf.Tensor to cut with the images (an extra target; the other options are training and objects)';
      fail(fn, arg, expected, describeValue(t));
    }
    return [name, checkTarget(fn, arg, t, batch, 'images')];
  });
}

/**
 * The extra tensors cut with the result's plan (cloned in evaluation); on failure the result's own tensors
 * are disposed too, so a failed call leaves nothing behind.
 */
export function cutExtras(
  result: MixResult,
  extras: readonly [string, Tensor][],
  batch: CheckedBatch,
  training: boolean,
): Record<string, Tensor> {
  try {
    return tf.tidy(() =>
      Object.fromEntries(extras.map(([name, t]) => [name, training ? pasteWithPlan(t, result, batch) : tf.clone(t)])),
    );
  } catch (error) {
    tf.dispose([result.images, result.labelsA ?? [], result.labelsB ?? []]);
    throw error;
  }
}

/** The largest value, without spreading a large array into arguments; undefined for none. */
export function largest(values: ArrayLike<number>): number | undefined {
  let max: number | undefined;
  for (let i = 0; i < values.length; i++) if (max === undefined || values[i] > max) max = values[i];
  return max;
}

/** Evaluation: the batch as it is, λ = 1, empty boxes, partners i → i; every tensor new. */
export function passThrough(images: Tensor, labels: Tensor | undefined, checked: CheckedMix): MixResult {
  const { n, spatial } = checked.batch;
  const none = emptyBox(spatial.length);
  return {
    ...tf.tidy(() => ({
      images: tf.clone(images),
      ...(labels && { labelsA: tf.clone(labels), labelsB: tf.clone(labels) }),
    })),
    lam: new Float32Array(n).fill(1),
    boxes: Array.from({ length: n }, () => cloneBox(none)),
    partners: Int32Array.from({ length: n }, (_, i) => i),
  };
}

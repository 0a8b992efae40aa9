import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorContainer, TensorContainerObject } from '@tensorflow/tfjs-core';
import type { DtypeRule } from '../common/batch.js';
import { describeValue, fail, failMust } from '../common/validate.js';
import { checkMix, checkTarget, pasteWithPlan, runMix } from '../ops/runner.js';
import type { Box } from '../plan/box.js';
import type { MixSettings } from '../plan/options.js';
import { moveObjects } from '../targets/cutmix_objects.js';
import { assertIndexClasses, checkClassIndices } from '../targets/labels.js';
import { blendTargets } from '../targets/mix_targets.js';
import { readBatchObjects } from '../targets/read_objects.js';

/** `cutmixDataset`'s options, read once when the dataset is made. */
export interface DatasetSettings {
  fn: string;
  mix: MixSettings;
  numClasses: number | undefined;
  labelSmoothing: number;
  alsoCut: readonly string[];
  minVisible: number;
  dtypes: DtypeRule;
}

const UNBATCHED = 'if the dataset is unbatched, call .batch(n) on it before cutmixDataset';
/** One unbatched sample with a one-hot label `[K]` reads as a batch of H images: its rows get the hint. */
const NAMES = { images: 'element.xs', labels: 'element.ys', rank1RowsHint: UNBATCHED };

/**
 * One element of the dataset, mixed: `xs` cut, `ys` (when present) turned into soft targets, the keys of
 * `alsoCut` cut with the same plan, other keys passed through. Runs inside tf.data's tidy.
 */
export function mixElement(d: DatasetSettings, given: TensorContainer): TensorContainerObject {
  const { fn } = d;
  if (given === null || typeof given !== 'object' || Array.isArray(given) || given instanceof tf.Tensor) {
    fail(fn, 'element', 'an object { xs, ys } (a batched dataset)', describeValue(given));
  }
  // Each key read once: what is checked is what is mixed and passed through.
  const element = { ...(given as TensorContainerObject) };
  const { xs, ys } = element;
  rejectUnbatched(fn, xs, ys);
  const checked = checkMix(d.mix, xs, ys, NAMES, d.dtypes);
  const labels = checked.labels;
  const k = labels === undefined ? undefined : classesOf(d, labels);
  const extras = d.alsoCut.map((key) => {
    const arg = `element.${key}`;
    const value = element[key];
    if (value === undefined) failMust(fn, arg, 'be present (it is named in options.alsoCut)', 'undefined');
    if (Array.isArray(value)) return { key, objects: readBatchObjects(fn, arg, value, checked.batch) };
    return { key, tensor: checkTarget(fn, arg, value, checked.batch, 'element.xs') };
  });
  const mixed = runMix(d.mix, xs as Tensor, checked, 'cutmix');
  const cut = Object.fromEntries(
    extras.map(({ key, tensor, objects }) => [
      key,
      tensor
        ? pasteWithPlan(tensor, mixed, checked.batch)
        : moveObjects(objects, mixed.boxes as Box[], mixed.partners, d.minVisible),
    ]),
  );
  const out: TensorContainerObject = { ...element, ...cut, xs: mixed.images };
  if (mixed.labelsA && mixed.labelsB && k !== undefined) {
    out.ys = blendTargets(mixed.labelsA, mixed.labelsB, mixed.lam, k, d.labelSmoothing);
    tf.dispose([mixed.labelsA, mixed.labelsB]);
  }
  return out;
}

/**
 * One sample instead of a batch (a scalar label, or images without a batch axis) gets the `.batch(n)` hint;
 * so does a one-hot label `[K]` whose rows disagree with `xs` (see `NAMES`).
 */
function rejectUnbatched(fn: string, xs: unknown, ys: unknown): void {
  if (typeof ys === 'number' || (ys instanceof tf.Tensor && !ys.isDisposed && ys.rank === 0)) {
    fail(fn, 'element.ys', `a tf.Tensor of batch labels, [N] or [N, K] (${UNBATCHED})`, describeValue(ys));
  }
  if (xs instanceof tf.Tensor && !xs.isDisposed && xs.rank < 3) {
    fail(fn, 'element.xs', `rank 3, 4 or 5, a batch (${UNBATCHED})`, `rank ${xs.rank}`);
  }
}

/** The number of classes K of checked labels: their columns, or `numClasses` for class indices. */
function classesOf(d: DatasetSettings, ys: Tensor): number {
  const { fn, numClasses } = d;
  if (ys.rank === 2) {
    const k = ys.shape[1]!;
    if (numClasses !== undefined && numClasses !== k)
      fail(fn, 'options.numClasses', `${k} to match element.ys`, String(numClasses));
    return k;
  }
  if (numClasses === undefined) {
    fail(fn, 'options.numClasses', 'a positive integer when element.ys holds class indices [N]', 'undefined');
  }
  assertIndexClasses(fn, 'options.numClasses', numClasses);
  checkClassIndices(fn, 'element.ys', ys, numClasses);
  return numClasses;
}

import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  assertInRange,
  assertPositiveInteger,
  assertTensor,
  copyNumbers,
  describeValue,
  fail,
  failMust,
} from '../common/validate.js';

/**
 * Whether label values may be read to check them: only where they already live in CPU memory (the cpu,
 * wasm and Node tensorflow backends), or anywhere when tfjs's `DEBUG` flag is on. On webgl and webgpu a
 * read would stall the GPU pipeline in every training step, so values go unchecked there.
 */
export function valuesReadable(): boolean {
  return ['cpu', 'wasm', 'tensorflow'].includes(tf.getBackend()) || tf.env().getBool('DEBUG');
}

/** Checks class indices (integers ≥ 0, and < `numClasses` when given), where values are readable. */
export function checkClassIndices(fn: string, arg: string, labels: Tensor, numClasses?: number): void {
  if (!valuesReadable()) return;
  const values = labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)) {
      const range =
        numClasses === undefined ? 'an integer class index ≥ 0' : `an integer class index in [0, ${numClasses})`;
      fail(fn, `${arg}[${i}]`, range, describeValue(v));
    }
  }
}

/** Checks that targets lie in [0, 1] (probabilities), where values are readable without a GPU read. */
export function checkUnitValues(fn: string, arg: string, targets: Tensor): void {
  if (!valuesReadable()) return;
  const values = targets.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= 0 && values[i] <= 1))
      fail(fn, `${arg} values`, 'in [0, 1]', `${describeValue(values[i])} at flat index ${i}`);
  }
}

/**
 * Labels that enter a mixing op: int32 (or integer-valued float32) class indices `[N]`, or float32
 * one-hot, soft or multi-hot targets `[N, K]`, one row per sample of the batch named `rowsOf`.
 */
export function checkLabels(
  fn: string,
  arg: string,
  labels: unknown,
  n: number,
  rowsOf: string,
): asserts labels is Tensor {
  assertTensor(fn, arg, labels);
  if (labels.rank !== 1 && labels.rank !== 2) {
    fail(fn, arg, 'rank 1 (class indices [N]) or rank 2 (one-hot, soft or multi-hot [N, K])', `rank ${labels.rank}`);
  }
  if (labels.dtype !== 'int32' && labels.dtype !== 'float32')
    fail(fn, `${arg}.dtype`, 'int32 or float32', labels.dtype);
  if (labels.rank === 2 && labels.dtype !== 'float32') {
    fail(fn, `${arg}.dtype`, 'float32 for targets [N, K] (cast int32 targets with tf.cast)', labels.dtype);
  }
  if (labels.shape[0] !== n) failMust(fn, arg, `have ${n} rows to match ${rowsOf}`, String(labels.shape[0]));
  if (labels.rank === 2 && labels.shape[1] === 0) failMust(fn, arg, 'have at least one class column', '0');
  if (labels.rank === 1) checkClassIndices(fn, arg, labels);
}

/**
 * Checks a pair of label tensors that go together: each class indices `[N]` (int32, or integer-valued
 * float32) or float32 targets `[N, K]`, the same shape, `n` rows when `n` is given.
 */
export function checkLabelPair(
  fn: string,
  labelsA: unknown,
  labelsB: unknown,
  n?: number,
  rowsOf = 'logits',
): asserts labelsA is Tensor {
  for (const [arg, t] of [
    ['labelsA', labelsA],
    ['labelsB', labelsB],
  ] as const) {
    assertTensor(fn, arg, t);
    if (t.rank !== 1 && t.rank !== 2) {
      fail(fn, arg, 'rank 1 (class indices [N]) or rank 2 (one-hot, soft or multi-hot [N, K])', `rank ${t.rank}`);
    }
    if (t.dtype !== 'int32' && t.dtype !== 'float32') fail(fn, `${arg}.dtype`, 'int32 or float32', t.dtype);
    if (t.rank === 2 && t.dtype !== 'float32')
      fail(fn, `${arg}.dtype`, 'float32 for targets [N, K] (cast with tf.cast)', t.dtype);
    if (n !== undefined && t.shape[0] !== n) failMust(fn, arg, `have ${n} rows to match ${rowsOf}`, String(t.shape[0]));
  }
  const [a, b] = [labelsA as Tensor, labelsB as Tensor];
  if (b.rank !== a.rank || b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[1]) {
    failMust(fn, 'labelsB', `have the shape of labelsA [${a.shape.join(',')}]`, `[${b.shape.join(',')}]`);
  }
}

/**
 * The number of classes K of checked labels: their second dim for targets `[N, K]` (`numClasses`, when
 * given, must agree), else `numClasses`, which class indices require; indices are checked to lie in
 * [0, K) where their values are readable without a GPU read (see `valuesReadable`).
 */
export function classCount(fn: string, labels: readonly Tensor[], numClasses: unknown, numClassesArg: string): number {
  if (numClasses !== undefined) assertPositiveInteger(fn, numClassesArg, numClasses);
  const first = labels[0];
  if (first.rank === 2) {
    const k = first.shape[1] as number;
    if (numClasses !== undefined && numClasses !== k)
      fail(fn, numClassesArg, `${k} to match the labels' second dim`, String(numClasses));
    if (k < 1) failMust(fn, 'labelsA', 'have at least one class column', '0');
    return k;
  }
  if (numClasses === undefined) fail(fn, numClassesArg, 'a positive integer for class-index labels', 'undefined');
  ['labelsA', 'labelsB'].forEach((arg, i) => labels[i] && checkClassIndices(fn, arg, labels[i], numClasses as number));
  return numClasses as number;
}

/** Per-sample λ given as one number or one per sample, copied once and checked to lie in [0, 1]. */
export function readLamValues(fn: string, arg: string, lam: unknown, n: number): Float32Array {
  if (typeof lam === 'number') {
    assertInRange(fn, arg, lam, 0, 1);
    return new Float32Array(n).fill(lam);
  }
  const values = copyNumbers(fn, arg, lam, 'a number in [0, 1] or a Float32Array of per-sample values');
  if (values.length !== n) fail(fn, `${arg}.length`, `${n} (one λ per sample)`, String(values.length));
  values.forEach((v, i) => assertInRange(fn, `${arg}[${i}]`, v, 0, 1));
  return Float32Array.from(values);
}

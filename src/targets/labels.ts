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

/** What a caller requires of a label tensor, beyond being live int32/float32 class indices or targets. */
export interface LabelRule {
  /**
   * The rows it must have, and what it must match in messages (`images`, `logits`, `element.xs`), with a hint
   * added when rank-1 labels disagree.
   */
  rows?: { n: number; of: string; rank1Hint?: string };
  /** The columns targets `[N, K]` must have, and what they must match. */
  columns?: { k: number; of: string };
  /** Whether class indices `[N]` are accepted (a multi-label loss takes targets only). Default true. */
  indices?: boolean;
  /** The number of classes K that class indices must lie under (checked where readable; K ≥ 2), and its source. */
  classes?: { k: number; of: string };
  /** False when the caller checks index values itself once K is known (`classCount`). Default true. */
  indexValues?: boolean;
}

/**
 * The one label checker of every entry point: class indices `[N]` (int32, or integer-valued float32 ≥ 0,
 * below `classes` when given, checked where values are readable) or float32 one-hot, soft or multi-hot
 * targets `[N, K]` with K ≥ 1, of the rows and columns `rule` asks for.
 */
export function checkLabels(fn: string, arg: string, labels: unknown, rule: LabelRule = {}): asserts labels is Tensor {
  const indices = rule.indices ?? true;
  assertTensor(fn, arg, labels);
  if (labels.rank !== 2 && !(indices && labels.rank === 1)) {
    const expected = indices
      ? 'rank 1 (class indices [N]) or rank 2 (one-hot, soft or multi-hot [N, K])'
      : 'rank 2 (multi-hot or soft targets [N, K])';
    fail(fn, arg, expected, `rank ${labels.rank}`);
  }
  if (labels.dtype !== 'int32' && labels.dtype !== 'float32')
    fail(fn, `${arg}.dtype`, 'int32 or float32', labels.dtype);
  if (labels.rank === 2 && labels.dtype !== 'float32') {
    fail(fn, `${arg}.dtype`, 'float32 for targets [N, K] (cast with tf.cast)', labels.dtype);
  }
  const { rows, columns } = rule;
  if (rows && labels.shape[0] !== rows.n) {
    const hint = labels.rank === 1 && rows.rank1Hint ? ` (${rows.rank1Hint})` : '';
    failMust(fn, arg, `have ${rows.n} rows to match ${rows.of}${hint}`, String(labels.shape[0]));
  }
  if (labels.rank === 2) {
    const k = labels.shape[1];
    if (k === 0) failMust(fn, arg, 'have at least one class column', '0');
    if (columns && k !== columns.k) failMust(fn, arg, `have ${columns.k} columns to match ${columns.of}`, String(k));
  } else {
    if (rule.classes) assertIndexClasses(fn, rule.classes.of, rule.classes.k);
    if (rule.indexValues !== false) checkClassIndices(fn, arg, labels, rule.classes?.k);
  }
}

/**
 * Checks a pair of label tensors that go together (original and partner): each as {@link checkLabels}
 * asks, and `labelsB` of `labelsA`'s shape.
 */
export function checkLabelPair(
  fn: string,
  labelsA: unknown,
  labelsB: unknown,
  rule: LabelRule = {},
): asserts labelsA is Tensor {
  checkLabels(fn, 'labelsA', labelsA, rule);
  checkLabels(fn, 'labelsB', labelsB, rule);
  const [a, b] = [labelsA, labelsB as Tensor];
  if (b.rank !== a.rank || b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[1]) {
    failMust(fn, 'labelsB', `have the shape of labelsA [${a.shape.join(',')}]`, `[${b.shape.join(',')}]`);
  }
}

/**
 * Class indices need at least two classes: with one there is nothing to mix, and a softmax over one class
 * is always 1. A single binary output is float32 targets `[N, 1]` with a sigmoid loss.
 */
export function assertIndexClasses(fn: string, arg: string, k: number): void {
  if (k < 2) {
    const why = 'class indices need two classes or more; for one binary output pass float32 targets [N, 1]';
    fail(fn, arg, `≥ 2 (${why})`, String(k));
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
    return k;
  }
  if (numClasses === undefined) fail(fn, numClassesArg, 'a positive integer for class-index labels', 'undefined');
  assertIndexClasses(fn, numClassesArg, numClasses as number);
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

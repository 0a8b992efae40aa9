import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { batchDims, defaultDataFormat, rankOf, spatialAxes, spatialNames, type DataFormat } from './layout.js';
import { assertTensor, describeValue, fail, failMust } from './validate.js';

/** The dtypes a batch may have, and how a message states them. */
export interface DtypeRule {
  dtypes: readonly string[];
  expected: string;
}

/** A checked batch: its layout (given or defaulted by rank), size and spatial sizes. */
export interface CheckedBatch {
  dataFormat: DataFormat;
  n: number;
  spatial: number[];
}

/**
 * Checks a batch tensor before anything is allocated: live, rank 3, 4 or 5 (the given layout's rank when
 * one is given), a dtype `dtypes` allows, every spatial size ≥ 1. Without a layout the rank picks the
 * channels-first one (or channels-last with `channelsLast`).
 */
export function checkBatch(
  fn: string,
  arg: string,
  x: unknown,
  dataFormat: DataFormat | undefined,
  dtypes: DtypeRule,
  channelsLast = false,
): CheckedBatch {
  assertTensor(fn, arg, x);
  let format = dataFormat;
  if (format === undefined) {
    if (x.rank < 3 || x.rank > 5) {
      const [r3, r4, r5] = [3, 4, 5].map((r) => `${r} (${defaultDataFormat(r, channelsLast)})`);
      fail(fn, arg, `rank ${r3}, ${r4} or ${r5}`, `rank ${x.rank}`);
    }
    format = defaultDataFormat(x.rank, channelsLast);
  }
  if (x.rank !== rankOf(format)) fail(fn, arg, `rank ${rankOf(format)} (${format})`, `rank ${x.rank}`);
  if (!dtypes.dtypes.includes(x.dtype)) fail(fn, `${arg}.dtype`, dtypes.expected, x.dtype);
  const names = spatialNames(format);
  spatialAxes(format).forEach((axis, i) => {
    if (x.shape[axis] < 1) fail(fn, `${arg} ${names[i]} (dim ${axis} of ${format})`, '≥ 1', String(x.shape[axis]));
  });
  const { n, spatial } = batchDims(x.shape, format);
  return { dataFormat: format, n, spatial };
}

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

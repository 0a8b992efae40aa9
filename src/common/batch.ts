import { batchDims, defaultDataFormat, rankOf, spatialAxes, spatialNames, type DataFormat } from './layout.js';
import { assertTensor, fail } from './validate.js';

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

import {
  batchDims,
  defaultDataFormat,
  isChannelsLast,
  likelierLayout,
  rankOf,
  spatialAxes,
  spatialNames,
  type DataFormat,
  type DataFormatOption,
} from './layout.js';
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
 * channels-first one (or channels-last with `channelsLast`), unless the shape reads far more plausibly in
 * the other family: then the call is refused, naming both readings, rather than silently misread.
 * tfjs-layers' `'channelsFirst'`/`'channelsLast'` pick the family; the rank picks the layout.
 */
export function checkBatch(
  fn: string,
  arg: string,
  x: unknown,
  dataFormat: DataFormatOption | undefined,
  dtypes: DtypeRule,
  channelsLast = false,
  optionsArg = 'options',
): CheckedBatch {
  assertTensor(fn, arg, x);
  let format: DataFormat;
  if (dataFormat === undefined || dataFormat === 'channelsFirst' || dataFormat === 'channelsLast') {
    const last = dataFormat === undefined ? channelsLast : dataFormat === 'channelsLast';
    if (x.rank < 3 || x.rank > 5) {
      const [r3, r4, r5] = [3, 4, 5].map((r) => `${r} (${defaultDataFormat(r, last)})`);
      fail(fn, arg, `rank ${r3}, ${r4} or ${r5}`, `rank ${x.rank}`);
    }
    format = defaultDataFormat(x.rank, last);
    if (dataFormat === undefined) rejectUnlikelyDefault(fn, arg, x.shape, format, optionsArg);
  } else {
    format = dataFormat;
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

/** Refuses a defaulted layout that the shape contradicts (see `likelierLayout`), naming both readings. */
function rejectUnlikelyDefault(
  fn: string,
  arg: string,
  shape: readonly number[],
  format: DataFormat,
  optionsArg: string,
): void {
  const other = likelierLayout(shape, format);
  if (other === undefined) return;
  const channels = (f: DataFormat) => batchDims(shape, f).c;
  const family = isChannelsLast(other) ? 'channelsLast' : 'channelsFirst';
  fail(
    fn,
    `${optionsArg}.dataFormat`,
    `given for ${arg} of shape [${shape.join(',')}], which reads as '${other}' (C = ${channels(other)}) ` +
      `far more plausibly than as the default '${format}' (C = ${channels(format)}): pass '${other}' ` +
      `(tfjs-layers' '${family}'), or '${format}' to keep the default`,
    'undefined',
  );
}

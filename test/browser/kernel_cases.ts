/**
 * Batches of every rank, layout and dtype that the probe page pastes with the registered `CutmixPaste`
 * kernel (`tf.engine().runKernel`, 6-int boxes), and Node checks against the N-D reference. Shared by the
 * page (bundled) and the runner, so both build exactly the same values.
 */
import type { DataFormat } from '../../src/common/layout.js';

export type KernelDtype = 'float32' | 'int32' | 'bool';

export interface KernelCase {
  name: string;
  shape: number[];
  dataFormat: DataFormat;
  dtype: KernelDtype;
  /**
   * `'bits'`: every 32-bit pattern may occur (float32: NaN payloads, signalling NaN, -0, subnormals, ±Inf
   * first, then random words; int32: extremes and values above 2^24, then random words). `'float-exact'`:
   * int32 only, |v| ≤ 2^24, the range a float texture holds.
   */
  values: 'bits' | 'float-exact';
  seed: number;
  /** Extra box rules: sample 0 pastes from itself, sample 1 has an empty box, sample 2 a full one. */
  edges?: boolean;
}

/** Bit patterns that must survive a paste unchanged, first in every float32 `'bits'` batch. */
export const SPECIAL_FLOAT_BITS = [
  0x7fc12345, // quiet NaN with a payload
  0x7f800001, // signalling NaN, smallest payload
  0x7fa00000, // signalling NaN
  0xffc00001, // negative quiet NaN
  0xff812345, // negative signalling NaN
  0x80000000, // -0
  0x00000001, // smallest subnormal
  0x807fffff, // largest negative subnormal
  0x7f800000, // +Inf
  0xff800000, // -Inf
  0x7f7fffff, // largest float
];

/** int32 values a float32 store would round or overflow, first in every int32 `'bits'` batch. */
export const SPECIAL_INTS = [2 ** 24 + 1, -(2 ** 24) - 1, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321, 2 ** 30 + 3];

export const KERNEL_CASES: KernelCase[] = [
  {
    name: 'rank 3 NCW float32 bits',
    shape: [5, 3, 37],
    dataFormat: 'NCW',
    dtype: 'float32',
    values: 'bits',
    seed: 1,
    edges: true,
  },
  { name: 'rank 3 NWC int32', shape: [4, 29, 2], dataFormat: 'NWC', dtype: 'int32', values: 'float-exact', seed: 2 },
  {
    name: 'rank 3 NCW bool',
    shape: [6, 2, 40],
    dataFormat: 'NCW',
    dtype: 'bool',
    values: 'bits',
    seed: 3,
    edges: true,
  },
  {
    name: 'rank 4 NCHW float32 bits',
    shape: [6, 3, 9, 11],
    dataFormat: 'NCHW',
    dtype: 'float32',
    values: 'bits',
    seed: 4,
    edges: true,
  },
  {
    name: 'rank 4 NHWC int32',
    shape: [5, 7, 6, 3],
    dataFormat: 'NHWC',
    dtype: 'int32',
    values: 'float-exact',
    seed: 5,
  },
  { name: 'rank 4 NHWC bool mask', shape: [4, 10, 12, 1], dataFormat: 'NHWC', dtype: 'bool', values: 'bits', seed: 6 },
  {
    name: 'rank 5 NCDHW float32 bits',
    shape: [4, 2, 4, 5, 6],
    dataFormat: 'NCDHW',
    dtype: 'float32',
    values: 'bits',
    seed: 7,
    edges: true,
  },
  {
    name: 'rank 5 NDHWC int32',
    shape: [4, 3, 5, 4, 2],
    dataFormat: 'NDHWC',
    dtype: 'int32',
    values: 'float-exact',
    seed: 8,
  },
  {
    name: 'rank 5 NDHWC bool',
    shape: [3, 4, 4, 4, 1],
    dataFormat: 'NDHWC',
    dtype: 'bool',
    values: 'bits',
    seed: 9,
    edges: true,
  },
];

/** int32 with every bit pattern: exact only where int32 is stored as 32-bit words (webgpu, cpu, wasm). */
export const INT32_BITS_CASES: KernelCase[] = [
  {
    name: 'rank 4 NCHW int32 above 2^24',
    shape: [5, 2, 8, 9],
    dataFormat: 'NCHW',
    dtype: 'int32',
    values: 'bits',
    seed: 10,
    edges: true,
  },
  {
    name: 'rank 5 NCDHW int32 above 2^24',
    shape: [3, 2, 3, 4, 5],
    dataFormat: 'NCDHW',
    dtype: 'int32',
    values: 'bits',
    seed: 11,
  },
];

/** A small deterministic generator (xorshift32), for values the page and Node build alike. */
export function generator(seed: number): () => number {
  let x = (seed * 0x9e3779b1) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

/** The values, partners and 6-int boxes of a case. */
export function makeKernelCase(c: KernelCase): {
  values: Float32Array | Int32Array | Uint8Array;
  partners: Int32Array;
  boxes: Int32Array;
} {
  const next = generator(c.seed);
  const size = c.shape.reduce((a, b) => a * b, 1);
  let values: Float32Array | Int32Array | Uint8Array;
  if (c.dtype === 'bool') {
    values = Uint8Array.from({ length: size }, () => next() & 1);
  } else if (c.values === 'float-exact') {
    values = Int32Array.from({ length: size }, () => (next() % 2 ** 25) - 2 ** 24);
  } else {
    const words = Uint32Array.from({ length: size }, () => next());
    words.set((c.dtype === 'float32' ? SPECIAL_FLOAT_BITS : SPECIAL_INTS.map((v) => v >>> 0)).slice(0, size));
    values = c.dtype === 'float32' ? new Float32Array(words.buffer) : new Int32Array(words.buffer);
  }
  const n = c.shape[0];
  const channelsLast = c.dataFormat.endsWith('C');
  const spatial = channelsLast ? c.shape.slice(1, -1) : c.shape.slice(2);
  const [d, h, w] = [1, 1, ...spatial].slice(-3);
  const partners = Int32Array.from({ length: n }, () => next() % n);
  const boxes = new Int32Array(6 * n);
  for (let s = 0; s < n; s++) {
    const lo = [d, h, w].map((size) => next() % size);
    const hi = [d, h, w].map((size, k) => lo[k] + 1 + (next() % (size - lo[k])));
    boxes.set([...lo, ...hi], 6 * s);
  }
  if (c.edges && n >= 3) {
    partners[0] = 0;
    boxes.set([0, 0, 0, 0, 0, 0], 6);
    partners[2] = (2 + 1) % n;
    boxes.set([0, 0, 0, d, h, w], 12);
  }
  return { values, partners, boxes };
}

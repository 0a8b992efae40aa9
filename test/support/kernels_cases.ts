import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { AnyBox } from '../../src/index.js';
import type { DataFormat } from '../../src/common/layout.js';
import { pasteSources, type SpanBox } from './reference.js';

export type PasteDtype = 'float32' | 'int32' | 'bool';
export const PASTE_DTYPES: readonly PasteDtype[] = ['float32', 'int32', 'bool'];

/** One paste: a batch's layout, shape and dtype, and per sample a partner and a box (spatial spans). */
export interface PasteCase {
  dataFormat: DataFormat;
  dtype: PasteDtype;
  shape: number[];
  partners: Int32Array;
  boxes: SpanBox[];
  seed: number;
}

/** One axis's span: full extent (runs merge across it), empty, 1 wide, touching either edge, or any. */
function arbSpan(size: number): fc.Arbitrary<[number, number]> {
  return fc.oneof(
    fc.constant<[number, number]>([0, size]),
    fc.integer({ min: 0, max: size }).map((a): [number, number] => [a, a]),
    fc.integer({ min: 0, max: size - 1 }).map((a): [number, number] => [a, a + 1]),
    fc.integer({ min: 1, max: size }).map((b): [number, number] => [0, b]),
    fc.integer({ min: 0, max: size - 1 }).map((a): [number, number] => [a, size]),
    fc
      .tuple(fc.integer({ min: 0, max: size }), fc.integer({ min: 0, max: size }))
      .map(([a, b]): [number, number] => [Math.min(a, b), Math.max(a, b)]),
  );
}

const arbBox = (spatial: number[]): fc.Arbitrary<SpanBox> =>
  fc.oneof(
    fc.constant({ lo: spatial.map(() => 0), hi: [...spatial] }), // the whole sample
    fc.tuple(...spatial.map(arbSpan)).map((spans) => ({ lo: spans.map((s) => s[0]), hi: spans.map((s) => s[1]) })),
  );

/**
 * Partners: random (repeats and self-partners: trees that end in cycles), one partner for all, every
 * sample itself, a rotation (one long cycle), a random permutation (cycles), a flip (2-cycles and, for odd
 * N, the middle sample itself), or a permutation with some samples sent to another's partner instead.
 */
export const arbPartners = (n: number): fc.Arbitrary<Int32Array> =>
  fc
    .oneof(
      fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: n, maxLength: n }),
      fc.integer({ min: 0, max: n - 1 }).map((k) => new Array<number>(n).fill(k)),
      fc.constant(Array.from({ length: n }, (_, i) => i)),
      fc.integer({ min: 1, max: n }).map((k) => Array.from({ length: n }, (_, i) => (i + k) % n)),
      fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: n, maxLength: n },
      ),
      fc.constant(Array.from({ length: n }, (_, i) => n - 1 - i)),
      fc
        .tuple(
          fc.shuffledSubarray(
            Array.from({ length: n }, (_, i) => i),
            { minLength: n, maxLength: n },
          ),
          fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: n, maxLength: n }),
        )
        .map(([perm, redirect]) => perm.map((p, i) => (redirect[i] % 3 === 0 ? perm[redirect[i]] : p))),
    )
    .map((p) => Int32Array.from(p));

/** The shape of `dataFormat` with batch `n`, channels `c` and spatial sizes outermost first. */
export function shapeOf(dataFormat: DataFormat, n: number, c: number, spatial: readonly number[]): number[] {
  return dataFormat.endsWith('C') ? [n, ...spatial, c] : [n, c, ...spatial];
}

export interface CaseLimits {
  maxN: number;
  maxC: number;
  /** Largest size of each spatial axis. */
  maxSide: number;
  /** Smallest sample, in elements: channels are added to reach it (the wasm single-pass path). */
  minSample?: number;
  dtypes?: readonly PasteDtype[];
}

/** Random pastes in one layout, bounded by `limits`. */
export function arbPasteCase(dataFormat: DataFormat, limits: CaseLimits): fc.Arbitrary<PasteCase> {
  const d = dataFormat.length - 2;
  return fc
    .record({
      n: fc.integer({ min: 1, max: limits.maxN }),
      c: fc.integer({ min: 1, max: limits.maxC }),
      spatial: fc.array(fc.integer({ min: 1, max: limits.maxSide }), { minLength: d, maxLength: d }),
      dtype: fc.constantFrom(...(limits.dtypes ?? PASTE_DTYPES)),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .chain(({ n, c, spatial, dtype, seed }) => {
      const positions = spatial.reduce((a, b) => a * b, 1);
      const channels = Math.max(c, Math.ceil((limits.minSample ?? 0) / positions));
      return fc.record({
        dataFormat: fc.constant(dataFormat),
        dtype: fc.constant(dtype),
        shape: fc.constant(shapeOf(dataFormat, n, channels, spatial)),
        partners: arbPartners(n),
        boxes: fc.array(arbBox(spatial), { minLength: n, maxLength: n }),
        seed: fc.constant(seed),
      });
    });
}

/** A cheap integer hash (murmur3 finaliser), for reproducible values. */
function mix(a: number): number {
  let h = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** float32 patterns a float copy can alter: -0, ±Infinity, signalling and quiet NaNs, subnormals, ±0. */
export const SPECIAL_FLOAT_WORDS = [
  0x80000000, 0x7f800000, 0xff800000, 0x7f800001, 0xffc00001, 0x00000001, 0x807fffff, 0,
];
/** int32 values a float path would round or clip: ±(2^31 − 1), −2^31, just above 2^24. */
export const SPECIAL_INT_WORDS = [2147483647, -2147483648, -2147483647, 16777217, -16777217, 33554431];

/**
 * The batch's elements as bits (float32 as int32 words): nearly every float32 element distinct *and* a
 * special pattern or a normal number (signalling NaNs with payloads, negative quiet NaNs, subnormals of
 * both signs, with the element index in the payload), int32 distinct large values with extremes mixed in,
 * bool random bits.
 */
export function makeBits(dtype: PasteDtype, size: number, seed: number): Int32Array | Uint8Array {
  if (dtype === 'bool') return Uint8Array.from({ length: size }, (_, i) => mix(i ^ seed) & 1);
  const words = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const r = mix(i + seed * 7919);
    const payload = i % 0x3fffff;
    const sign = r & 0x80000000;
    if (dtype === 'int32') {
      words[i] = r % 5 === 0 ? SPECIAL_INT_WORDS[r % SPECIAL_INT_WORDS.length] : Math.imul(i + 1, 0x9e3779b1) ^ seed;
    } else if (r % 6 === 0) {
      words[i] = 0x7f800000 | (payload + 1); // signalling NaN (quiet bit clear)
    } else if (r % 6 === 1) {
      words[i] = 0xffc00000 | payload; // negative quiet NaN with payload
    } else if (r % 6 === 2) {
      words[i] = sign | (payload + 1); // subnormal
    } else if (r % 6 === 3) {
      words[i] = SPECIAL_FLOAT_WORDS[r % SPECIAL_FLOAT_WORDS.length];
    } else {
      words[i] = sign | ((1 + (r % 253)) << 23) | (i & 0x7fffff); // normal
    }
  }
  return words;
}

/** A tensor holding exactly these bits (a copy: the backend may keep the array it is given). */
export function tensorOfBits(bits: Int32Array | Uint8Array, shape: number[], dtype: PasteDtype): tf.Tensor {
  const copy = bits.slice();
  return tf.tensor(dtype === 'float32' ? new Float32Array(copy.buffer) : copy, shape, dtype);
}

/** A tensor's elements as bits: float32 and int32 as int32 words, bool as bytes. */
export function bitsOf(t: tf.Tensor): Int32Array | Uint8Array {
  const data = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  if (t.dtype === 'bool') return Uint8Array.from(data);
  return new Int32Array(data.buffer, data.byteOffset, data.length).slice();
}

/** `word` as a float conversion leaves it: a signalling NaN gets its quiet bit. */
export function quieted(word: number): number {
  return (word & 0x7fc00000) === 0x7f800000 && (word & 0x3fffff) !== 0 ? word | 0x400000 : word;
}

/** Expected output bits: each element copied from its source by the independent routing. */
export function expectedBits(cs: PasteCase, bits: Int32Array | Uint8Array): Int32Array | Uint8Array {
  const sources = pasteSources(cs.shape, cs.dataFormat, cs.partners, cs.boxes);
  const out = bits instanceof Uint8Array ? new Uint8Array(bits.length) : new Int32Array(bits.length);
  sources.forEach((source, i) => (out[i] = bits[source]));
  return out;
}

/** Asserts equal bits, naming the first differing element (fast on large batches). */
export function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  const hex = (a: ArrayLike<number>) => `0x${(a[i] >>> 0).toString(16)}`;
  expect(i === actual.length ? 'same' : `element ${i}: ${hex(actual)}, expected ${hex(expected)}`, what).toBe('same');
}

/** A box in the public form of its rank: `{ x1, x2 }`, `{ y1, x1, y2, x2 }` or `{ z1, y1, x1, z2, y2, x2 }`. */
export function publicBox(b: SpanBox): AnyBox {
  const names = ['z', 'y', 'x'].slice(3 - b.lo.length);
  const box: Record<string, number> = {};
  names.forEach((name, k) => (box[`${name}1`] = b.lo[k]));
  names.forEach((name, k) => (box[`${name}2`] = b.hi[k]));
  return box as unknown as AnyBox;
}

/** The kernels' flat boxes: z1, y1, x1, z2, y2, x2 per sample, axes the rank lacks as [0, 1). */
export function flatBoxes(boxes: readonly SpanBox[]): Int32Array {
  return Int32Array.from(
    boxes.flatMap(({ lo, hi }) => {
      const pad = 3 - lo.length;
      return [...new Array<number>(pad).fill(0), ...lo, ...new Array<number>(pad).fill(1), ...hi];
    }),
  );
}

/** The kernels' attributes for a case. */
export const attrsOf = (cs: PasteCase) => ({
  partners: cs.partners,
  boxes: flatBoxes(cs.boxes),
  dataFormat: cs.dataFormat,
});

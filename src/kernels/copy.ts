import { BLOCK_INTS, forEachRun, RUN, type PasteGeometry } from './geometry.js';

/** The typed arrays the backends keep tensors in (bool as bytes; int32 may be bytes after a cast on cpu). */
export type Elements = Float32Array | Int32Array | Uint8Array;

/**
 * Runs shorter than this many elements are copied by a plain loop: below it the fixed cost of a
 * `copyWithin`/`set` call (and of the `subarray` view `set` needs) exceeds the copy (V8, Node 20).
 */
const SHORT_RUN = 48;

/**
 * The same elements as integers: a float32 array viewed as int32 words, so that copies move bits (NaN
 * payloads and -0 kept) instead of numbers.
 */
export function asBits(values: Elements): Int32Array | Uint8Array {
  return values instanceof Float32Array ? new Int32Array(values.buffer, values.byteOffset, values.length) : values;
}

/** Copies `length` elements; `src` and `dst` may be one array (the wasm heap) when the ranges do not overlap. */
function copyRun<T extends Int32Array | Uint8Array>(src: T, from: number, dst: T, to: number, length: number): void {
  if (length < SHORT_RUN) {
    for (let i = 0; i < length; i++) dst[to + i] = src[from + i];
  } else if (src === dst) {
    dst.copyWithin(to, from, from + length);
  } else {
    dst.set(src.subarray(from, from + length) as T, to);
  }
}

/**
 * A paste in JavaScript from the batch in `src` to `dst`, both whole-batch element arrays (float32 as bits),
 * walking the samples' blocks in `table` (see `blockTable`).
 */
type ElementPaste = <T extends Int32Array | Uint8Array>(
  src: T,
  dst: T,
  g: PasteGeometry,
  partners: Int32Array,
  table: Int32Array,
) => void;

/**
 * The whole paste in JavaScript, every output element written exactly once: per sample, its own elements
 * up to each box run, the partner's run, …, then its own elements after the last run. Works on any element
 * type (float32 as bits); `src` and `dst` hold whole batches (they may be views of one wasm heap).
 */
export const pasteElements: ElementPaste = (src, dst, g, partners, table) => {
  const size = g.sampleSize;
  for (let s = 0; s < g.n; s++) {
    const [own, partner, run] = [s * size, partners[s] * size, table[BLOCK_INTS * s + RUN]];
    let pos = 0;
    forEachRun(table, s, (start) => {
      copyRun(src, own + pos, dst, own + pos, start - pos);
      copyRun(src, partner + start, dst, own + start, run);
      pos = start + run;
    });
    copyRun(src, own + pos, dst, own + pos, size - pos);
  }
};

/**
 * The paste over a copy of the batch (`dst` already holds it): each box pasted from the partner. The box
 * elements are written twice, but the copy is one bulk move and each box run one call.
 */
export const pasteBoxes: ElementPaste = (src, dst, g, partners, table) => {
  const size = g.sampleSize;
  for (let s = 0; s < g.n; s++) {
    const [from, to, run] = [partners[s] * size, s * size, table[BLOCK_INTS * s + RUN]];
    forEachRun(table, s, (start) => copyRun(src, from + start, dst, to + start, run));
  }
};

/**
 * The paste's gradient in JavaScript (float32): `dx` starts as a copy of `dy`; each mixed sample's box is
 * zeroed (its output there came from its partner), then each sample's upstream gradient inside its box is
 * added to its partner's. O(N·C·D·H·W); every value goes only where its element came from.
 */
export function pasteGradElements(
  dy: Float32Array,
  dx: Float32Array,
  g: PasteGeometry,
  partners: Int32Array,
  table: Int32Array,
): void {
  const size = g.sampleSize;
  asBits(dx).set(asBits(dy));
  for (let s = 0; s < g.n; s++) {
    const run = table[BLOCK_INTS * s + RUN];
    forEachRun(table, s, (start) => dx.fill(0, s * size + start, s * size + start + run));
  }
  for (let s = 0; s < g.n; s++) {
    const [from, to, run] = [s * size, partners[s] * size, table[BLOCK_INTS * s + RUN]];
    forEachRun(table, s, (start) => {
      for (let i = start; i < start + run; i++) dx[to + i] += dy[from + i];
    });
  }
}

import { BLOCK_INTS, PLANE_STRIDE, PLANES, ROW_STRIDE, ROWS, RUN, SLICE_STRIDE, SLICES, START } from './geometry.js';
import type { PasteGeometry } from './geometry.js';

/** The typed arrays the backends keep tensors in (bool as bytes; int32 may be bytes after a cast on cpu). */
export type Elements = Float32Array | Int32Array | Uint8Array;

/** Elements as integers (float32 as int32 words): element copies through them move bits, not numbers. */
export type Bits = Int32Array | Uint8Array;

/**
 * Runs shorter than this many elements are copied by a plain loop: below it the fixed cost of a
 * `copyWithin`/`set` call exceeds the copy (V8, Node 20).
 */
const SHORT_RUN = 48;
/**
 * Runs read from another array are copied by a loop up to this many elements: `set` needs a `subarray`
 * view per run, an object each, and the cpu kernel allocates nothing once its output exists.
 */
const VIEW_RUN = 1024;

/**
 * The same elements as integers: a float32 array viewed as int32 words, so that copies move bits (NaN
 * payloads and -0 kept) instead of numbers.
 */
export function asBits(values: Elements): Bits {
  return values instanceof Float32Array ? new Int32Array(values.buffer, values.byteOffset, values.length) : values;
}

/** Copies `length` elements; `src` and `dst` may be one array (the wasm heap) when the ranges do not overlap. */
function copyRun<T extends Bits>(src: T, from: number, dst: T, to: number, length: number): void {
  if (src === dst && length >= SHORT_RUN) {
    dst.copyWithin(to, from, from + length);
  } else if (length < (src === dst ? SHORT_RUN : VIEW_RUN)) {
    for (let i = 0; i < length; i++) dst[to + i] = src[from + i];
  } else {
    dst.set(src.subarray(from, from + length) as T, to);
  }
}

/**
 * The whole paste in JavaScript, every output element written exactly once: per sample, its own elements
 * up to each box run, the partner's run, …, then its own elements after the last run. Works on any element
 * type (float32 as bits); `src` and `dst` hold whole batches (they may be views of one wasm heap). `table`
 * is a `blockTable` of the batch.
 */
export function pasteElements<T extends Bits>(
  src: T,
  dst: T,
  g: PasteGeometry,
  partners: Int32Array,
  table: Int32Array,
): void {
  const size = g.sampleSize;
  for (let s = 0, at = 0; s < g.n; s++, at += BLOCK_INTS) {
    const own = s * size;
    const partner = partners[s] * size;
    const planes = table[at + PLANES];
    const slices = table[at + SLICES];
    const rows = table[at + ROWS];
    const run = table[at + RUN];
    let pos = 0;
    for (let p = 0; p < planes; p++) {
      for (let sl = 0; sl < slices; sl++) {
        let start = table[at + START] + p * table[at + PLANE_STRIDE] + sl * table[at + SLICE_STRIDE];
        for (let r = 0; r < rows; r++, start += table[at + ROW_STRIDE]) {
          copyRun(src, own + pos, dst, own + pos, start - pos);
          copyRun(src, partner + start, dst, own + start, run);
          pos = start + run;
        }
      }
    }
    copyRun(src, own + pos, dst, own + pos, size - pos);
  }
}

/**
 * The paste inside an output that already holds a copy of the batch (`out`; `input` is the batch): each
 * sample's box runs moved from its partner's, in the order `pasteOrder` wrote to `ints[orderAt …]` — from
 * the output itself (`copyWithin`, no view to make) for an entry `s`, from the input for an entry `~s`.
 * Allocates nothing. `ints` starts with the batch's `blockTable`.
 */
export function pasteInPlace<T extends Bits>(
  input: T,
  out: T,
  g: PasteGeometry,
  partners: Int32Array,
  ints: Int32Array,
  orderAt: number,
): void {
  const size = g.sampleSize;
  for (let k = orderAt; k < orderAt + g.n; k++) {
    const entry = ints[k];
    const s = entry < 0 ? ~entry : entry;
    const at = BLOCK_INTS * s;
    const src = entry < 0 ? input : out;
    const own = s * size;
    const partner = partners[s] * size;
    const planes = ints[at + PLANES];
    const slices = ints[at + SLICES];
    const rows = ints[at + ROWS];
    const rowStride = ints[at + ROW_STRIDE];
    const run = ints[at + RUN];
    for (let p = 0; p < planes; p++) {
      for (let sl = 0; sl < slices; sl++) {
        let start = ints[at + START] + p * ints[at + PLANE_STRIDE] + sl * ints[at + SLICE_STRIDE];
        for (let r = 0; r < rows; r++, start += rowStride) {
          copyRun(src, partner + start, out, own + start, run);
        }
      }
    }
  }
}

/**
 * The paste's gradient in JavaScript (float32), in a `dx` that already holds a copy of `dy`: each mixed
 * sample's box is zeroed (its output there came from its partner), then each sample's upstream gradient
 * inside its box is added to its partner's. O(N·C·D·H·W); every value goes only where its element came
 * from. Allocates nothing.
 */
export function routeGradient(
  dy: Float32Array,
  dx: Float32Array,
  g: PasteGeometry,
  partners: Int32Array,
  table: Int32Array,
): void {
  const size = g.sampleSize;
  for (let pass = 0; pass < 2; pass++) {
    for (let s = 0, at = 0; s < g.n; s++, at += BLOCK_INTS) {
      const from = s * size;
      const to = pass === 0 ? from : partners[s] * size;
      const planes = table[at + PLANES];
      const slices = table[at + SLICES];
      const rows = table[at + ROWS];
      const run = table[at + RUN];
      for (let p = 0; p < planes; p++) {
        for (let sl = 0; sl < slices; sl++) {
          let start = table[at + START] + p * table[at + PLANE_STRIDE] + sl * table[at + SLICE_STRIDE];
          for (let r = 0; r < rows; r++, start += table[at + ROW_STRIDE]) {
            if (pass === 0) {
              dx.fill(0, to + start, to + start + run);
            } else {
              for (let i = start; i < start + run; i++) dx[to + i] += dy[from + i];
            }
          }
        }
      }
    }
  }
}

import { batchDims, isChannelsLast, type DataFormat } from '../common/layout.js';

/**
 * Every paste, whatever its rank and layout, on one canonical shape: `[N, C, D, H, W]` channels-first or
 * `[N, D, H, W, C]` channels-last, a missing spatial axis having size 1 (a 1-D batch has D = H = 1, a 2-D
 * one D = 1). Kernels compute on this and never look at the rank again.
 */
export interface PasteGeometry {
  n: number;
  c: number;
  d: number;
  h: number;
  w: number;
  channelsLast: boolean;
  /** Elements per sample: C·D·H·W. */
  sampleSize: number;
}

/** Ints per box in the kernels' flat `boxes` attribute: z1, y1, x1, z2, y2, x2 (half-open). */
export const BOX_INTS = 6;

/** The canonical geometry of a batch of `shape` in `dataFormat` (rank 3, 4 or 5). */
export function pasteGeometry(shape: readonly number[], dataFormat: DataFormat): PasteGeometry {
  const { n, c, spatial } = batchDims(shape, dataFormat);
  const [d, h, w] = [1, 1, ...spatial].slice(-3);
  return { n, c, d, h, w, channelsLast: isChannelsLast(dataFormat), sampleSize: c * d * h * w };
}

/**
 * Every sample's box as a block of `planes` × `slices` × `rows` runs of `run` contiguous elements, the first
 * starting `start` elements into the sample, the others `planeStride`, `sliceStride`, `rowStride` apart, in
 * one flat table of {@link BLOCK_INTS} ints per sample (indexed by the constants below): what every kernel
 * walks, with nothing allocated per sample. A sample that keeps its own elements (its box is empty, or it
 * is its own partner) has `planes` 0. Runs that touch are merged: a full-width box is one run per slice,
 * a full-plane box one run per channel, and so on. Offsets, strides and runs are multiplied by `unit`
 * (bytes per element for the wasm copier). Written into `table` when one is given (its first
 * `n · BLOCK_INTS` ints, every one of them set), so that a kernel can reuse one array across calls.
 */
export function blockTable(
  g: PasteGeometry,
  partners: Int32Array,
  boxes: Int32Array,
  unit = 1,
  table: Int32Array = new Int32Array(g.n * BLOCK_INTS),
): Int32Array {
  const { c, d, h, w } = g;
  // Channels-last: a pixel's channels are contiguous, so a run is x-extent × C and there is one plane.
  const pixel = g.channelsLast ? c : 1;
  for (let s = 0, b = 0, at = 0; s < g.n; s++, b += BOX_INTS, at += BLOCK_INTS) {
    // Plain reads: no array per sample (the table may be built right before a large allocation).
    const z1 = boxes[b];
    const y1 = boxes[b + 1];
    const x1 = boxes[b + 2];
    const z2 = boxes[b + 3];
    const y2 = boxes[b + 4];
    const x2 = boxes[b + 5];
    if (partners[s] === s || z2 <= z1 || y2 <= y1 || x2 <= x1) {
      // Every field, not only planes: the table may be a reused array (and fill is a call per sample).
      for (let k = at; k < at + BLOCK_INTS; k++) table[k] = 0;
      continue;
    }
    let run = (x2 - x1) * pixel;
    let rows = y2 - y1;
    let slices = z2 - z1;
    let planes = g.channelsLast ? 1 : c;
    if (x2 - x1 === w) {
      run *= rows;
      rows = 1;
      if (y2 - y1 === h) {
        run *= slices;
        slices = 1;
        if (z2 - z1 === d) {
          run *= planes;
          planes = 1;
        }
      }
    }
    table[at + START] = ((z1 * h + y1) * w + x1) * pixel * unit;
    table[at + PLANES] = planes;
    table[at + PLANE_STRIDE] = d * h * w * unit;
    table[at + SLICES] = slices;
    table[at + SLICE_STRIDE] = h * w * pixel * unit;
    table[at + ROWS] = rows;
    table[at + ROW_STRIDE] = w * pixel * unit;
    table[at + RUN] = run * unit;
  }
  return table;
}

/** Ints per sample in a {@link blockTable}, and the place of each field. */
export const BLOCK_INTS = 8;
export const START = 0;
export const PLANES = 1;
export const PLANE_STRIDE = 2;
export const SLICES = 3;
export const SLICE_STRIDE = 4;
export const ROWS = 5;
export const ROW_STRIDE = 6;
export const RUN = 7;

/** Number of runs in sample `s`'s block (0 when it keeps its own elements). */
export function runsOf(table: Int32Array, s: number): number {
  const at = BLOCK_INTS * s;
  return table[at + PLANES] * table[at + SLICES] * table[at + ROWS];
}

/** Calls `visit(offset)` for the start of every run of sample `s`'s block, in increasing order. */
export function forEachRun(table: Int32Array, s: number, visit: (offset: number) => void): void {
  const at = BLOCK_INTS * s;
  const [start, planes, planeStride] = [table[at + START], table[at + PLANES], table[at + PLANE_STRIDE]];
  const [slices, sliceStride, rows, rowStride] = [
    table[at + SLICES],
    table[at + SLICE_STRIDE],
    table[at + ROWS],
    table[at + ROW_STRIDE],
  ];
  for (let p = 0; p < planes; p++) {
    for (let sl = 0; sl < slices; sl++) {
      let offset = start + p * planeStride + sl * sliceStride;
      for (let r = 0; r < rows; r++, offset += rowStride) visit(offset);
    }
  }
}

import { batchDims, isChannelsLast, type DataFormat } from '../layout.js';

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
 * Sample `s`'s box as `planes` × `slices` × `rows` runs of `run` contiguous elements, the first starting
 * `start` elements into the sample, the others `planeStride`, `sliceStride`, `rowStride` apart. Runs that
 * touch are merged: a full-width box is one run per slice, a full-plane box one run per channel, and so on.
 */
export interface BoxBlock {
  start: number;
  planes: number;
  planeStride: number;
  slices: number;
  sliceStride: number;
  rows: number;
  rowStride: number;
  run: number;
}

/**
 * Each sample's box as a {@link BoxBlock}, `undefined` for a sample that keeps its own elements (its box is
 * empty, or it is its own partner): what every kernel walks.
 */
export function mixedBlocks(g: PasteGeometry, partners: Int32Array, boxes: Int32Array): (BoxBlock | undefined)[] {
  return Array.from({ length: g.n }, (_, s) => (partners[s] === s ? undefined : boxBlock(g, boxes, s)));
}

/** Sample `s`'s box as a {@link BoxBlock}, or `undefined` when the box is empty. */
function boxBlock(g: PasteGeometry, boxes: Int32Array, s: number): BoxBlock | undefined {
  const at = BOX_INTS * s;
  const [z1, y1, x1, z2, y2, x2] = [
    boxes[at],
    boxes[at + 1],
    boxes[at + 2],
    boxes[at + 3],
    boxes[at + 4],
    boxes[at + 5],
  ];
  if (z2 <= z1 || y2 <= y1 || x2 <= x1) return undefined;
  const { c, d, h, w } = g;
  // Channels-last: a pixel's channels are contiguous, so a run is x-extent × C and there is one plane.
  const unit = g.channelsLast ? c : 1;
  let run = (x2 - x1) * unit;
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
  return {
    start: ((z1 * h + y1) * w + x1) * unit,
    planes,
    planeStride: d * h * w,
    slices,
    sliceStride: h * w * unit,
    rows,
    rowStride: w * unit,
    run,
  };
}

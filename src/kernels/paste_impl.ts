import type { DataFormat } from '../layout.js';

/**
 * Runs shorter than this many 32-bit words are copied by a plain loop: below it, the fixed cost of a
 * `copyWithin`/`set` call (and of the `subarray` view `set` needs) exceeds the copy itself.
 * Measured on V8 (Node 20): the crossover lies between 24 and 64 words.
 */
export const SHORT_RUN_WORDS = 48;

/**
 * Batches are copied in groups of whole samples of about this many bytes (at least one sample), each
 * group's boxes pasted right after it is copied, while its output rows are still in cache. Measured on
 * wasm at 64×3×224×224 with cutmixBatch's boxes: 1.39–1.51× a heap copy of the batch, against 1.55–1.69×
 * when the whole batch is copied first (the compiled kernel now uses the single pass there, see
 * {@link SINGLE_PASS_SAMPLE_BYTES}; the grouped copy remains for smaller samples and the JavaScript
 * fallback). (On cpu the output comes from `new Float32Array(src)`, which is faster there than a zeroed
 * allocation plus grouped copies.)
 */
export const COPY_GROUP_BYTES = 512 * 1024;

/**
 * Samples of at least this many bytes are written in one pass by the compiled `pasteSample` (see
 * {@link pasteSampleBySample}); smaller ones are copied a group at a time and their boxes pasted over.
 * Measured on wasm with cutmixBatch's boxes (ratios to a heap copy of the batch, both paths called
 * directly): at 64×3×224×224 (588 KiB samples) one pass 1.32–1.40× against 1.39–1.59× (through the
 * kernel, five paired quick benchmark runs: 1.18–1.32× against 1.34–1.58×); at 256×3×32×32 (12 KiB)
 * 2.1–2.2× against 2.0×, at 128×1×28×28 (3 KiB) 2.6–2.9× against 2.1–2.25×: there the per-sample call
 * and the many short own runs cost more than one grouped copy. Sizes in between were not measured.
 */
export const SINGLE_PASS_SAMPLE_BYTES = 64 * 1024;

/**
 * The whole paste: copies the batch from `src` to `dst` and pastes every sample's box from its partner
 * (see {@link pasteBoxRows}), one group of samples at a time so the box writes land in cache.
 *
 * @example
 * ```ts
 * const out = new Int32Array(src.length);
 * copyAndPaste(src, 0, out, 0, [2, 1, 4, 4], 'NCHW', Int32Array.of(1, 0), Int32Array.of(0, 0, 2, 2, 0, 0, 0, 0));
 * ```
 * @param src 32-bit words holding the source batch at word `srcOffset`.
 * @param srcOffset word index of element 0 of the source batch.
 * @param dst 32-bit words for the output batch at word `dstOffset`; may be `src` (wasm heap) when the
 *   two batches do not overlap.
 * @param dstOffset word index of element 0 of the output batch.
 * @param shape the rank-4 batch shape in `dataFormat`.
 * @param dataFormat `'NCHW'` or `'NHWC'`.
 * @param partners one partner index per sample.
 * @param boxes `y1, x1, y2, x2` per sample.
 * @param copyBlock optional compiled block copier, see {@link pasteBoxRows}.
 */
export function copyAndPaste(
  src: Int32Array,
  srcOffset: number,
  dst: Int32Array,
  dstOffset: number,
  shape: readonly number[],
  dataFormat: DataFormat,
  partners: Int32Array,
  boxes: Int32Array,
  copyBlock?: BlockCopier,
): void {
  const n = shape[0];
  const sampleWords = shape[1] * shape[2] * shape[3];
  const groupSamples = Math.max(1, Math.floor(COPY_GROUP_BYTES / (4 * sampleWords)));
  for (let first = 0; first < n; first += groupSamples) {
    const end = Math.min(n, first + groupSamples);
    const from = srcOffset + first * sampleWords;
    const words = (end - first) * sampleWords;
    if (src === dst) dst.copyWithin(dstOffset + first * sampleWords, from, from + words);
    else dst.set(src.subarray(from, from + words), dstOffset + first * sampleWords);
    pasteBoxRows(src, srcOffset, dst, dstOffset, shape, dataFormat, partners, boxes, copyBlock, first, end);
  }
}

/**
 * Pastes every sample's box from its partner, on 32-bit words: for each sample `s`,
 * `dst[s, box_s] = src[partners[s], box_s]`; everything else in `dst` is left as it is (the caller has
 * already copied the batch there). Shared by the cpu kernel (two arrays) and the wasm kernel (one heap,
 * two offsets). Copying words rather than floats keeps NaN payloads and -0 bit for bit.
 *
 * Contiguous runs are merged (a full-width box is one run per channel in NCHW and one run in NHWC; a
 * full-image NCHW box is one run). Each sample's box is then a block of `planes` × `rows` runs, copied
 * by `copyBlock` when given (the wasm kernel's compiled copier, one call per sample), else here: short
 * runs by a loop, long ones by `copyWithin` (same array) or `set` (different arrays). Nothing is
 * allocated except the `subarray` views `set` needs.
 *
 * @example
 * ```ts
 * const out = new Int32Array(src); // the batch, copied once
 * pasteBoxRows(src, 0, out, 0, [2, 1, 4, 4], 'NCHW', Int32Array.of(1, 0), Int32Array.of(0, 0, 2, 2, 0, 0, 0, 0));
 * ```
 * @param src 32-bit words holding the source batch at `srcOffset` (in words).
 * @param srcOffset word index of element 0 of the source batch.
 * @param dst 32-bit words holding the output batch at `dstOffset`; may be `src` itself (wasm heap)
 *   as long as the two batches do not overlap.
 * @param dstOffset word index of element 0 of the output batch.
 * @param shape the rank-4 batch shape in `dataFormat`.
 * @param dataFormat `'NCHW'` or `'NHWC'`.
 * @param partners `partners[s]` is the sample whose pixels fill sample `s`'s box; each in `[0, N)`.
 * @param boxes 4 integers per sample, `y1, x1, y2, x2`, half-open and inside the image.
 * @param copyBlock optional block copier working in bytes on the memory `src` and `dst` both view
 *   (they must then be the same array, starting at byte 0 of that memory).
 * @param first first sample to paste (default 0).
 * @param end one past the last sample to paste (default N).
 */
export function pasteBoxRows(
  src: Int32Array,
  srcOffset: number,
  dst: Int32Array,
  dstOffset: number,
  shape: readonly number[],
  dataFormat: DataFormat,
  partners: Int32Array,
  boxes: Int32Array,
  copyBlock?: BlockCopier,
  first = 0,
  end = shape[0],
): void {
  const nchw = dataFormat === 'NCHW';
  const c = nchw ? shape[1] : shape[3];
  const h = nchw ? shape[2] : shape[1];
  const w = nchw ? shape[3] : shape[2];
  const plane = h * w;
  const sampleWords = c * plane;
  const block: BoxBlock = { planes: 0, rows: 0, rowStride: 0, run: 0, start: 0 };
  for (let s = first; s < end; s++) {
    const partner = partners[s];
    if (partner === s || !boxBlock(nchw, c, h, w, boxes, s, block)) continue;
    const { planes, rows, rowStride, run, start } = block;
    const from = srcOffset + partner * sampleWords + start;
    const to = dstOffset + s * sampleWords + start;
    if (copyBlock !== undefined) copyBlock(4 * from, 4 * to, planes, 4 * plane, rows, 4 * rowStride, 4 * run);
    else copyBlockWords(src, dst, from, to, planes, plane, rows, rowStride, run);
  }
}

/**
 * The paste in one pass per sample through a compiled {@link SamplePaster}: every output word is written
 * once, from the sample itself outside its box and from its partner inside (one call per sample).
 *
 * @example
 * ```ts
 * const { pasteSample } = compileHeapCopiers(memory)!; // batch at byte 0, output at byte 4096
 * pasteSampleBySample(0, 4096, [2, 1, 4, 4], 'NCHW', Int32Array.of(1, 0), Int32Array.of(0, 0, 2, 2, 0, 0, 0, 0), pasteSample);
 * ```
 * @param srcByte byte address of element 0 of the source batch in the paster's memory.
 * @param dstByte byte address of element 0 of the output batch; the two batches must not overlap.
 * @param shape the rank-4 batch shape in `dataFormat`.
 * @param dataFormat `'NCHW'` or `'NHWC'`.
 * @param partners one partner index per sample, each in `[0, N)`.
 * @param boxes `y1, x1, y2, x2` per sample, half-open and inside the image.
 * @param pasteSample the compiled single-pass paster.
 */
export function pasteSampleBySample(
  srcByte: number,
  dstByte: number,
  shape: readonly number[],
  dataFormat: DataFormat,
  partners: Int32Array,
  boxes: Int32Array,
  pasteSample: SamplePaster,
): void {
  const nchw = dataFormat === 'NCHW';
  const c = nchw ? shape[1] : shape[3];
  const h = nchw ? shape[2] : shape[1];
  const w = nchw ? shape[3] : shape[2];
  const sampleBytes = 4 * c * h * w;
  const block: BoxBlock = { planes: 0, rows: 0, rowStride: 0, run: 0, start: 0 };
  for (let s = 0; s < shape[0]; s++) {
    const own = srcByte + s * sampleBytes;
    const to = dstByte + s * sampleBytes;
    const partner = partners[s];
    if (partner === s || !boxBlock(nchw, c, h, w, boxes, s, block)) {
      pasteSample(own, own, to, sampleBytes, 0, 0, 0, 0, 0, 0); // no box: the sample as it is
      continue;
    }
    const { planes, rows, rowStride, run, start } = block;
    const partnerByte = srcByte + partner * sampleBytes;
    pasteSample(own, partnerByte, to, sampleBytes, 4 * start, planes, 4 * h * w, rows, 4 * rowStride, 4 * run);
  }
}

/** A sample's box as `planes` × `rows` runs of `run` words, the first `start` words into the sample. */
interface BoxBlock {
  planes: number;
  rows: number;
  rowStride: number;
  run: number;
  start: number;
}

/**
 * Fills `block` with sample `s`'s box; false when the box is empty. Planes are channels (NCHW only), rows
 * are image rows; both collapse when the box spans the whole row / plane (a full-width box is one run per
 * channel in NCHW and one run in NHWC; a full-image NCHW box is one run).
 */
function boxBlock(
  nchw: boolean,
  c: number,
  h: number,
  w: number,
  boxes: Int32Array,
  s: number,
  block: BoxBlock,
): boolean {
  const y1 = boxes[4 * s];
  const x1 = boxes[4 * s + 1];
  const y2 = boxes[4 * s + 2];
  const x2 = boxes[4 * s + 3];
  if (y2 <= y1 || x2 <= x1) return false;
  let rows = y2 - y1;
  if (nchw) {
    let planes = c;
    let run = x2 - x1;
    if (run === w) {
      run *= rows;
      rows = 1;
      if (run === h * w) {
        run *= c;
        planes = 1;
      }
    }
    block.planes = planes;
    block.rows = rows;
    block.rowStride = w;
    block.run = run;
    block.start = y1 * w + x1;
  } else {
    const rowStride = w * c;
    let run = (x2 - x1) * c;
    if (run === rowStride) {
      run *= rows;
      rows = 1;
    }
    block.planes = 1;
    block.rows = rows;
    block.rowStride = rowStride;
    block.run = run;
    block.start = (y1 * w + x1) * c;
  }
  return true;
}

/**
 * Writes one output sample in a single pass (bytes, on one wasm memory): the box, `planes` × `rows` runs
 * of `run` bytes starting `start` bytes into the sample (`planeStride`, `rowStride` apart), from the
 * partner sample at `partner`, every other byte from the sample itself at `own`. With `planes` or `rows`
 * 0 it copies the sample as it is.
 */
export type SamplePaster = (
  own: number,
  partner: number,
  to: number,
  sampleBytes: number,
  start: number,
  planes: number,
  planeStride: number,
  rows: number,
  rowStride: number,
  run: number,
) => void;

/**
 * Copies `planes` × `rows` runs of `run` words from `src` to `dst` (byte addresses and sizes when it is
 * a compiled copier on a wasm memory).
 */
export type BlockCopier = (
  from: number,
  to: number,
  planes: number,
  planeStride: number,
  rows: number,
  rowStride: number,
  run: number,
) => void;

/** {@link BlockCopier} in JavaScript, on word arrays (which may be one and the same). */
function copyBlockWords(
  src: Int32Array,
  dst: Int32Array,
  from0: number,
  to0: number,
  planes: number,
  planeStride: number,
  rows: number,
  rowStride: number,
  run: number,
): void {
  const sameArray = src === dst;
  for (let p = 0; p < planes; p++) {
    let from = from0 + p * planeStride;
    let to = to0 + p * planeStride;
    if (run < SHORT_RUN_WORDS) {
      for (let r = 0; r < rows; r++, from += rowStride, to += rowStride) {
        for (let i = 0; i < run; i++) dst[to + i] = src[from + i];
      }
    } else if (sameArray) {
      for (let r = 0; r < rows; r++, from += rowStride, to += rowStride) dst.copyWithin(to, from, from + run);
    } else {
      for (let r = 0; r < rows; r++, from += rowStride, to += rowStride) dst.set(src.subarray(from, from + run), to);
    }
  }
}

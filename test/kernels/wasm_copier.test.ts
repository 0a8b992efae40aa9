import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Box } from '../../src/box.js';
import { pasteSampleBySample, SINGLE_PASS_SAMPLE_BYTES } from '../../src/kernels/paste_impl.js';
import { compileBlockCopier, compileHeapCopiers, heapCopiersFor, pasteOnHeap } from '../../src/kernels/wasm.js';
import { useBackend } from '../support/backends.js'; // also the shared fast-check configuration
import { referencePaste } from '../support/reference.js';

const arbBlock = fc
  .record({
    planes: fc.integer({ min: 0, max: 3 }),
    rows: fc.integer({ min: 0, max: 4 }),
    // 1–80 words: 4-byte runs, runs under 8 and 16 bytes, short runs, and memory.copy runs (≥ 128 bytes).
    run: fc.integer({ min: 1, max: 80 }),
    rowGap: fc.integer({ min: 0, max: 5 }),
    planeGap: fc.integer({ min: 0, max: 9 }),
    from: fc.integer({ min: 0, max: 1000 }),
    to: fc.integer({ min: 0, max: 1000 }),
  })
  .map((b) => {
    const rowStride = b.run + b.rowGap;
    return { ...b, rowStride, planeStride: Math.max(b.rows, 1) * rowStride + b.planeGap };
  });

type Block = typeof arbBlock extends fc.Arbitrary<infer T> ? T : never;

/** The copy the compiled function must do, in words, on a plain array. */
function referenceCopy(words: Int32Array, b: Block): void {
  for (let p = 0; p < b.planes; p++) {
    for (let r = 0; r < b.rows; r++) {
      for (let i = 0; i < b.run; i++) {
        words[b.to + p * b.planeStride + r * b.rowStride + i] = words[b.from + p * b.planeStride + r * b.rowStride + i];
      }
    }
  }
}

// Source and destination regions never overlap (as for two tensors on the heap).
const SOURCE_BASE = 16;
const DEST_BASE = 8192;
const placed = (b: Block): Block => ({ ...b, from: SOURCE_BASE + b.from, to: DEST_BASE + b.to });

describe.each([
  { simd: true, shared: false },
  { simd: false, shared: false },
  { simd: true, shared: true },
  { simd: false, shared: true },
])('compiled block copier (simd: $simd, shared memory: $shared)', ({ simd, shared }) => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared });
  const copyBlock = compileBlockCopier(memory, [simd]);

  it('compiles in Node 20', () => {
    expect(copyBlock).toBeTypeOf('function');
  });

  /** Runs the compiled copier and returns the first word where it differs from the reference (-1: none). */
  function firstDifference(b: Block): number {
    const heap = new Int32Array(memory.buffer);
    for (let i = 0; i < heap.length; i++) heap[i] = Math.imul(i, 0x9e3779b1) ^ 0x5bd1e995;
    const expected = heap.slice();
    referenceCopy(expected, b);
    copyBlock!(4 * b.from, 4 * b.to, b.planes, 4 * b.planeStride, b.rows, 4 * b.rowStride, 4 * b.run);
    return heap.findIndex((word, i) => word !== expected[i]);
  }

  it('copies every run length from 1 to 80 words (each code path: 4, 8–15, 16–31, 32–63, 64–127, ≥ 128 bytes)', () => {
    for (let run = 1; run <= 80; run++) {
      const b = placed({
        planes: 2,
        rows: 3,
        run,
        rowGap: 1,
        planeGap: 2,
        from: run,
        to: 3 * run,
        rowStride: run + 1,
        planeStride: 3 * (run + 1) + 2,
      });
      expect(firstDifference(b), `run of ${run} words`).toBe(-1);
    }
  });

  it('copies planes × rows runs exactly like the word-by-word reference', () => {
    fc.assert(fc.property(arbBlock, (block) => firstDifference(placed(block)) === -1));
  });
});

/** Shape, layout, partners and boxes of a small batch for the single-pass paster. */
interface SmallBatch {
  shape: [number, number, number, number];
  dataFormat: 'NCHW' | 'NHWC';
  partners: Int32Array;
  boxes: Box[];
}

const arbSmallBatch: fc.Arbitrary<SmallBatch> = fc
  .record({
    n: fc.integer({ min: 1, max: 4 }),
    c: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 12 }),
    // Up to 1 200 bytes per NHWC row and 13 440 bytes per NCHW plane: own runs on every copy path.
    w: fc.integer({ min: 1, max: 100 }),
    nchw: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 30 }),
  })
  .chain(({ n, c, h, w, nchw, seed }) => {
    const box = fc.oneof(
      fc.constant({ y1: 0, x1: 0, y2: h, x2: w }), // the whole image
      fc.constant({ y1: 0, x1: 0, y2: 0, x2: 0 }), // empty
      fc
        .tuple(fc.integer({ min: 0, max: h }), fc.integer({ min: 0, max: h }))
        .chain(([a, b]) =>
          fc
            .tuple(fc.integer({ min: 0, max: w }), fc.integer({ min: 0, max: w }))
            .map(([x, z]) => ({ y1: Math.min(a, b), x1: Math.min(x, z), y2: Math.max(a, b), x2: Math.max(x, z) })),
        ),
    );
    return fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: n, maxLength: n }),
        fc.array(box, { minLength: n, maxLength: n }),
      )
      .map(([partners, boxes]) => ({
        shape: (nchw ? [n, c, h, w] : [n, h, w, c]) as SmallBatch['shape'],
        dataFormat: nchw ? ('NCHW' as const) : ('NHWC' as const),
        partners: Int32Array.from(partners, (p, s) => (seed % 3 === 0 ? s : p)), // some batches keep every sample
        boxes,
      }));
  });

const flat = (boxes: readonly Box[]) => Int32Array.from(boxes.flatMap((b) => [b.y1, b.x1, b.y2, b.x2]));

describe.each([
  { simd: true, shared: false },
  { simd: false, shared: false },
  { simd: true, shared: true },
  { simd: false, shared: true },
])('compiled single-pass paster (simd: $simd, shared memory: $shared)', ({ simd, shared }) => {
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 8, shared });
  const copiers = compileHeapCopiers(memory, [simd]);

  it('compiles in Node 20', () => {
    expect(copiers?.pasteSample).toBeTypeOf('function');
  });

  /**
   * Pastes with the compiled function (source at word 16, output 16 words after it) and returns the first
   * word that differs from the reference, counting the 16 words before and after the output (-1: none).
   */
  function firstDifference(batch: SmallBatch): number {
    const words = batch.shape.reduce((a, b) => a * b);
    const source = 16;
    const output = source + words + 16;
    // Only the words the paste may touch, and 16 on either side of the output, are filled and compared.
    const heap = new Int32Array(memory.buffer, 0, output + words + 16);
    for (let i = 0; i < heap.length; i++) heap[i] = Math.imul(i, 0x9e3779b1) ^ 0x5bd1e995;
    const expected = heap.slice();
    expected.set(
      referencePaste(heap.subarray(source, source + words), batch.shape, batch.partners, batch.boxes, batch.dataFormat),
      output,
    );
    pasteSampleBySample(
      4 * source,
      4 * output,
      batch.shape,
      batch.dataFormat,
      batch.partners,
      flat(batch.boxes),
      copiers!.pasteSample,
    );
    return heap.findIndex((word, i) => word !== expected[i]);
  }

  it('writes every box column range exactly like the reference, in both layouts', () => {
    // Every x1 < x2 on a 40-wide image: partner runs and own runs of every length from 0 to 40 words
    // (NCHW; 0–80 in NHWC), boxes touching the top, the bottom, both or neither.
    for (const dataFormat of ['NCHW', 'NHWC'] as const) {
      const shape: SmallBatch['shape'] = dataFormat === 'NCHW' ? [2, 2, 6, 40] : [2, 6, 40, 2];
      for (const [y1, y2] of [
        [0, 6],
        [1, 5],
        [2, 3],
        [0, 1],
        [5, 6],
      ]) {
        for (let x1 = 0; x1 < 40; x1++) {
          for (let x2 = x1 + 1; x2 <= 40; x2++) {
            const box = { y1, x1, y2, x2 };
            const batch = { shape, dataFormat, partners: Int32Array.of(1, 0), boxes: [box, box] };
            expect(firstDifference(batch), `${dataFormat} box ${JSON.stringify(box)}`).toBe(-1);
          }
        }
      }
    }
  });

  it('pastes random batches (own samples, empty and whole-image boxes) exactly like the reference', () => {
    fc.assert(fc.property(arbSmallBatch, (batch) => firstDifference(batch) === -1));
  });
});

describe('the wasm kernel on samples large enough for the single pass', () => {
  beforeAll(() => useBackend('wasm'));

  it.each(['NCHW', 'NHWC'] as const)('keeps NaN payloads and matches the reference (%s)', (dataFormat) => {
    const shape: [number, number, number, number] = dataFormat === 'NCHW' ? [3, 2, 96, 100] : [3, 96, 100, 2];
    expect(4 * 2 * 96 * 100).toBeGreaterThanOrEqual(SINGLE_PASS_SAMPLE_BYTES);
    const words = new Int32Array(shape.reduce((a, b) => a * b));
    // Signaling and quiet NaNs with payloads, -0 and subnormals among counting words.
    const special = [0x7f800001, 0xff812345, 0x7fc00001, 0x80000000, 0x00000001];
    for (let i = 0; i < words.length; i++) words[i] = i % 7 === 0 ? special[i % special.length] : i;
    const partners = Int32Array.of(2, 1, 0);
    const boxes: Box[] = [
      { y1: 3, x1: 17, y2: 90, x2: 99 },
      { y1: 0, x1: 0, y2: 96, x2: 100 },
      { y1: 0, x1: 1, y2: 96, x2: 2 },
    ];
    const before = tf.memory().numTensors;
    const images = tf.tensor4d(new Float32Array(words.buffer), shape, 'float32');
    const backend = tf.backend() as BackendWasm;
    expect(heapCopiersFor(backend)).toBeDefined();
    const info = pasteOnHeap(backend, images, { partners, boxes: flat(boxes), dataFormat }, true);
    const out = tf.engine().makeTensorFromTensorInfo(info);
    const got = new Int32Array((out.dataSync() as Float32Array).buffer.slice(0));
    const expected = Int32Array.from(referencePaste(words, shape, partners, boxes, dataFormat));
    expect(got.findIndex((word, i) => word !== expected[i])).toBe(-1);
    tf.dispose([images, out]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

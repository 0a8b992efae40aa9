import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../support/backends.js'; // the shared fast-check configuration
import { compileBlockCopier } from '../../src/kernels/wasm.js';

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

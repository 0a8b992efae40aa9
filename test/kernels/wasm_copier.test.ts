import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copierFor, type Copier } from '../../src/kernels/wasm/copier.js';
import '../support/backends.js'; // the shared fast-check configuration

// The compiled copier on its own, against fresh memories: every byte it writes, and every byte it must not.

/** A box block in bytes; offsets of its runs increase and runs never overlap (as geometry.ts builds them). */
interface Block {
  planes: number;
  planeStride: number;
  slices: number;
  sliceStride: number;
  rows: number;
  rowStride: number;
  run: number;
}

/** Byte offsets of a block's runs, in order. */
function runOffsets(b: Block): number[] {
  const out: number[] = [];
  for (let p = 0; p < b.planes; p++) {
    for (let s = 0; s < b.slices; s++) {
      for (let r = 0; r < b.rows; r++) out.push(p * b.planeStride + s * b.sliceStride + r * b.rowStride);
    }
  }
  return out;
}

const blockArgs = (b: Block) => [b.planes, b.planeStride, b.slices, b.sliceStride, b.rows, b.rowStride, b.run] as const;

/** What `copyBlock(from, to, …block)` must leave in memory. */
function referenceCopyBlock(bytes: Uint8Array, from: number, to: number, b: Block): void {
  for (const offset of runOffsets(b)) bytes.copyWithin(to + offset, from + offset, from + offset + b.run);
}

/** What `pasteSample(own, partner, to, sampleBytes, start, …block)` must leave: the partner inside the runs. */
function referencePasteSample(
  bytes: Uint8Array,
  own: number,
  partner: number,
  to: number,
  sampleBytes: number,
  start: number,
  b: Block,
): void {
  const inside = new Uint8Array(sampleBytes);
  for (const offset of runOffsets(b)) inside.fill(1, start + offset, start + offset + b.run);
  const source = bytes.slice();
  for (let k = 0; k < sampleBytes; k++) bytes[to + k] = source[(inside[k] ? partner : own) + k];
}

/** Noise for the memory before each call (a window of it, at a different place per case). */
const NOISE = new Uint8Array(1 << 20);
for (let i = 0, state = 1; i < NOISE.length; i++)
  NOISE[i] = (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;

const memories: { shared: boolean; memory: WebAssembly.Memory }[] = [
  { shared: false, memory: new WebAssembly.Memory({ initial: 8 }) },
  ...(typeof SharedArrayBuffer === 'undefined'
    ? []
    : [{ shared: true, memory: new WebAssembly.Memory({ initial: 8, maximum: 8, shared: true }) }]),
];

it('compiles in Node for ordinary and shared memories, once per memory', () => {
  expect(memories.map((m) => m.shared)).toEqual([false, true]); // Node 20 has SharedArrayBuffer
  for (const { memory } of memories) {
    const copier = copierFor(memory);
    expect(copier).not.toBeNull();
    expect(copierFor(memory)).toBe(copier);
  }
  expect(copierFor(memories[0].memory)).not.toBe(copierFor(memories[1].memory));
});

describe.each(memories)('compiled copier (shared memory: $shared)', ({ memory }) => {
  const copier = copierFor(memory) as Copier;
  const size = memory.buffer.byteLength; // 512 KiB

  /** Runs `compiled` on memory filled with noise, `reference` on a copy; every byte must agree. */
  function expectSameMemory(
    seed: number,
    compiled: () => void,
    reference: (bytes: Uint8Array) => void,
    what: string,
  ): void {
    const heap = new Uint8Array(memory.buffer);
    const shift = (seed >>> 0) % size;
    heap.set(NOISE.subarray(shift, shift + size));
    const expected = heap.slice();
    reference(expected);
    compiled();
    if (Buffer.compare(Buffer.from(heap.buffer, 0, size), Buffer.from(expected.buffer)) === 0) return;
    const at = heap.findIndex((byte, i) => byte !== expected[i]);
    expect(`byte ${at}: ${heap[at]}, expected ${expected[at]}`, what).toBe('same');
  }

  const single = (run: number): Block => ({
    planes: 1,
    planeStride: 0,
    slices: 1,
    sliceStride: 0,
    rows: 1,
    rowStride: 0,
    run,
  });

  it('copyBlock: one run of every length 0–300 bytes at unaligned addresses, and long runs', () => {
    for (const run of [...Array.from({ length: 301 }, (_, i) => i), 4095, 4096, 4097, 70001]) {
      const [from, to] = [1000 + (run % 13), 200_000 + ((run * 7) % 16)];
      const b = single(run);
      expectSameMemory(
        run,
        () => copier.copyBlock(from, to, ...blockArgs(b)),
        (m) => referenceCopyBlock(m, from, to, b),
        `run ${run}`,
      );
    }
  });

  it('copyBlock: long runs at every destination 0–80 bytes past the source modulo 4 KiB (SIMD, not memory.copy)', () => {
    for (let distance = 0; distance <= 80; distance++) {
      for (const run of [128, 4097, 70001]) {
        const from = 777 + distance;
        const to = from + 25 * 4096 + distance; // 100 KiB apart: the ranges never overlap
        const b = single(run);
        expectSameMemory(
          distance * 7 + run,
          () => copier.copyBlock(from, to, ...blockArgs(b)),
          (m) => referenceCopyBlock(m, from, to, b),
          `run ${run}, ${distance} bytes past modulo 4 KiB`,
        );
      }
    }
  });

  it('copyBlock runs as fast 1–63 bytes past the source modulo 4 KiB as 2 KiB past (no memmove there)', () => {
    // memmove, behind memory.copy, runs about 20 times slower at such distances on some machines
    // (docs/benchmarks.md); the copier's SIMD loop does not care. Best of 5, so load hardly matters.
    const run = 60_000;
    const timeAt = (distance: number) => {
      const [from, to] = [1024, 1024 + 3 * 4096 + distance + 65_536];
      let best = Infinity;
      for (let rep = 0; rep < 5; rep++) {
        const start = performance.now();
        for (let k = 0; k < 100; k++) copier.copyBlock(from, to, ...blockArgs(single(run)));
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    timeAt(2048); // warm up
    const far = timeAt(2048);
    for (const distance of [8, 16, 24]) expect(timeAt(distance), `${distance} bytes past`).toBeLessThan(4 * far + 0.1);
  });

  it('pasteSample: own and partner runs of every length 0–300 bytes, and long runs (memory.copy)', () => {
    const cases = Array.from({ length: 301 }, (_, run) => ({ run, start: (run * 7) % 301, tail: (run * 13) % 301 }));
    cases.push(
      { run: 4096, start: 4095, tail: 4097 },
      { run: 50_000, start: 5000, tail: 30_000 },
      { run: 3, start: 9000, tail: 0 },
    );
    for (const { run, start, tail } of cases) {
      const b = single(run);
      const sampleBytes = start + run + tail;
      const [own, partner, to] = [3 + (run % 5), 150_000 + (run % 3), 300_000 + (run % 16)];
      const args = [own, partner, to, sampleBytes, start, ...blockArgs(b)] as const;
      expectSameMemory(
        run,
        () => copier.pasteSample(...args),
        (m) => referencePasteSample(m, own, partner, to, sampleBytes, start, b),
        `run ${run}, own bytes ${start} before and ${tail} after`,
      );
    }
  });

  /** Random blocks: up to 3 planes × 3 slices × 4 rows, runs 0–600 bytes, gaps 0–40, counts 0 included. */
  const arbBlock = fc
    .record({
      planes: fc.integer({ min: 0, max: 3 }),
      slices: fc.integer({ min: 0, max: 3 }),
      rows: fc.integer({ min: 0, max: 4 }),
      run: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 600 })),
      gaps: fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })),
      start: fc.integer({ min: 0, max: 300 }),
      tail: fc.integer({ min: 0, max: 300 }),
      addresses: fc.tuple(
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
      ),
      seed: fc.integer(),
    })
    .map(({ gaps: [rowGap, sliceGap, planeGap], ...r }) => {
      const rowStride = r.run + rowGap;
      const sliceStride = Math.max(1, r.rows) * rowStride + sliceGap;
      const block: Block = {
        ...r,
        rowStride,
        sliceStride,
        planeStride: Math.max(1, r.slices) * sliceStride + planeGap,
      };
      const extent = r.planes * r.slices * r.rows === 0 ? 0 : block.planeStride * r.planes;
      return { ...r, block, sampleBytes: r.start + extent + r.tail };
    });

  it('copyBlock on random blocks equals the reference', () => {
    fc.assert(
      fc.property(arbBlock, ({ block, addresses: [from, to], seed }) => {
        const [a, b] = [from, 250_000 + to];
        expectSameMemory(
          seed,
          () => copier.copyBlock(a, b, ...blockArgs(block)),
          (m) => referenceCopyBlock(m, a, b, block),
          'copyBlock',
        );
      }),
    );
  });

  it('pasteSample on random blocks equals the reference (planes 0: the sample as it is)', () => {
    fc.assert(
      fc.property(arbBlock, ({ block, sampleBytes, start, addresses: [own, partner, to], seed }) => {
        const [o, p, t] = [own, 130_000 + partner, 260_000 + to];
        expectSameMemory(
          seed,
          () => copier.pasteSample(o, p, t, sampleBytes, start, ...blockArgs(block)),
          (m) => referencePasteSample(m, o, p, t, sampleBytes, start, block),
          'pasteSample',
        );
      }),
    );
  });

  /** A block in whole float32 words: `arbBlock` with every size and address rounded to a multiple of 4. */
  const arbFloatBlock = arbBlock.map((r) => {
    const words = (v: number) => 4 * Math.ceil(v / 4);
    const block = { ...r.block, run: words(r.block.run), rowStride: words(r.block.rowStride) };
    block.sliceStride =
      Math.max(1, block.rows) * block.rowStride + words(r.block.sliceStride - r.block.rows * r.block.rowStride);
    block.planeStride = Math.max(1, block.slices) * block.sliceStride + 4;
    return { block, addresses: r.addresses.map(words), seed: r.seed };
  });

  it('addBlock adds a block of float32 into another; zeroBlock zeroes one; nothing else changes', () => {
    fc.assert(
      fc.property(arbFloatBlock, ({ block, addresses: [from, to], seed }) => {
        const [a, b] = [from, 250_000 + to];
        // Small integers as floats, so every sum is exact whatever the order.
        const fill = (view: Float32Array) => view.forEach((_, i) => (view[i] = ((i * 7 + seed) % 19) - 9));
        const heap = new Float32Array(memory.buffer, 0, size / 4);
        fill(heap);
        const expected = heap.slice();
        for (const offset of runOffsets(block)) {
          for (let k = 0; k < block.run; k += 4) expected[(b + offset + k) / 4] += expected[(a + offset + k) / 4];
        }
        copier.addBlock(a, b, ...blockArgs(block));
        expect(Buffer.compare(Buffer.from(heap.buffer, 0, size), Buffer.from(expected.buffer)), 'addBlock').toBe(0);
        fill(heap);
        const zeroed = heap.slice();
        for (const offset of runOffsets(block)) zeroed.fill(0, (b + offset) / 4, (b + offset + block.run) / 4);
        copier.zeroBlock(b, ...blockArgs(block));
        expect(Buffer.compare(Buffer.from(heap.buffer, 0, size), Buffer.from(zeroed.buffer)), 'zeroBlock').toBe(0);
      }),
    );
  });
});

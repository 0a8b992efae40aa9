import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Box } from '../../src/box.js';
import { pasteComposite } from '../../src/kernels/composite.js';
import { CUTMIX_PASTE } from '../../src/kernels/names.js';
import { paste } from '../../src/kernels/paste.js';
import { COPY_GROUP_BYTES } from '../../src/kernels/paste_impl.js';
import { blockCopierFor, pasteOnHeap } from '../../src/kernels/wasm.js';
import type { DataFormat } from '../../src/layout.js';
import { describeEachBackend } from '../support/backends.js';
import { referencePaste } from '../support/reference.js';

/** Float32 bit patterns that tell a byte copy from a float copy: -0, quiet NaNs with payloads, ±Inf, subnormals. */
const SPECIAL_WORDS = [0x80000000, 0x7fc00001, 0xffc12345, 0x7fffffff, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff];
/** Signaling NaNs: a float conversion quiets them, so only a word copy keeps them. */
const SIGNALING_NAN_WORDS = [0x7f800001, 0xff812345, 0x7fbfffff];

const arbBox = (h: number, w: number) =>
  fc.oneof(
    fc.constant({ y1: 0, x1: 0, y2: h, x2: w }), // full image
    fc.constant({ y1: 0, x1: 0, y2: 0, x2: 0 }), // empty
    fc
      .tuple(fc.integer({ min: 0, max: h }), fc.integer({ min: 0, max: h }), fc.integer({ min: 0, max: w }))
      .map(([a, b, x]) => ({ y1: Math.min(a, b), x1: x, y2: Math.max(a, b), x2: x })), // empty, zero width
    fc
      .tuple(fc.integer({ min: 0, max: h }), fc.integer({ min: 0, max: h }))
      .map(([a, b]) => ({ y1: Math.min(a, b), x1: 0, y2: Math.max(a, b), x2: w })), // full width
    fc
      .tuple(
        fc.integer({ min: 0, max: h }),
        fc.integer({ min: 0, max: h }),
        fc.integer({ min: 0, max: w }),
        fc.integer({ min: 0, max: w }),
      )
      .map(([a, b, c, d]) => ({ y1: Math.min(a, b), x1: Math.min(c, d), y2: Math.max(a, b), x2: Math.max(c, d) })),
  );

const arbCase = fc
  .record({
    n: fc.integer({ min: 1, max: 9 }),
    c: fc.integer({ min: 1, max: 4 }),
    h: fc.integer({ min: 1, max: 40 }),
    w: fc.integer({ min: 1, max: 40 }),
    dataFormat: fc.constantFrom<DataFormat>('NCHW', 'NHWC'),
    dtype: fc.constantFrom('float32' as const, 'int32' as const),
    mode: fc.constantFrom('batch' as const, 'elem' as const),
    valueSeed: fc.integer(),
  })
  .chain((cs) =>
    fc.record({
      cs: fc.constant(cs),
      partners: fc.array(fc.integer({ min: 0, max: cs.n - 1 }), { minLength: cs.n, maxLength: cs.n }),
      boxes: fc.array(arbBox(cs.h, cs.w), { minLength: cs.n, maxLength: cs.n }),
    }),
  )
  .map(({ cs, partners, boxes }) => ({
    ...cs,
    partners: Int32Array.from(partners),
    // 'batch': one box for every sample (the paper); 'elem': one per sample.
    boxes: cs.mode === 'batch' ? boxes.map(() => boxes[0]) : boxes,
  }));
type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

/** Words of a batch: random bits (int32) or random floats mixed with special patterns (float32). */
function makeWords(size: number, seed: number, dtype: 'float32' | 'int32', specials: readonly number[]): Int32Array {
  const words = new Int32Array(size);
  const floats = new Float32Array(words.buffer);
  let state = seed >>> 0 || 1;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  for (let i = 0; i < size; i++) {
    const r = next();
    if (dtype === 'int32') words[i] = r | 0;
    else if (r % 4 === 0) words[i] = specials[r % specials.length] | 0;
    else floats[i] = (r / 2 ** 32 - 0.5) * 1e6;
  }
  return words;
}

function makeImages(cs: Case, specials: readonly number[]) {
  const shape: [number, number, number, number] =
    cs.dataFormat === 'NCHW' ? [cs.n, cs.c, cs.h, cs.w] : [cs.n, cs.h, cs.w, cs.c];
  const words = makeWords(cs.n * cs.c * cs.h * cs.w, cs.valueSeed, cs.dtype, specials);
  const values = cs.dtype === 'int32' ? words : new Float32Array(words.buffer);
  return { images: tf.tensor4d(values, shape, cs.dtype), words, shape };
}

const flatten = (boxes: Box[]) => Int32Array.from(boxes.flatMap((b) => [b.y1, b.x1, b.y2, b.x2]));
const wordsOf = (t: tf.Tensor) => {
  const data = t.dataSync() as Float32Array | Int32Array;
  return new Int32Array(data.buffer, data.byteOffset, data.length);
};

/** Word-for-word equality, reporting the first difference (fast on large batches, unlike toEqual). */
function expectSameWords(actual: Int32Array, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  const at = (a: ArrayLike<number>) => (i < a.length ? `0x${(a[i] >>> 0).toString(16)}` : 'end');
  expect(i === actual.length ? 'same' : `word ${i}: ${at(actual)} vs ${at(expected)}`).toBe('same');
}

/** Runs `fn` and checks it left no tensor and no backend data behind beyond its result. */
function noLeak<T extends tf.Tensor>(fn: () => T): T {
  const tensors = tf.memory().numTensors;
  const dataIds = tf.backend().numDataIds();
  const out = fn();
  expect(tf.memory().numTensors).toBe(tensors + 1);
  expect(tf.backend().numDataIds()).toBe(dataIds + 1);
  return out;
}

describeEachBackend('CutmixPaste kernel', (backend) => {
  it('is registered for this backend after the first paste', () => {
    const x = tf.ones([1, 1, 2, 2]) as tf.Tensor4D;
    tf.dispose(paste(x, Int32Array.of(0), Int32Array.of(0, 0, 1, 1), 'NCHW'));
    x.dispose();
    expect(tf.getKernel(CUTMIX_PASTE, backend)).toBeDefined();
  });

  it('is byte-identical to the composite (shapes, layouts, dtypes, modes, boxes, -0 and NaN payloads)', () => {
    fc.assert(
      fc.property(arbCase, (cs) => {
        const { images } = makeImages(cs, SPECIAL_WORDS);
        const boxes = flatten(cs.boxes);
        const kernel = noLeak(() => paste(images, cs.partners, boxes, cs.dataFormat));
        const composite = noLeak(() => pasteComposite(images, cs.partners, boxes, cs.dataFormat));
        expect(kernel.dtype).toBe(cs.dtype);
        expect(kernel.shape).toEqual(images.shape);
        expectSameWords(wordsOf(kernel), wordsOf(composite));
        tf.dispose([images, kernel, composite]);
      }),
    );
  });

  it('copies words, so even signaling NaNs (which a float copy quiets) come out unchanged', () => {
    fc.assert(
      fc.property(arbCase, (cs) => {
        const { images, words, shape } = makeImages({ ...cs, dtype: 'float32' }, [
          ...SPECIAL_WORDS,
          ...SIGNALING_NAN_WORDS,
        ]);
        const out = noLeak(() => paste(images, cs.partners, flatten(cs.boxes), cs.dataFormat));
        const expected = referencePaste(words, shape, cs.partners, cs.boxes, cs.dataFormat);
        expectSameWords(wordsOf(out), expected);
        tf.dispose([images, out]);
      }),
    );
  });

  it('pastes batches that span several copy groups', () => {
    // Samples of 192 KiB (3 per group) and 625 KiB (1 per group, larger than a group).
    const cases: [number[], DataFormat][] = [
      [[7, 3, 128, 128], 'NCHW'],
      [[3, 100, 100, 16], 'NHWC'],
      [[3, 1, 400, 400], 'NCHW'],
    ];
    for (const [shape, dataFormat] of cases) {
      const [n] = shape;
      expect(n * shape[1] * shape[2] * shape[3] * 4).toBeGreaterThan(COPY_GROUP_BYTES);
      const [h, w] = dataFormat === 'NCHW' ? [shape[2], shape[3]] : [shape[1], shape[2]];
      const words = makeWords(n * shape[1] * shape[2] * shape[3], n, 'int32', []);
      const images = tf.tensor4d(words, shape as [number, number, number, number], 'int32');
      const partners = Int32Array.from({ length: n }, (_, i) => (i + 1) % n);
      const boxes: Box[] = Array.from({ length: n }, (_, i) => ({ y1: i, x1: 2 * i, y2: h - 3, x2: w - i }));
      const out = noLeak(() => paste(images, partners, flatten(boxes), dataFormat));
      expectSameWords(wordsOf(out), referencePaste(words, shape, partners, boxes, dataFormat));
      tf.dispose([images, out]);
    }
  });

  it('keeps the input intact and returns a new tensor even when nothing is pasted', () => {
    const images = tf.tensor4d(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), [2, 1, 2, 2]);
    const out = paste(images, Int32Array.of(0, 1), Int32Array.of(0, 0, 2, 2, 0, 0, 2, 2), 'NCHW');
    const swapped = paste(images, Int32Array.of(1, 0), Int32Array.of(0, 0, 2, 2, 0, 0, 2, 2), 'NCHW');
    expect(out.dataId).not.toBe(images.dataId);
    expect(Array.from(out.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(swapped.dataSync())).toEqual([5, 6, 7, 8, 1, 2, 3, 4]);
    expect(Array.from(images.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    tf.dispose([images, out, swapped]);
  });

  if (backend === 'wasm') {
    it('uses the compiled row copier in Node, and its JavaScript fallback gives the same bytes', () => {
      const wasm = tf.backend() as BackendWasm;
      expect(blockCopierFor(wasm)).toBeTypeOf('function');
      fc.assert(
        fc.property(arbCase, (cs) => {
          const { images } = makeImages(cs, SPECIAL_WORDS);
          const boxes = flatten(cs.boxes);
          const compiled = paste(images, cs.partners, boxes, cs.dataFormat);
          const js = noLeak(() =>
            tf
              .engine()
              .makeTensorFromTensorInfo(
                pasteOnHeap(wasm, images, { partners: cs.partners, boxes, dataFormat: cs.dataFormat }, false),
              ),
          );
          expectSameWords(wordsOf(js), wordsOf(compiled));
          tf.dispose([images, compiled, js]);
        }),
      );
    });

    it('re-reads the heap after allocating: results stay right while the memory grows', () => {
      const wasm = tf.backend() as BackendWasm;
      const heapBefore = wasm.wasm.HEAPU8.buffer.byteLength;
      const kept: tf.Tensor[] = [];
      const words = makeWords(4 * 3 * 64 * 64, 7, 'int32', []);
      const images = tf.tensor4d(words, [4, 3, 64, 64], 'int32');
      const partners = Int32Array.of(3, 2, 1, 0);
      const box = { y1: 5, x1: 7, y2: 50, x2: 40 };
      const boxes = [box, box, box, box];
      const expected = referencePaste(words, [4, 3, 64, 64], partners, boxes, 'NCHW');
      // Each output (192 KiB) stays alive, so the heap has to grow well past its size at the start.
      while (wasm.wasm.HEAPU8.buffer.byteLength <= heapBefore + (8 << 20)) {
        kept.push(paste(images, partners, flatten(boxes), 'NCHW'));
      }
      for (const out of kept) expectSameWords(wordsOf(out), expected);
      tf.dispose([images, ...kept]);
    });
  }
});

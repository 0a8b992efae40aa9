import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';
import {
  copyAndPaste,
  pasteSampleBySample,
  SINGLE_PASS_SAMPLE_BYTES,
  type BlockCopier,
  type SamplePaster,
} from './paste_impl.js';

/**
 * The paste on the wasm backend, on the wasm heap: allocate the output on the heap, then fill it with
 * a small wasm module compiled once per heap (see {@link compileHeapCopiers}). Samples of 64 KiB or more
 * (ImageNet size) are written in one pass each, own pixels and partner pixels in order, so every output
 * byte is written once; smaller batches are copied with `copyWithin` a group of samples at a time and
 * each box pasted over its copy (see {@link copyAndPaste} and {@link SINGLE_PASS_SAMPLE_BYTES}).
 * Nothing leaves the heap.
 *
 * The runs are copied in compiled code because JavaScript pays 14–20 ns per row whatever its length,
 * which at CIFAR or MNIST size (about 12 000 or 2 000 rows of 16 or 14 floats per batch) costs several
 * times the batch copy; the compiled loop pays 2–4 ns. Where it cannot be compiled (no access to the
 * heap's `WebAssembly.Memory`, an engine without bulk memory operations, a content security policy) the
 * batch is copied and the rows pasted in JavaScript, with the same result.
 *
 * @example
 * ```ts
 * tf.registerKernel(cutmixPasteWasmConfig); // done lazily by ensureKernelsRegistered()
 * ```
 * @param args.inputs `{ images }`: rank 4, float32 or int32 (4-byte elements).
 * @param args.attrs {@link CutmixPasteAttrs}.
 * @param args.backend the wasm backend object (never imported at run time).
 */
export function cutmixPasteWasm(args: {
  inputs: { images: TensorInfo };
  attrs: CutmixPasteAttrs;
  backend: BackendWasm;
}): TensorInfo {
  return pasteOnHeap(args.backend, args.inputs.images, args.attrs, true);
}

/**
 * {@link cutmixPasteWasm} with the choice of row copier: the compiled one when `compiled` is true and it
 * is available, else JavaScript. Exported so tests and benchmarks can exercise the JavaScript path too.
 *
 * @example
 * ```ts
 * const info = pasteOnHeap(tf.backend() as BackendWasm, images, { partners, boxes, dataFormat: 'NCHW' }, false);
 * ```
 * @param backend the wasm backend.
 * @param images rank-4 float32 or int32 tensor info on that backend.
 * @param attrs partners, boxes and layout.
 * @param compiled whether to use the compiled row copier when it is available.
 */
export function pasteOnHeap(
  backend: BackendWasm,
  images: TensorInfo,
  attrs: CutmixPasteAttrs,
  compiled: boolean,
): TensorInfo {
  const { partners, boxes, dataFormat } = attrs;
  const out = backend.makeOutput(images.shape, images.dtype);
  // Read the heap view only now: the allocation above may have grown the memory and replaced it.
  const heap = backend.wasm.HEAP32;
  // Heap allocations are 8-byte aligned, so byte offsets divide by 4.
  const from = backend.dataIdMap.get(images.dataId).memoryOffset / 4;
  const to = backend.dataIdMap.get(out.dataId).memoryOffset / 4;
  const copiers = compiled ? heapCopiersFor(backend) : undefined;
  const [, a, b, c] = images.shape;
  if (copiers !== undefined && 4 * a * b * c >= SINGLE_PASS_SAMPLE_BYTES) {
    pasteSampleBySample(4 * from, 4 * to, images.shape, dataFormat, partners, boxes, copiers.pasteSample);
  } else {
    copyAndPaste(heap, from, heap, to, images.shape, dataFormat, partners, boxes, copiers?.copyBlock);
  }
  return out;
}

/** Kernel config of {@link cutmixPasteWasm}; registered by `ensureKernelsRegistered`. */
export const cutmixPasteWasmConfig: KernelConfig = {
  kernelName: CUTMIX_PASTE,
  backendName: 'wasm',
  kernelFunc: cutmixPasteWasm as unknown as KernelFunc,
};

/** The compiled functions, one pair per backend instance (each has its own heap); `null` when none. */
const compiled = new WeakMap<BackendWasm, HeapCopiers | null>();

/** The two functions of the compiled module, see {@link compileHeapCopiers}. */
export interface HeapCopiers {
  copyBlock: BlockCopier;
  pasteSample: SamplePaster;
}

/**
 * The backend's compiled copiers, compiled on first use; `undefined` to copy in JavaScript.
 *
 * @example
 * ```ts
 * const copiers = heapCopiersFor(tf.backend() as BackendWasm); // defined in Node 20 and current browsers
 * ```
 * @param backend the wasm backend.
 */
export function heapCopiersFor(backend: BackendWasm): HeapCopiers | undefined {
  let copiers = compiled.get(backend);
  if (copiers === undefined) {
    const memory = heapMemory(backend);
    copiers = memory === undefined ? null : compileHeapCopiers(memory);
    compiled.set(backend, copiers);
  }
  return copiers ?? undefined;
}

/**
 * The backend's compiled block copier (see {@link heapCopiersFor}); `undefined` to copy in JavaScript.
 *
 * @example
 * ```ts
 * const copyBlock = blockCopierFor(tf.backend() as BackendWasm); // a function in Node 20 and current browsers
 * ```
 * @param backend the wasm backend.
 */
export function blockCopierFor(backend: BackendWasm): BlockCopier | undefined {
  return heapCopiersFor(backend)?.copyBlock;
}

/**
 * The `WebAssembly.Memory` behind the backend's heap. Emscripten keeps it on the module object (`asm`
 * in the build tfjs 4 ships, `wasmExports` in newer ones); it is used only if it really is the heap.
 */
function heapMemory(backend: BackendWasm): WebAssembly.Memory | undefined {
  const module = backend.wasm as unknown as Record<string, { memory?: unknown } | undefined>;
  for (const holder of [module.asm, module.wasmExports]) {
    const memory = holder?.memory;
    if (memory instanceof WebAssembly.Memory && memory.buffer === backend.wasm.HEAPU8.buffer) return memory;
  }
  return undefined;
}

/**
 * Compiles the copier module against `memory`. Two wasm functions, all sizes and addresses in bytes:
 *
 * - `copyBlock(from, to, planes, planeStride, rows, rowStride, run)` copies `planes` × `rows` runs;
 * - `pasteSample(own, partner, to, sampleBytes, start, planes, planeStride, rows, rowStride, run)` writes
 *   one output sample in a single pass: the box, `planes` × `rows` runs whose first starts `start` bytes
 *   into the sample, from `partner`, every other byte from `own`.
 *
 * Runs of 128 bytes or more go through `memory.copy`; shorter ones through 16-byte SIMD moves, the last
 * one ending exactly at the run's end (8-byte moves where SIMD is missing).
 * Returns `null` when the engine refuses every variant.
 *
 * @example
 * ```ts
 * const copiers = compileHeapCopiers(memory); // copy 2 rows of 64 bytes, 256 bytes apart
 * copiers?.copyBlock(1024, 8192, 1, 0, 2, 256, 64);
 * ```
 * @param memory the memory to copy within (shared or not).
 * @param variants which variants to try, in order: `true` for SIMD, `false` for 8-byte steps.
 */
export function compileHeapCopiers(
  memory: WebAssembly.Memory,
  variants: readonly boolean[] = [true, false],
): HeapCopiers | null {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  for (const simd of variants) {
    try {
      const module = new WebAssembly.Module(blockCopierBytes(shared, simd));
      const { exports } = new WebAssembly.Instance(module, { env: { memory } });
      return { copyBlock: exports.copyBlock as BlockCopier, pasteSample: exports.pasteSample as SamplePaster };
    } catch {
      // Try the next variant; with none, JavaScript copies the rows.
    }
  }
  return null;
}

/**
 * The `copyBlock` function of {@link compileHeapCopiers}; `null` when it cannot be compiled.
 *
 * @example
 * ```ts
 * const copyBlock = compileBlockCopier(memory); // copy 2 rows of 64 bytes, 256 bytes apart
 * copyBlock?.(1024, 8192, 1, 0, 2, 256, 64);
 * ```
 * @param memory the memory to copy within (shared or not).
 * @param variants which variants to try, in order: `true` for SIMD, `false` for 8-byte steps.
 */
export function compileBlockCopier(
  memory: WebAssembly.Memory,
  variants: readonly boolean[] = [true, false],
): BlockCopier | null {
  return compileHeapCopiers(memory, variants)?.copyBlock ?? null;
}

/**
 * From how many bytes a run goes through `memory.copy` rather than loads and stores. Measured at
 * 64×3×224×224 (runs of about 450 bytes): for the box rows pasted over a copied batch 128 is best; in the
 * single pass, which makes twice as many `memory.copy` calls (the own runs beside the box too), 1–16 KiB
 * all measure alike (1.3–1.4× a heap copy) and 128 costs 1.7–2.2×: V8's `memory.copy` seems to carry a
 * fixed cost of tens of nanoseconds.
 */
const BLOCK_BULK_FROM = 128;
const SINGLE_PASS_BULK_FROM = 4096;

// Wasm binary encoding: just the opcodes the copier uses.
const I32 = 0x7f;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const ELSE = 0x05;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const GET = 0x20;
const SET = 0x21;
const CONST = 0x41;
const EQZ = 0x45;
const GE_U = 0x4f;
const GT_U = 0x4b;
const ADD = 0x6a;
const SUB = 0x6b;
// Loads and stores take a memarg (alignment hint 0 = bytes may be unaligned, offset 0).
const I32_LOAD = [0x28, 0, 0];
const I64_LOAD = [0x29, 0, 0];
const I32_STORE = [0x36, 0, 0];
const I64_STORE = [0x37, 0, 0];
const V128_LOAD = [0xfd, 0x00, 0, 0];
const V128_STORE = [0xfd, 0x0b, 0, 0];
const MEMORY_COPY = [0xfc, 0x0a, 0, 0];

function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

/** `i32.const value`, the value in signed LEB128 (so 64–127 take two bytes). */
function i32(value: number): number[] {
  const bytes = [CONST];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

function name(text: string): number[] {
  return [...uleb(text.length), ...Array.from(text, (ch) => ch.charCodeAt(0))];
}

function section(id: number, ...entries: number[][]): number[] {
  const body = [...uleb(entries.length), ...entries.flat()];
  return [id, ...uleb(body.length), ...body];
}

/** The copier module: imports `env.memory` (shared or not), exports `copyBlock` and `pasteSample`. */
function blockCopierBytes(shared: boolean, simd: boolean): Uint8Array<ArrayBuffer> {
  const get = (local: number) => [GET, local];
  const set = (local: number) => [SET, local];
  const addTo = (local: number, amount: number[]) => [...get(local), ...amount, ADD, ...set(local)];
  const [wide, wideLoad, wideStore] = simd ? [16, V128_LOAD, V128_STORE] : [8, I64_LOAD, I64_STORE];
  /**
   * Copies `run` bytes (a multiple of 4) from local `f` to local `t`, with `i` as scratch: `memory.copy`
   * from `bulkFrom` bytes, else `wide`-byte moves, then one that ends exactly at the run's end (it may
   * overlap the previous one; source and destination never overlap each other). Below `wide` bytes: two
   * overlapping 8-byte moves, or one 4-byte move. With `singlePass` (whose own runs reach `bulkFrom`, and
   * may be empty), four `wide`-byte moves per loop turn while they fit, and nothing for 0 bytes; without
   * it, the code the box-row copier has always had.
   */
  const copyRun = (f: number, t: number, run: number, i: number, bulkFrom: number, singlePass: boolean) => {
    // store(t + at, load(f + at)) for one access width; `at` pushes an offset.
    // prettier-ignore
    const move = (at: number[], load: number[], store: number[]) => [
      ...get(t), ...at, ADD, ...get(f), ...at, ADD, ...load, ...store,
    ];
    const fromEnd = (back: number) => [...get(run), ...i32(back), SUB];
    const wideMove = (offset: number[]) => move(offset, wideLoad, wideStore);
    // `wide`-byte moves at offsets 0, wide, 2 wide, 3 wide from `t + i` (the offsets go in the memargs).
    const memarg = (access: number[], offset: number) => [...access.slice(0, -1), ...uleb(offset)];
    // prettier-ignore
    const fourMoves = [0, 1, 2, 3].flatMap((k) => [
      ...get(t), ...get(i), ADD, ...get(f), ...get(i), ADD, ...memarg(wideLoad, k * wide), ...memarg(wideStore, k * wide),
    ]);
    // prettier-ignore
    const unrolled = singlePass
      ? [
          ...BLOCK, ...LOOP,
            ...get(i), ...i32(4 * wide), ADD, ...get(run), GT_U, BR_IF, 1,
            ...fourMoves,
            ...addTo(i, i32(4 * wide)),
            BR, 0,
          END, END,
        ]
      : [];
    const fourBytes = move(i32(0), I32_LOAD, I32_STORE);
    const fourOrNone = singlePass ? [...get(run), ...IF, ...fourBytes, END] : fourBytes;
    // prettier-ignore
    return [
      ...get(run), ...i32(bulkFrom), GE_U, ...IF,
        ...get(t), ...get(f), ...get(run), ...MEMORY_COPY,
      ELSE,
        ...get(run), ...i32(wide), GE_U, ...IF,
          ...i32(0), ...set(i),
          ...unrolled,
          ...BLOCK, ...LOOP,
            ...get(i), ...i32(wide), ADD, ...get(run), GE_U, BR_IF, 1,
            ...wideMove(get(i)),
            ...addTo(i, i32(wide)),
            BR, 0,
          END, END,
          ...wideMove(fromEnd(wide)),
        ELSE,
          ...(simd
            ? [...get(run), ...i32(8), GE_U, ...IF,
                 ...move(i32(0), I64_LOAD, I64_STORE), ...move(fromEnd(8), I64_LOAD, I64_STORE),
               ELSE, ...fourOrNone, END]
            : fourOrNone),
        END,
      END,
    ];
  };

  // copyBlock: parameters 0–6, then locals 7–10.
  const copyBlockBody = (() => {
    const [from, to, planes, planeStride, rows, rowStride, run, r, f, t, i] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // prettier-ignore
    const code = [
      ...BLOCK, ...LOOP, // planes
        ...get(planes), EQZ, BR_IF, 1,
        ...get(from), ...set(f), ...get(to), ...set(t), ...get(rows), ...set(r),
        ...BLOCK, ...LOOP, // rows
          ...get(r), EQZ, BR_IF, 1,
          ...copyRun(f, t, run, i, BLOCK_BULK_FROM, false),
          ...addTo(f, get(rowStride)), ...addTo(t, get(rowStride)), ...addTo(r, i32(-1)),
          BR, 0,
        END, END,
        ...addTo(from, get(planeStride)), ...addTo(to, get(planeStride)), ...addTo(planes, i32(-1)),
        BR, 0,
      END, END,
    ];
    return [...uleb(1), 4, I32 /* four i32 locals */, ...code, END];
  })();

  // pasteSample: parameters 0–9, then locals 10–16. Walks the sample once: the own bytes up to the next box
  // run, the partner's run, …, then the own bytes after the last run.
  const pasteSampleBody = (() => {
    const [own, partner, to, sampleBytes, start, planes, planeStride, rows, rowStride, run] = [
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ];
    const [pos, rowStart, r, boxStart, f, t, len, i] = [10, 11, 12, 13, 14, 15, 16, 17];
    // Copy [pos, end) of the own sample, `end` pushed by `endCode`.
    // prettier-ignore
    const ownUpTo = (endCode: number[]) => [
      ...endCode, ...get(pos), SUB, ...set(len),
      ...get(own), ...get(pos), ADD, ...set(f), ...get(to), ...get(pos), ADD, ...set(t),
      ...copyRun(f, t, len, i, SINGLE_PASS_BULK_FROM, true),
    ];
    // prettier-ignore
    const code = [
      ...get(start), ...set(boxStart),
      ...BLOCK, ...LOOP, // planes
        ...get(planes), EQZ, BR_IF, 1,
        ...get(boxStart), ...set(rowStart), ...get(rows), ...set(r),
        ...BLOCK, ...LOOP, // rows
          ...get(r), EQZ, BR_IF, 1,
          ...ownUpTo(get(rowStart)),
          ...get(partner), ...get(rowStart), ADD, ...set(f), ...get(to), ...get(rowStart), ADD, ...set(t),
          ...copyRun(f, t, run, i, SINGLE_PASS_BULK_FROM, true),
          ...get(rowStart), ...get(run), ADD, ...set(pos),
          ...addTo(rowStart, get(rowStride)), ...addTo(r, i32(-1)),
          BR, 0,
        END, END,
        ...addTo(boxStart, get(planeStride)), ...addTo(planes, i32(-1)),
        BR, 0,
      END, END,
      ...ownUpTo(get(sampleBytes)),
    ];
    return [...uleb(1), 8, I32 /* eight i32 locals */, ...code, END];
  })();

  const memoryType = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const params = (count: number) => [0x60, count, ...new Array<number>(count).fill(I32), 0];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, params(7), params(10)),
    ...section(2, [...name('env'), ...name('memory'), 0x02, ...memoryType]),
    ...section(3, [0], [1]),
    ...section(7, [...name('copyBlock'), 0x00, 0], [...name('pasteSample'), 0x00, 1]),
    ...section(
      10,
      [...uleb(copyBlockBody.length), ...copyBlockBody],
      [...uleb(pasteSampleBody.length), ...pasteSampleBody],
    ),
  ]);
}

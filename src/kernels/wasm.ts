import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';
import { copyAndPaste, type BlockCopier } from './paste_impl.js';

/**
 * The paste on the wasm backend, on the wasm heap: allocate the output on the heap, copy the batch there
 * with `copyWithin` (a group of samples at a time, see {@link copyAndPaste}), then copy each sample's box
 * from its partner. Nothing leaves the heap.
 *
 * The box rows are copied by a 310-byte wasm module compiled once per heap (see
 * {@link compileBlockCopier}): JavaScript pays 14–20 ns per row whatever its length, which at CIFAR or
 * MNIST size (about 12 000 or 2 000 rows of 16 or 14 floats per batch) costs several times the batch copy;
 * the compiled loop pays 2–4 ns. Where it cannot be compiled (no access to the heap's
 * `WebAssembly.Memory`, an engine without bulk memory operations, a content security policy) the rows are
 * copied in JavaScript, with the same result.
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
  const copier = compiled ? blockCopierFor(backend) : undefined;
  copyAndPaste(heap, from, heap, to, images.shape, dataFormat, partners, boxes, copier);
  return out;
}

/** Kernel config of {@link cutmixPasteWasm}; registered by `ensureKernelsRegistered`. */
export const cutmixPasteWasmConfig: KernelConfig = {
  kernelName: CUTMIX_PASTE,
  backendName: 'wasm',
  kernelFunc: cutmixPasteWasm as unknown as KernelFunc,
};

/** One compiled copier per backend instance (each has its own heap); `null` when none could be made. */
const copiers = new WeakMap<BackendWasm, BlockCopier | null>();

/**
 * The backend's compiled block copier, compiled on first use; `undefined` to copy in JavaScript.
 *
 * @example
 * ```ts
 * const copyBlock = blockCopierFor(tf.backend() as BackendWasm); // a function in Node 20 and current browsers
 * ```
 * @param backend the wasm backend.
 */
export function blockCopierFor(backend: BackendWasm): BlockCopier | undefined {
  let copier = copiers.get(backend);
  if (copier === undefined) {
    const memory = heapMemory(backend);
    copier = memory === undefined ? null : compileBlockCopier(memory);
    copiers.set(backend, copier);
  }
  return copier ?? undefined;
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
 * Compiles the block copier against `memory`: a wasm function
 * `copyBlock(from, to, planes, planeStride, rows, rowStride, run)`, all in bytes, that copies
 * `planes` × `rows` runs. Runs of 128 bytes or more go through `memory.copy`; shorter ones through
 * 16-byte SIMD moves, the last one ending exactly at the run's end (8-byte moves where SIMD is
 * missing).
 * Returns `null` when the engine refuses every variant.
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
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  for (const simd of variants) {
    try {
      const module = new WebAssembly.Module(blockCopierBytes(shared, simd));
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      return instance.exports.copyBlock as BlockCopier;
    } catch {
      // Try the next variant; with none, JavaScript copies the rows.
    }
  }
  return null;
}

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

/** The copier module: imports `env.memory` (shared or not), exports `copyBlock`. */
function blockCopierBytes(shared: boolean, simd: boolean): Uint8Array<ArrayBuffer> {
  // Parameters 0–6, then locals 7–10.
  const [from, to, planes, planeStride, rows, rowStride, run, r, f, t, i] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const get = (local: number) => [GET, local];
  const set = (local: number) => [SET, local];
  const addTo = (local: number, amount: number[]) => [...get(local), ...amount, ADD, ...set(local)];
  // store(t + at, load(f + at)) for one access width; `at` pushes an offset.
  // prettier-ignore
  const move = (at: number[], load: number[], store: number[]) => [
    ...get(t), ...at, ADD, ...get(f), ...at, ADD, ...load, ...store,
  ];
  const [wide, wideLoad, wideStore] = simd ? [16, V128_LOAD, V128_STORE] : [8, I64_LOAD, I64_STORE];
  const fromEnd = (back: number) => [...get(run), ...i32(back), SUB];
  const wideMove = (offset: number[]) => move(offset, wideLoad, wideStore);
  // A run shorter than 128 bytes (always a multiple of 4): `wide`-byte moves, then one that ends exactly at
  // the run's end (it may overlap the previous one; source and destination never overlap each other).
  // Below `wide` bytes: two overlapping 8-byte moves, or one 4-byte move.
  // prettier-ignore
  const shortRun = [
    ...get(run), ...i32(wide), GE_U, ...IF,
      ...i32(0), ...set(i),
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
           ELSE, ...move(i32(0), I32_LOAD, I32_STORE), END]
        : move(i32(0), I32_LOAD, I32_STORE)),
    END,
  ];
  // prettier-ignore
  const code = [
    ...BLOCK, ...LOOP, // planes
      ...get(planes), EQZ, BR_IF, 1,
      ...get(from), ...set(f), ...get(to), ...set(t), ...get(rows), ...set(r),
      ...BLOCK, ...LOOP, // rows
        ...get(r), EQZ, BR_IF, 1,
        ...get(run), ...i32(128), GE_U, ...IF,
          ...get(t), ...get(f), ...get(run), ...MEMORY_COPY,
        ELSE, ...shortRun, END,
        ...addTo(f, get(rowStride)), ...addTo(t, get(rowStride)), ...addTo(r, i32(-1)),
        BR, 0,
      END, END,
      ...addTo(from, get(planeStride)), ...addTo(to, get(planeStride)), ...addTo(planes, i32(-1)),
      BR, 0,
    END, END,
  ];
  const body = [...uleb(1), 4, I32 /* four i32 locals */, ...code, END];
  const memoryType = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]),
    ...section(2, [...name('env'), ...name('memory'), 0x02, ...memoryType]),
    ...section(3, [0]),
    ...section(7, [...name('copyBlock'), 0x00, 0]),
    ...section(10, [...uleb(body.length), ...body]),
  ]);
}

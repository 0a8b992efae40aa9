import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { pasteElements, pasteGradElements } from '../copy.js';
import { mixedBlocks, pasteGeometry, type BoxBlock, type PasteGeometry } from '../geometry.js';
import { CUTMIX_PASTE, CUTMIX_PASTE_GRAD, type CutmixPasteAttrs } from '../names.js';
import { blockArgs, copierFor, type Copier } from './copier.js';
import { heapAddress, heapBits, heapBytes, heapFloats, heapMemory } from './heap.js';

/**
 * A batch whose samples' own stretches between box runs average at least this many bytes is written in
 * one pass, each sample by one `pasteSample` call; otherwise the samples are copied a group at a time and
 * their boxes pasted over (`copyBlock`): many short stretches cost more than copying the box twice.
 * Measured: docs/benchmarks.md.
 */
const SINGLE_PASS_STRETCH_BYTES = 1024;
/** Small samples are copied in groups of about this many bytes, each group's boxes pasted while in cache. */
const COPY_GROUP_BYTES = 512 * 1024;
/** A block with no planes: `pasteSample` then copies the sample as it is. */
const NO_BLOCK: BoxBlock = {
  start: 0,
  planes: 0,
  planeStride: 0,
  slices: 0,
  sliceStride: 0,
  rows: 0,
  rowStride: 0,
  run: 0,
};

type WasmArgs<I extends string> = { inputs: Record<I, TensorInfo>; attrs: CutmixPasteAttrs; backend: BackendWasm };

/** Makes the output, runs `fill(inputByte, outputByte)`, and frees the output if `fill` throws. */
function withOutput(
  backend: BackendWasm,
  input: TensorInfo,
  dtype: TensorInfo['dtype'],
  fill: (from: number, to: number) => void,
): TensorInfo {
  const from = heapAddress(backend, input.dataId); // may move the input in and grow the heap
  const out = backend.makeOutput(input.shape, dtype); // may grow the heap
  try {
    fill(from, heapAddress(backend, out.dataId));
    return out;
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  }
}

/** Each sample's box block with offsets, strides and run in bytes (see `mixedBlocks`). */
function byteBlocks(g: PasteGeometry, attrs: CutmixPasteAttrs, bytes: number): (BoxBlock | undefined)[] {
  return mixedBlocks(g, attrs.partners, attrs.boxes).map((b) => {
    if (b === undefined) return undefined;
    const { start, planeStride, sliceStride, rowStride, run } = b;
    return {
      ...b,
      start: start * bytes,
      planeStride: planeStride * bytes,
      sliceStride: sliceStride * bytes,
      rowStride: rowStride * bytes,
      run: run * bytes,
    };
  });
}

/** The paste with the compiled copier: single pass per large sample, grouped copy + box blocks for small. */
function pasteCompiled(
  copier: Copier,
  backend: BackendWasm,
  from: number,
  to: number,
  g: PasteGeometry,
  attrs: CutmixPasteAttrs,
  bytes: number,
): void {
  const sampleBytes = g.sampleSize * bytes;
  const at = (base: number, s: number) => base + s * sampleBytes;
  const blocks = byteBlocks(g, attrs, bytes);
  const runs = blocks.reduce((sum, b) => sum + (b === undefined ? 0 : b.planes * b.slices * b.rows), 0);
  if ((g.n * sampleBytes) / (runs + g.n) >= SINGLE_PASS_STRETCH_BYTES) {
    for (let s = 0; s < g.n; s++) {
      const b = blocks[s] ?? NO_BLOCK;
      copier.pasteSample(at(from, s), at(from, attrs.partners[s]), at(to, s), sampleBytes, b.start, ...blockArgs(b));
    }
    return;
  }
  const group = Math.max(1, Math.floor(COPY_GROUP_BYTES / Math.max(1, sampleBytes)));
  for (let first = 0; first < g.n; first += group) {
    const end = Math.min(g.n, first + group);
    heapBytes(backend).copyWithin(at(to, first), at(from, first), at(from, end));
    for (let s = first; s < end; s++) {
      const b = blocks[s];
      if (b === undefined) continue;
      copier.copyBlock(at(from, attrs.partners[s]) + b.start, at(to, s) + b.start, ...blockArgs(b));
    }
  }
}

/**
 * The paste on the wasm heap, output allocated there too; `copier` null pastes in JavaScript on heap
 * views (engines that refuse the compiled copier), with the same bytes. float32 and int32 move as 4-byte
 * words, bool as bytes.
 */
export function pasteOnHeap(
  backend: BackendWasm,
  images: TensorInfo,
  attrs: CutmixPasteAttrs,
  copier: Copier | null,
): TensorInfo {
  const g = pasteGeometry(images.shape, attrs.dataFormat);
  const bytes = images.dtype === 'bool' ? 1 : 4;
  return withOutput(backend, images, images.dtype, (from, to) => {
    if (copier !== null) return pasteCompiled(copier, backend, from, to, g, attrs, bytes);
    const size = g.n * g.sampleSize;
    pasteElements(
      heapBits(backend, from, size, bytes),
      heapBits(backend, to, size, bytes),
      g,
      attrs.partners,
      mixedBlocks(g, attrs.partners, attrs.boxes),
    );
  });
}

function cutmixPasteWasm({ inputs, attrs, backend }: WasmArgs<'images'>): TensorInfo {
  const memory = heapMemory(backend);
  return pasteOnHeap(backend, inputs.images, attrs, memory === undefined ? null : copierFor(memory));
}

/**
 * The paste's gradient on the heap (float32), as `pasteGradElements` computes it: `dy` copied, each mixed
 * sample's box zeroed, each box's `dy` added to the partner's; with the copier, the box work runs compiled.
 */
export function pasteGradOnHeap(
  backend: BackendWasm,
  dy: TensorInfo,
  attrs: CutmixPasteAttrs,
  copier: Copier | null,
): TensorInfo {
  const g = pasteGeometry(dy.shape, attrs.dataFormat);
  const size = g.n * g.sampleSize;
  return withOutput(backend, dy, 'float32', (from, to) => {
    if (copier === null)
      return pasteGradElements(
        heapFloats(backend, from, size),
        heapFloats(backend, to, size),
        g,
        attrs.partners,
        mixedBlocks(g, attrs.partners, attrs.boxes),
      );
    heapBytes(backend).copyWithin(to, from, from + 4 * size);
    const at = (base: number, s: number) => base + 4 * s * g.sampleSize;
    const blocks = byteBlocks(g, attrs, 4);
    blocks.forEach((b, s) => b && copier.zeroBlock(at(to, s) + b.start, ...blockArgs(b)));
    blocks.forEach(
      (b, s) => b && copier.addBlock(at(from, s) + b.start, at(to, attrs.partners[s]) + b.start, ...blockArgs(b)),
    );
  });
}

function cutmixPasteGradWasm({ inputs, attrs, backend }: WasmArgs<'dy'>): TensorInfo {
  const memory = heapMemory(backend);
  return pasteGradOnHeap(backend, inputs.dy, attrs, memory === undefined ? null : copierFor(memory));
}

/** The wasm kernels; registered lazily by `ensureKernelsRegistered`. */
export const wasmKernelConfigs: readonly KernelConfig[] = [
  { kernelName: CUTMIX_PASTE, backendName: 'wasm', kernelFunc: cutmixPasteWasm as unknown as KernelFunc },
  { kernelName: CUTMIX_PASTE_GRAD, backendName: 'wasm', kernelFunc: cutmixPasteGradWasm as unknown as KernelFunc },
];

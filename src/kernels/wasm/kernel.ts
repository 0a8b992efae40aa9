import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { pasteElements, routeGradient } from '../copy.js';
import {
  BLOCK_INTS,
  blockTable,
  pasteGeometry,
  PLANE_STRIDE,
  PLANES,
  ROW_STRIDE,
  ROWS,
  RUN,
  SLICE_STRIDE,
  SLICES,
  START,
  type PasteGeometry,
} from '../geometry.js';
import { CUTMIX_PASTE, CUTMIX_PASTE_GRAD, type CutmixPasteAttrs } from '../names.js';
import { scratchInts } from '../scratch.js';
import { copierFor, type Copier } from './copier.js';
import { heapAddress, heapBits, heapFloats, heapMemory } from './heap.js';

/**
 * Samples of at least this many bytes are written in one pass, each by one `pasteSample` call; smaller ones
 * are copied a group at a time and their boxes pasted over (`copyBlock`), where a call per sample would cost
 * more than the sample's copy. Measured (from 8×8 to 224×224 images, 1-D and 3-D): the one pass is as fast
 * or faster from 1 KiB samples on, short box rows included: docs/benchmarks.md.
 */
export const SINGLE_PASS_SAMPLE_BYTES = 1024;
/** Small samples are copied in groups of about this many bytes, each group's boxes pasted while in cache. */
const COPY_GROUP_BYTES = 512 * 1024;

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

/** How the compiled copier writes a batch (see {@link choosePath}). */
export type PastePath = 'one pass' | 'groups';

/** The faster way to write a batch of `sampleBytes` samples, as measured (see {@link SINGLE_PASS_SAMPLE_BYTES}). */
export function choosePath(sampleBytes: number): PastePath {
  return sampleBytes >= SINGLE_PASS_SAMPLE_BYTES ? 'one pass' : 'groups';
}

/**
 * The paste with the compiled copier, from the batch at byte `from` to the output at `to`, `table` the
 * batch's `blockTable` in bytes, along `path` (see {@link choosePath}; every path writes the same bytes).
 * The table's fields go to the copier one by one (a spread call into wasm costs several times more).
 */
export function pasteCompiled(
  copier: Copier,
  from: number,
  to: number,
  g: PasteGeometry,
  partners: Int32Array,
  table: Int32Array,
  bytes: number,
  path: PastePath,
): void {
  const sampleBytes = g.sampleSize * bytes;
  if (path === 'one pass') {
    for (let s = 0, t = 0; s < g.n; s++, t += BLOCK_INTS) {
      copier.pasteSample(
        from + s * sampleBytes,
        from + partners[s] * sampleBytes,
        to + s * sampleBytes,
        sampleBytes,
        table[t + START],
        table[t + PLANES],
        table[t + PLANE_STRIDE],
        table[t + SLICES],
        table[t + SLICE_STRIDE],
        table[t + ROWS],
        table[t + ROW_STRIDE],
        table[t + RUN],
      );
    }
    return;
  }
  const group = Math.max(1, Math.floor(COPY_GROUP_BYTES / Math.max(1, sampleBytes)));
  for (let first = 0; first < g.n; first += group) {
    const end = Math.min(g.n, first + group);
    // One run of the whole group: memory.copy.
    copier.copyBlock(
      from + first * sampleBytes,
      to + first * sampleBytes,
      1,
      0,
      1,
      0,
      1,
      0,
      (end - first) * sampleBytes,
    );
    for (let s = first, t = first * BLOCK_INTS; s < end; s++, t += BLOCK_INTS) {
      if (table[t + PLANES] === 0) continue;
      copier.copyBlock(
        from + partners[s] * sampleBytes + table[t + START],
        to + s * sampleBytes + table[t + START],
        table[t + PLANES],
        table[t + PLANE_STRIDE],
        table[t + SLICES],
        table[t + SLICE_STRIDE],
        table[t + ROWS],
        table[t + ROW_STRIDE],
        table[t + RUN],
      );
    }
  }
}

/**
 * The paste on the wasm heap, output allocated there too; `copier` null pastes in JavaScript on heap
 * views (engines that refuse the compiled copier), with the same bytes. float32 and int32 move as 4-byte
 * words, bool as bytes. The block table is built in reused scratch before the output exists. `path`
 * overrides `choosePath` (tests and the bench run every path).
 */
export function pasteOnHeap(
  backend: BackendWasm,
  images: TensorInfo,
  attrs: CutmixPasteAttrs,
  copier: Copier | null,
  path?: PastePath,
): TensorInfo {
  const { partners } = attrs;
  const g = pasteGeometry(images.shape, attrs.dataFormat);
  const bytes = images.dtype === 'bool' ? 1 : 4;
  if (copier === null) {
    const table = blockTable(g, partners, attrs.boxes, 1, scratchInts(g.n * BLOCK_INTS));
    return withOutput(backend, images, images.dtype, (from, to) => {
      const size = g.n * g.sampleSize;
      pasteElements(heapBits(backend, from, size, bytes), heapBits(backend, to, size, bytes), g, partners, table);
    });
  }
  const table = blockTable(g, partners, attrs.boxes, bytes, scratchInts(g.n * BLOCK_INTS));
  const chosen = path ?? choosePath(g.sampleSize * bytes);
  return withOutput(backend, images, images.dtype, (from, to) =>
    pasteCompiled(copier, from, to, g, partners, table, bytes, chosen),
  );
}

function cutmixPasteWasm({ inputs, attrs, backend }: WasmArgs<'images'>): TensorInfo {
  const memory = heapMemory(backend);
  return pasteOnHeap(backend, inputs.images, attrs, memory === undefined ? null : copierFor(memory));
}

/**
 * The paste's gradient on the heap (float32), as `routeGradient` computes it: `dy` copied, each mixed
 * sample's box zeroed, each box's `dy` added to the partner's; with the copier, all of it runs compiled.
 */
export function pasteGradOnHeap(
  backend: BackendWasm,
  dy: TensorInfo,
  attrs: CutmixPasteAttrs,
  copier: Copier | null,
): TensorInfo {
  const { partners } = attrs;
  const g = pasteGeometry(dy.shape, attrs.dataFormat);
  const size = g.n * g.sampleSize;
  const sampleBytes = 4 * g.sampleSize;
  const table = blockTable(g, partners, attrs.boxes, copier === null ? 1 : 4, scratchInts(g.n * BLOCK_INTS));
  return withOutput(backend, dy, 'float32', (from, to) => {
    if (copier === null) {
      const [upstream, dx] = [heapFloats(backend, from, size), heapFloats(backend, to, size)];
      dx.set(upstream);
      return routeGradient(upstream, dx, g, partners, table);
    }
    copier.copyBlock(from, to, 1, 0, 1, 0, 1, 0, 4 * size);
    for (let s = 0, t = 0; s < g.n; s++, t += BLOCK_INTS) {
      if (table[t + PLANES] === 0) continue;
      copier.zeroBlock(
        to + s * sampleBytes + table[t + START],
        table[t + PLANES],
        table[t + PLANE_STRIDE],
        table[t + SLICES],
        table[t + SLICE_STRIDE],
        table[t + ROWS],
        table[t + ROW_STRIDE],
        table[t + RUN],
      );
    }
    for (let s = 0, t = 0; s < g.n; s++, t += BLOCK_INTS) {
      if (table[t + PLANES] === 0) continue;
      copier.addBlock(
        from + s * sampleBytes + table[t + START],
        to + partners[s] * sampleBytes + table[t + START],
        table[t + PLANES],
        table[t + PLANE_STRIDE],
        table[t + SLICES],
        table[t + SLICE_STRIDE],
        table[t + ROWS],
        table[t + ROW_STRIDE],
        table[t + RUN],
      );
    }
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

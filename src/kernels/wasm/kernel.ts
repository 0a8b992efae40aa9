import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { pasteElements, pasteGradElements } from '../copy.js';
import { BLOCK_INTS, blockTable, PLANES, pasteGeometry, runsOf, type PasteGeometry } from '../geometry.js';
import { CUTMIX_PASTE, CUTMIX_PASTE_GRAD, type CutmixPasteAttrs } from '../names.js';
import { copierFor, type Copier } from './copier.js';
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

/** The paste with the compiled copier: one pass per sample for long own stretches, grouped copy otherwise. */
function pasteCompiled(
  copier: Copier,
  backend: BackendWasm,
  from: number,
  to: number,
  g: PasteGeometry,
  attrs: CutmixPasteAttrs,
  bytes: number,
): void {
  const { partners } = attrs;
  const sampleBytes = g.sampleSize * bytes;
  const at = (base: number, s: number) => base + s * sampleBytes;
  const table = blockTable(g, partners, attrs.boxes, bytes);
  let runs = 0;
  for (let s = 0; s < g.n; s++) runs += runsOf(table, s);
  // The copier's arguments are the table's fields in order, passed one by one (a spread call into wasm
  // costs several times more); a sample whose block is empty has planes 0.
  if ((g.n * sampleBytes) / (runs + g.n) >= SINGLE_PASS_STRETCH_BYTES) {
    for (let s = 0, t = 0; s < g.n; s++, t += BLOCK_INTS) {
      const [own, partner, out] = [at(from, s), at(from, partners[s]), at(to, s)];
      const [start, p, ps, sl, ss, r, rs, run] = [
        table[t],
        table[t + 1],
        table[t + 2],
        table[t + 3],
        table[t + 4],
        table[t + 5],
        table[t + 6],
        table[t + 7],
      ];
      copier.pasteSample(own, partner, out, sampleBytes, start, p, ps, sl, ss, r, rs, run);
    }
    return;
  }
  const group = Math.max(1, Math.floor(COPY_GROUP_BYTES / Math.max(1, sampleBytes)));
  for (let first = 0; first < g.n; first += group) {
    const end = Math.min(g.n, first + group);
    heapBytes(backend).copyWithin(at(to, first), at(from, first), at(from, end));
    for (let s = first, t = first * BLOCK_INTS; s < end; s++, t += BLOCK_INTS) {
      if (table[t + PLANES] === 0) continue;
      const [a, b] = [at(from, partners[s]) + table[t], at(to, s) + table[t]];
      copier.copyBlock(
        a,
        b,
        table[t + 1],
        table[t + 2],
        table[t + 3],
        table[t + 4],
        table[t + 5],
        table[t + 6],
        table[t + 7],
      );
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
    const [src, dst] = [heapBits(backend, from, size, bytes), heapBits(backend, to, size, bytes)];
    pasteElements(src, dst, g, attrs.partners, blockTable(g, attrs.partners, attrs.boxes));
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
    if (copier === null) {
      const [upstream, dx] = [heapFloats(backend, from, size), heapFloats(backend, to, size)];
      return pasteGradElements(upstream, dx, g, attrs.partners, blockTable(g, attrs.partners, attrs.boxes));
    }
    heapBytes(backend).copyWithin(to, from, from + 4 * size);
    const at = (base: number, s: number) => base + 4 * s * g.sampleSize;
    const table = blockTable(g, attrs.partners, attrs.boxes, 4);
    for (let s = 0, t = 0; s < g.n; s++, t += BLOCK_INTS) {
      if (table[t + PLANES] === 0) continue;
      const [p, ps, sl, ss, r, rs, run] = [
        table[t + 1],
        table[t + 2],
        table[t + 3],
        table[t + 4],
        table[t + 5],
        table[t + 6],
        table[t + 7],
      ];
      copier.zeroBlock(at(to, s) + table[t], p, ps, sl, ss, r, rs, run);
    }
    for (let s = 0, t = 0; s < g.n; s++, t += BLOCK_INTS) {
      if (table[t + PLANES] === 0) continue;
      const [p, ps, sl, ss, r, rs, run] = [
        table[t + 1],
        table[t + 2],
        table[t + 3],
        table[t + 4],
        table[t + 5],
        table[t + 6],
        table[t + 7],
      ];
      copier.addBlock(at(from, s) + table[t], at(to, attrs.partners[s]) + table[t], p, ps, sl, ss, r, rs, run);
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

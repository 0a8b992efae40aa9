/**
 * Bench-only kernels: what the real paste kernels cost with the paste left out, through the same
 * `runKernel` dispatch and into the same kind of output block, so that each floor differs from the real
 * kernel in one respect only.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { Elements } from '../src/kernels/copy.js';
import { BLOCK_INTS, blockTable, pasteGeometry } from '../src/kernels/geometry.js';
import type { CutmixPasteAttrs } from '../src/kernels/names.js';
import { copierFor } from '../src/kernels/wasm/copier.js';
import { heapMemory } from '../src/kernels/wasm/heap.js';
import { scratchInts } from '../src/kernels/scratch.js';
import { pasteCompiled, pasteOnHeap, type PastePath } from '../src/kernels/wasm/kernel.js';

/** The output allocated and the batch copied into it in one bulk copy; nothing pasted. */
export const COPY_ONLY_KERNEL = 'CutmixPasteBenchCopyOnly';
/**
 * wasm: the batch written in exactly the pieces the one pass writes (own stretches and box runs), every
 * piece from the sample itself: the one pass with the paste left out.
 */
export const ROW_PIECES_KERNEL = 'CutmixPasteBenchRowPieces';
/** wasm: the real kernel with its path forced (attribute `path`), to time every path on one plan. */
export const FORCED_PATH_KERNEL = 'CutmixPasteBenchForcedPath';

const copierOf = (wasm: BackendWasm) => {
  const copier = copierFor(heapMemory(wasm)!);
  if (copier === null) throw new Error('bench: the compiled copier did not compile');
  return copier;
};

let itselfCache = new Int32Array(0);
/** `[0, 1, …, n − 1]`, kept between calls: every sample its own partner. */
function identity(n: number): Int32Array {
  if (itselfCache.length !== n) itselfCache = Int32Array.from({ length: n }, (_, s) => s);
  return itselfCache;
}

/** Registers the bench-only kernels (once). */
export function registerBenchKernels(): void {
  if (tf.getKernel(COPY_ONLY_KERNEL, 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: COPY_ONLY_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const wasm = backend as BackendWasm;
      const x = inputs.images as tf.TensorInfo;
      const from = wasm.dataIdMap.get(x.dataId)!.memoryOffset;
      const out = wasm.makeOutput(x.shape, x.dtype);
      const bytes = 4 * x.shape.reduce((a, b) => a * b, 1);
      wasm.wasm.HEAPU8.copyWithin(wasm.dataIdMap.get(out.dataId)!.memoryOffset, from, from + bytes);
      return out;
    },
  });
  tf.registerKernel({
    kernelName: COPY_ONLY_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      const cpu = backend as MathBackendCPU;
      const x = inputs.images as tf.TensorInfo;
      return cpu.makeTensorInfo(x.shape, x.dtype, new Float32Array(cpu.data.get(x.dataId)!.values as Elements));
    },
  });
  tf.registerKernel({
    kernelName: ROW_PIECES_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as BackendWasm;
      const x = inputs.images as tf.TensorInfo;
      const { partners, boxes, dataFormat } = attrs as unknown as CutmixPasteAttrs;
      const g = pasteGeometry(x.shape, dataFormat);
      const table = blockTable(g, partners, boxes, 4, scratchInts(g.n * BLOCK_INTS));
      const itself = identity(g.n);
      const from = wasm.dataIdMap.get(x.dataId)!.memoryOffset;
      const out = wasm.makeOutput(x.shape, x.dtype);
      const to = wasm.dataIdMap.get(out.dataId)!.memoryOffset;
      pasteCompiled(copierOf(wasm), from, to, g, itself, table, 4, 'one pass');
      return out;
    },
  });
  tf.registerKernel({
    kernelName: FORCED_PATH_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as BackendWasm;
      const { path, ...paste } = attrs as unknown as CutmixPasteAttrs & { path: PastePath };
      return pasteOnHeap(wasm, inputs.images as tf.TensorInfo, paste, copierOf(wasm), path);
    },
  });
}

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId } from '@tensorflow/tfjs-core';

/**
 * Access to the wasm backend's heap. The heap's ArrayBuffer is replaced whenever the memory grows, and
 * anything that allocates can grow it (moving a tensor in from another backend, `makeOutput`, `_malloc`),
 * so a view is made right before each use from the current `HEAPU8.buffer` — the one property tfjs's own
 * wasm code relies on — and never kept across such a call.
 */

/** The byte address of a tensor's data on the heap. Reading it moves the data onto the heap first if it
 * lives on another backend, which may grow the memory: call it before making any view. */
export function heapAddress(backend: BackendWasm, dataId: DataId): number {
  return backend.dataIdMap.get(dataId).memoryOffset;
}

/** A fresh view of `length` elements at byte address `byte`, of the kind that copies them as bits. */
export function heapBits(
  backend: BackendWasm,
  byte: number,
  length: number,
  elementBytes: 1 | 4,
): Int32Array | Uint8Array {
  const buffer = backend.wasm.HEAPU8.buffer;
  return elementBytes === 1 ? new Uint8Array(buffer, byte, length) : new Int32Array(buffer, byte, length);
}

/** A fresh float32 view of `length` elements at byte address `byte`. */
export function heapFloats(backend: BackendWasm, byte: number, length: number): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, byte, length);
}

/** A fresh byte view of the whole heap. */
export function heapBytes(backend: BackendWasm): Uint8Array {
  return new Uint8Array(backend.wasm.HEAPU8.buffer);
}

/**
 * The `WebAssembly.Memory` behind the heap, for compiling the copier against it. Emscripten keeps it on
 * the module object (`asm` in the build tfjs 4 ships, `wasmExports` in newer ones); it is used only if it
 * really is the heap.
 */
export function heapMemory(backend: BackendWasm): WebAssembly.Memory | undefined {
  const module = backend.wasm as unknown as Record<string, { memory?: unknown } | undefined>;
  for (const holder of [module.asm, module.wasmExports]) {
    const memory = holder?.memory;
    if (memory instanceof WebAssembly.Memory && memory.buffer === backend.wasm.HEAPU8.buffer) return memory;
  }
  return undefined;
}

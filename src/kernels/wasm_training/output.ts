import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapAddress, heapFloats } from '../wasm/heap.js';

/**
 * Makes a float32 output on the wasm heap and lets `fill` write it through a view made after the
 * allocation (which may have grown the heap and replaced its buffer). If `fill` throws, the output is
 * freed before the error goes on.
 */
export function withHeapOutput(
  backend: BackendWasm,
  shape: readonly number[],
  fill: (out: Float32Array) => void,
): TensorInfo {
  const out = backend.makeOutput([...shape], 'float32');
  try {
    const size = shape.reduce((a, b) => a * b, 1);
    fill(heapFloats(backend, heapAddress(backend, out.dataId), size));
    return out;
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  }
}

/** A fresh float32 view of a tensor already on the wasm heap (read its address first if it may not be). */
export function floatsOf(backend: BackendWasm, t: TensorInfo): Float32Array {
  return heapFloats(
    backend,
    heapAddress(backend, t.dataId),
    t.shape.reduce((a, b) => a * b, 1),
  );
}

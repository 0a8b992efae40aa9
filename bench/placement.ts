/**
 * Where a wasm batch and its outputs lie on the heap. Two things there change what a copy costs, apart
 * from the copy itself: whether it writes a block still in cache (so every variant and its floor must write
 * the same block: the one the allocator hands back after the last dispose), and how far, modulo 4 KiB,
 * the output lies past the input (from 1 to 63 bytes the C library's memmove, which the floors use, runs
 * many times slower: docs/benchmarks.md). The bench places the batch so that its floors run at their best.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { asBits, type Elements } from '../src/kernels/copy.js';

export interface HeapPlacement {
  /** Bytes from the batch to the block its outputs land on, modulo 4 KiB. */
  distance: number;
  /**
   * Bytes from that block to where `cutmixBatch`'s output lands (0: the same block; its two label tensors,
   * allocated first, can move it by a few hundred bytes). Set by the bench once it has run a call.
   */
  offset: number;
  /** Placements tried (1: the first block was fine). */
  attempts: number;
}

/** Destinations 1–63 bytes past the source modulo 4 KiB: memmove's slow window on this machine. */
export const slowDistance = (distance: number) => distance >= 1 && distance < 64;

const addressOf = (t: tf.Tensor) => (tf.backend() as BackendWasm).dataIdMap.get(t.dataId)!.memoryOffset;

/**
 * A float32 batch of `shape` on the wasm heap whose output block lies outside {@link slowDistance} of it:
 * when the block a fresh allocation of the batch's size gets is too close, a raw allocation of 258 KiB is
 * put in its way (the next block then starts 2 KiB further along, modulo 4 KiB) and kept until `release`.
 *
 * @example
 * ```ts
 * const { images, placement, release } = placeBatch([128, 1, 28, 28]);
 * // … time …
 * images.dispose();
 * release();
 * ```
 */
export function placeBatch(shape: number[]): {
  images: tf.Tensor;
  placement: HeapPlacement;
  /** The block outputs of the batch's size land on. */
  block: number;
  release: () => void;
} {
  const wasm = tf.backend() as BackendWasm;
  const bytes = 4 * shape.reduce((a, b) => a * b, 1);
  const images = tf.randomUniform(shape, 0, 1, 'float32', 7);
  const pads: number[] = [];
  const release = () => pads.forEach((pad) => wasm.wasm._free(pad));
  for (let attempt = 1; attempt <= 8; attempt++) {
    const block = wasm.wasm._malloc(bytes) >>> 0;
    wasm.wasm._free(block);
    const distance = (((block - addressOf(images)) % 4096) + 4096) % 4096;
    if (!slowDistance(distance)) {
      const clone = tf.clone(images);
      const cloneAt = addressOf(clone);
      clone.dispose();
      if (cloneAt !== block)
        throw new Error('bench: tf.clone of the batch does not land on the block its floor writes');
      return { images, placement: { distance, offset: 0, attempts: attempt }, block, release };
    }
    pads.push(wasm.wasm._malloc(258 * 1024) >>> 0);
  }
  images.dispose();
  release();
  throw new Error('bench: no placement of the batch outside the slow memmove window in 8 attempts');
}

/** The heap address of a tensor's data (wasm). */
export { addressOf };

/** Whether two tensors hold the same bits (float32 compared as 32-bit words). */
export function sameBits(a: tf.Tensor, b: tf.Tensor): boolean {
  const [x, y] = [asBits(a.dataSync() as Elements), asBits(b.dataSync() as Elements)];
  return x.length === y.length && x.every((word, i) => word === y[i]);
}

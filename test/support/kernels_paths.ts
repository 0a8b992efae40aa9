import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';
import { applyCutmix } from '../../src/index.js';
import { pasteComposite } from '../../src/kernels/composite.js';
import { copierFor } from '../../src/kernels/wasm/copier.js';
import { heapMemory } from '../../src/kernels/wasm/heap.js';
import { pasteOnHeap, type PastePath as WasmPath } from '../../src/kernels/wasm/kernel.js';
import {
  attrsOf,
  bitsOf,
  expectedBits,
  expectSameBits,
  flatBoxes,
  makeBits,
  publicBox,
  quieted,
  tensorOfBits,
  type PasteCase,
} from './kernels_cases.js';

/** One way of pasting: a public op, one kernel path, or the composite. */
export interface PastePath {
  name: string;
  run(x: tf.Tensor, cs: PasteCase): tf.Tensor;
  /** Float conversions on the way quiet signalling NaNs (the stock ops on cpu; docs/benchmarks.md). */
  quietsNaN?: boolean;
}

/**
 * The paths to compare on `backend`: registered kernel (via applyCutmix), composite, and on wasm the JS copy
 * and both compiled paths.
 */
export function pastePaths(backend: 'cpu' | 'wasm'): PastePath[] {
  const paths: PastePath[] = [
    {
      name: `${backend} kernel via applyCutmix`,
      run: (x, cs) =>
        applyCutmix(x, { boxes: cs.boxes.map(publicBox), partners: cs.partners }, { dataFormat: cs.dataFormat }),
    },
    {
      name: 'composite',
      run: (x, cs) => pasteComposite(x, cs.partners, flatBoxes(cs.boxes), cs.dataFormat),
      quietsNaN: backend === 'cpu',
    },
  ];
  if (backend === 'wasm') {
    const onHeap = (copier: 'compiled' | null, path?: WasmPath) => (x: tf.Tensor, cs: PasteCase) => {
      const wasm = tf.backend() as BackendWasm;
      const compiled = copier === null ? null : copierFor(heapMemory(wasm)!);
      return tf.engine().makeTensorFromTensorInfo(pasteOnHeap(wasm, x, attrsOf(cs), compiled, path));
    };
    paths.push({ name: 'wasm JavaScript copy (pasteOnHeap, null copier)', run: onHeap(null) });
    // Every compiled path on every case, whichever choosePath would pick.
    for (const path of ['one pass', 'groups'] as const) {
      paths.push({ name: `wasm compiled, path ${path}`, run: onHeap('compiled', path) });
    }
  }
  return paths;
}

/**
 * `actual` with each element that differs from `exact` only by a float conversion's quieting of a
 * signalling NaN replaced by the exact bits (V8 quiets them on some paths of the stock cpu ops, not all).
 */
function forgiveQuieting(actual: Int32Array | Uint8Array, exact: Int32Array | Uint8Array): Int32Array | Uint8Array {
  return actual.map((word, i) => (word !== exact[i] && word === quieted(exact[i]) ? exact[i] : word));
}

/** Pastes `cs` on every path and checks every output element against the reference, and no leak. */
export function checkAllPaths(paths: readonly PastePath[], cs: PasteCase): void {
  const bits = makeBits(
    cs.dtype,
    cs.shape.reduce((a, b) => a * b, 1),
    cs.seed,
  );
  const x = tensorOfBits(bits, cs.shape, cs.dtype);
  const exact = expectedBits(cs, bits);
  try {
    for (const path of paths) {
      const tensors = tf.memory().numTensors;
      const out = path.run(x, cs);
      try {
        expect(tf.memory().numTensors, `${path.name}: tensors`).toBe(tensors + 1);
        expect([out.dtype, out.shape], path.name).toEqual([cs.dtype, cs.shape]);
        const got = bitsOf(out);
        expectSameBits(path.quietsNaN ? forgiveQuieting(got, exact) : got, exact, path.name);
      } finally {
        out.dispose();
      }
    }
    expectSameBits(bitsOf(x), bits, 'input untouched');
  } finally {
    x.dispose();
  }
}

import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asBits, pasteInPlace, routeGradient, type Elements } from './copy.js';
import { BLOCK_INTS, blockTable, pasteGeometry } from './geometry.js';
import { CUTMIX_PASTE, CUTMIX_PASTE_GRAD, type CutmixPasteAttrs } from './names.js';
import { pasteOrder } from './order.js';
import { scratchInts } from './scratch.js';

type CpuArgs<I extends string> = { inputs: Record<I, TensorInfo>; attrs: CutmixPasteAttrs; backend: MathBackendCPU };

/**
 * The paste on the cpu backend's typed arrays: the batch copied into a fresh array of the input's own kind
 * in one bulk copy (the cpu backend may keep an int32 tensor in bytes after a cast from bool, so the kind
 * is copied, not assumed; same-kind construction keeps the bits), then each box moved inside that output
 * with `copyWithin`, samples in `pasteOrder` so that a partner's rows are read before they are pasted over.
 * In JavaScript every run costs a call, and a `copyWithin` needs no view object where a copy from the input
 * would. Everything else is made before the output, so the call allocates nothing while the output is
 * young. Measured in docs/benchmarks.md.
 */
function cutmixPasteCpu({ inputs, attrs, backend }: CpuArgs<'images'>): TensorInfo {
  const { images } = inputs;
  const { partners } = attrs;
  const source = backend.data.get(images.dataId).values as Elements;
  const g = pasteGeometry(images.shape, attrs.dataFormat);
  // One scratch array: the block table, then the order, then the order's own bookkeeping.
  const orderAt = g.n * BLOCK_INTS;
  const ints = scratchInts(orderAt + 2 * g.n);
  blockTable(g, partners, attrs.boxes, 1, ints);
  pasteOrder(g.n, partners, ints, ints, orderAt, orderAt + g.n);
  const input = asBits(source);
  const out = new (source.constructor as new (from: Elements) => Elements)(source);
  pasteInPlace(input, asBits(out), g, partners, ints, orderAt);
  return backend.makeTensorInfo(images.shape, images.dtype, out);
}

/** The paste's gradient on the cpu backend (float32 `dy`): a copy of `dy`, then `routeGradient`. */
function cutmixPasteGradCpu({ inputs, attrs, backend }: CpuArgs<'dy'>): TensorInfo {
  const { dy } = inputs;
  const upstream = backend.data.get(dy.dataId).values as Float32Array;
  const g = pasteGeometry(dy.shape, attrs.dataFormat);
  const table = blockTable(g, attrs.partners, attrs.boxes, 1, scratchInts(g.n * BLOCK_INTS));
  const dx = new Float32Array(upstream);
  routeGradient(upstream, dx, g, attrs.partners, table);
  return backend.makeTensorInfo(dy.shape, 'float32', dx);
}

/** The cpu kernels; registered lazily by `ensureKernelsRegistered`. */
export const cpuKernelConfigs: readonly KernelConfig[] = [
  { kernelName: CUTMIX_PASTE, backendName: 'cpu', kernelFunc: cutmixPasteCpu as unknown as KernelFunc },
  { kernelName: CUTMIX_PASTE_GRAD, backendName: 'cpu', kernelFunc: cutmixPasteGradCpu as unknown as KernelFunc },
];

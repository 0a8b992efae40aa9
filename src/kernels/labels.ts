import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { GradConfig, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { asBits, type Bits, type Elements } from './copy.js';
import { CUTMIX_LABELS, type CutmixLabelsAttrs } from './names.js';
import { heapAddress, heapBits } from './wasm/heap.js';

type LabelArgs<B> = { inputs: { labels: TensorInfo }; attrs: CutmixLabelsAttrs; backend: B };

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Row `partners[s]` of `from` copied to row s of `to`, for every s: bits, so every value is exact. */
function gatherRows(from: Bits, to: Bits, partners: Int32Array, row: number): void {
  for (let s = 0; s < partners.length; s++) {
    const at = partners[s] * row;
    for (let i = 0; i < row; i++) to[s * row + i] = from[at + i];
  }
}

/**
 * The cpu kernel: the labels themselves (a second reference to the same data, as `tf.clone` makes on
 * this backend) and a fresh array of the partners' rows.
 */
function cutmixLabelsCpu({ inputs: { labels }, attrs, backend }: LabelArgs<MathBackendCPU>): TensorInfo[] {
  const values = backend.data.get(labels.dataId).values as Elements;
  const gathered = new (values.constructor as new (length: number) => Elements)(values.length);
  gatherRows(asBits(values), asBits(gathered), attrs.partners, values.length / labels.shape[0]);
  backend.incRef(labels.dataId);
  return [
    { dataId: labels.dataId, shape: labels.shape, dtype: labels.dtype },
    backend.makeTensorInfo(labels.shape, labels.dtype, gathered),
  ];
}

/** The wasm kernel: two outputs on the heap, a copy of the labels and the partners' rows (4-byte words). */
function cutmixLabelsWasm({ inputs: { labels }, attrs, backend }: LabelArgs<BackendWasm>): TensorInfo[] {
  const size = sizeOf(labels.shape);
  const bytes = labels.dtype === 'bool' ? 1 : 4;
  const from = heapAddress(backend, labels.dataId); // may move the labels in and grow the heap
  const outputs = [backend.makeOutput(labels.shape, labels.dtype), backend.makeOutput(labels.shape, labels.dtype)];
  try {
    // Views after both allocations: either may have grown the heap.
    const [input, same, gathered] = [from, ...outputs.map((o) => heapAddress(backend, o.dataId))].map((byte) =>
      heapBits(backend, byte, size, bytes),
    );
    same.set(input);
    gatherRows(input, gathered, attrs.partners, size / labels.shape[0]);
    return outputs;
  } catch (error) {
    outputs.forEach((o) => backend.disposeData(o.dataId));
    throw error;
  }
}

/** The kernels, registered lazily by `ensureKernelsRegistered` (float32 and int32 labels only reach them). */
export const labelKernelConfigs: readonly KernelConfig[] = [
  { kernelName: CUTMIX_LABELS, backendName: 'cpu', kernelFunc: cutmixLabelsCpu as unknown as KernelFunc },
  { kernelName: CUTMIX_LABELS, backendName: 'wasm', kernelFunc: cutmixLabelsWasm as unknown as KernelFunc },
];

/**
 * The gradient of both outputs with respect to the labels: the first passes through, the second's rows
 * are summed into the rows they came from (`scatterND` adds repeated indices; it has a wasm kernel,
 * which `unsortedSegmentSum`, the stock `gather` gradient, lacks).
 */
export const labelsGradConfig: GradConfig = {
  kernelName: CUTMIX_LABELS,
  gradFunc: (dy: Tensor | Tensor[], _saved: Tensor[], attrs) => {
    const [same, gathered] = dy as Tensor[];
    const { partners } = attrs as unknown as CutmixLabelsAttrs;
    const rows = tf.tensor2d(partners, [partners.length, 1], 'int32');
    return { labels: () => tf.add(same, tf.scatterND(rows, gathered, gathered.shape)) };
  },
};

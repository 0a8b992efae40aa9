import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  CUTMIX_OPTION_KEYS,
  cutmixBatch,
  flattenBoxes,
  planCutmix,
  resolveOptions,
  type CutMixResult,
  type MixMode,
} from '../src/cutmix_batch.js';
import { pasteComposite } from '../src/kernels/composite.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from '../src/kernels/names.js';
import { paste } from '../src/kernels/paste.js';
import { pasteOnHeap } from '../src/kernels/wasm.js';
import { timeInBlocks, timeInterleaved, variant, type Stats, type Variant } from './harness.js';

export type BackendName = 'cpu' | 'wasm';
export type Shape4 = [number, number, number, number];

/** Variant names; the limit a backend's ratios are taken against is `LIMIT[backend]`. */
export const V = {
  kernel: 'kernel (cutmixBatch batch plans)',
  kernelElem: 'kernel (cutmixBatch elem plans)',
  kernelQuarter: 'kernel (fixed centred 25 % box)',
  kernelJsRows: 'kernel, rows copied in JS (fallback path)',
  copyOnly: 'copy-only kernel (runKernel, output copied, nothing pasted)',
  batch: "cutmixBatch mode:'batch'",
  elem: "cutmixBatch mode:'elem'",
  composite: 'composite (stock ops fallback)',
  heapCopy: 'limit: heap copy (_malloc + copyWithin + _free)',
  heapCopyPre: 'heap copy between preallocated blocks',
  allocCopy: 'limit: allocate + copy (new Float32Array(src))',
  setCopy: 'copy into an existing buffer (dst.set(src))',
} as const;

export const LIMIT: Record<BackendName, string> = { wasm: V.heapCopy, cpu: V.allocCopy };

export interface Budget {
  warmup: number;
  iterations: number;
  compositeWarmup: number;
  compositeIterations: number;
}

export interface ShapeResult {
  backend: BackendName;
  shape: Shape4;
  stats: Record<string, Stats>;
}

/** A bench-only kernel name for the wasm kernel with its JavaScript row copies (the fallback path). */
const JS_ROWS_KERNEL = 'CutmixPasteBenchJsRows';
/** A bench-only kernel that only copies its input into a new output: the kernel minus the paste. */
const COPY_ONLY_KERNEL = 'CutmixPasteBenchCopyOnly';

function registerBenchKernels(): void {
  if (tf.getKernel(JS_ROWS_KERNEL, 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: JS_ROWS_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      pasteOnHeap(backend as BackendWasm, inputs.images as tf.TensorInfo, attrs as unknown as CutmixPasteAttrs, false),
  });
  tf.registerKernel({
    kernelName: COPY_ONLY_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const wasm = backend as BackendWasm;
      const x = inputs.images as tf.TensorInfo;
      const out = wasm.makeOutput(x.shape, x.dtype);
      const from = wasm.dataIdMap.get(x.dataId)!.memoryOffset;
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
      return cpu.makeTensorInfo(x.shape, x.dtype, new Float32Array(cpu.data.get(x.dataId)!.values as Float32Array));
    },
  });
}

interface Plan {
  partners: Int32Array;
  boxes: Int32Array;
}

/** The plan cutmixBatch draws for `seed` (same validation, same sampling, same order of draws). */
function planFor(shape: Shape4, seed: number, mode: MixMode): Plan {
  const [n, , h, w] = shape;
  const options = { seed, mode };
  const resolved = resolveOptions('bench', options, CUTMIX_OPTION_KEYS);
  const plan = planCutmix('bench', n, h, w, resolved, options);
  return { partners: plan.partners, boxes: flattenBoxes(plan.boxes) };
}

const seedOf = (round: number) => 1000 + round;

function sameWords(a: tf.Tensor, b: tf.Tensor): boolean {
  const x = a.dataSync() as Float32Array;
  const y = b.dataSync() as Float32Array;
  const u = new Int32Array(x.buffer, x.byteOffset, x.length);
  const v = new Int32Array(y.buffer, y.byteOffset, y.length);
  return u.length === v.length && u.every((word, i) => word === v[i]);
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`bench sanity check failed: ${what}`);
}

/**
 * Times every variant for one backend and one NCHW float32 shape: first the fast variants interleaved,
 * then the composite on its own (its garbage would disturb the others). Checks before timing that the
 * kernel timed is the one cutmixBatch runs, on the same plans, and that nothing leaks.
 */
export function benchShape(
  backend: BackendName,
  shape: Shape4,
  budget: Budget,
  progress: (message: string) => void,
): ShapeResult {
  const [n, , h, w] = shape;
  const size = shape.reduce((a, b) => a * b, 1);
  const tensorsBefore = tf.memory().numTensors;
  const dataIdsBefore = tf.backend().numDataIds();
  const images = tf.randomUniform(shape, 0, 1, 'float32', 7) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  );
  // One plan per call index (blocks run a few more calls than rounds; indices wrap around).
  const plans = 2 * Math.max(budget.warmup + budget.iterations, budget.compositeWarmup + budget.compositeIterations);
  const batchPlans = Array.from({ length: plans }, (_, r) => planFor(shape, seedOf(r), 'batch'));
  const elemPlans = Array.from({ length: plans }, (_, r) => planFor(shape, seedOf(r), 'elem'));
  const batchPlan = (call: number) => batchPlans[call % plans];
  const elemPlan = (call: number) => elemPlans[call % plans];
  const seedAt = (call: number) => seedOf(call % plans);
  const quarter: Plan = {
    partners: Int32Array.from({ length: n }, (_, i) => (i + 1) % n),
    boxes: Int32Array.from({ length: 4 * n }, (_, i) => [h / 4, w / 4, h / 4 + h / 2, w / 4 + w / 2][i % 4] | 0),
  };

  // The timed kernel is cutmixBatch's: same plan for the same seed, and runKernel reaches our kernel.
  for (const mode of ['batch', 'elem'] as const) {
    const out = cutmixBatch(images, labels, { seed: seedOf(0), mode });
    const plan = (mode === 'batch' ? batchPlan : elemPlan)(0);
    check(
      out.partners.every((p, i) => p === plan.partners[i]) &&
        flattenBoxes(out.boxes).every((v, i) => v === plan.boxes[i]),
      `cutmixBatch ${mode} plan differs from the plan the kernel rows use`,
    );
    const direct = paste(images, plan.partners, plan.boxes, 'NCHW');
    check(sameWords(out.images, direct), `cutmixBatch ${mode} output differs from the kernel's`);
    tf.dispose([out.images, out.labelsA, out.labelsB, direct]);
  }
  check(tf.getKernel(CUTMIX_PASTE, backend) !== undefined, `no ${CUTMIX_PASTE} kernel on ${backend}`);

  registerBenchKernels();
  const disposeResult = (r: CutMixResult) => tf.dispose([r.images, r.labelsA, r.labelsB]);
  const disposeTensor = (t: tf.Tensor) => t.dispose();
  const variants: Variant[] = [
    variant(V.kernel, (r) => paste(images, batchPlan(r).partners, batchPlan(r).boxes, 'NCHW'), disposeTensor),
    variant(V.kernelElem, (r) => paste(images, elemPlan(r).partners, elemPlan(r).boxes, 'NCHW'), disposeTensor),
    variant(V.kernelQuarter, () => paste(images, quarter.partners, quarter.boxes, 'NCHW'), disposeTensor),
    variant(V.batch, (r) => cutmixBatch(images, labels, { seed: seedAt(r), mode: 'batch' }), disposeResult),
    variant(V.elem, (r) => cutmixBatch(images, labels, { seed: seedAt(r), mode: 'elem' }), disposeResult),
    variant(V.copyOnly, () => tf.engine().runKernel(COPY_ONLY_KERNEL, { images }) as tf.Tensor, disposeTensor),
  ];

  let release = () => {};
  if (backend === 'wasm') {
    const wasm = tf.backend() as BackendWasm;
    const bytes = size * 4;
    const source = wasm.dataIdMap.get(images.dataId)!.memoryOffset;
    const pre = wasm.wasm._malloc(bytes) >>> 0;
    release = () => wasm.wasm._free(pre);
    const jsRowsAttrs = (r: number) =>
      ({
        partners: batchPlan(r).partners,
        boxes: batchPlan(r).boxes,
        dataFormat: 'NCHW',
      }) as unknown as tf.NamedAttrMap;
    variants.push(
      variant(
        V.kernelJsRows,
        (r) => tf.engine().runKernel(JS_ROWS_KERNEL, { images }, jsRowsAttrs(r)) as tf.Tensor,
        disposeTensor,
      ),
      variant(V.heapCopy, () => {
        const to = wasm.wasm._malloc(bytes) >>> 0;
        wasm.wasm.HEAPU8.copyWithin(to, source, source + bytes); // the view is read after the allocation
        wasm.wasm._free(to);
      }),
      variant(V.heapCopyPre, () => wasm.wasm.HEAPU8.copyWithin(pre, source, source + bytes)),
    );
  } else {
    const values = (tf.backend() as MathBackendCPU).data.get(images.dataId)!.values as Float32Array;
    const existing = new Float32Array(size);
    variants.push(
      variant(V.allocCopy, () => new Float32Array(values)),
      variant(V.setCopy, () => existing.set(values)),
    );
  }

  const label = `${backend} ${shape.join('×')}`;
  const report = (what: string) => {
    let last = -1;
    return (done: number, total: number) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth !== last) progress(`${label}: ${what} ${done}/${total} calls`);
      last = tenth;
    };
  };
  // cpu below 32 MiB: blocks, because each call's fresh output meets an allocator state left by the
  // previous call (see timeInBlocks). Larger outputs are always fresh mappings (glibc never recycles
  // chunks above its 32 MiB maximum mmap threshold), and wasm frees on dispose: there interleaving only
  // spreads machine noise evenly.
  const time = backend === 'cpu' && size * 4 < 32 * 2 ** 20 ? timeInBlocks : timeInterleaved;
  const fast = time(variants, {
    warmup: budget.warmup,
    iterations: budget.iterations,
    onProgress: report(`${variants.length} variants,`),
  });
  release();

  // The composite on its own; its first call is checked against the kernel, byte for byte.
  const reference = paste(images, batchPlan(0).partners, batchPlan(0).boxes, 'NCHW');
  const first = pasteComposite(images, batchPlan(0).partners, batchPlan(0).boxes, 'NCHW');
  check(sameWords(reference, first), 'composite output differs from the kernel output');
  tf.dispose([reference, first]);
  const composite = timeInterleaved(
    [
      variant(
        V.composite,
        (r) => pasteComposite(images, batchPlan(r).partners, batchPlan(r).boxes, 'NCHW'),
        disposeTensor,
      ),
    ],
    {
      warmup: budget.compositeWarmup,
      iterations: budget.compositeIterations,
      onProgress: report('composite,'),
    },
  );

  tf.dispose([images, labels]);
  check(tf.memory().numTensors === tensorsBefore, `tensors leaked: ${tf.memory().numTensors - tensorsBefore}`);
  check(
    tf.backend().numDataIds() === dataIdsBefore,
    `backend data leaked: ${tf.backend().numDataIds() - dataIdsBefore}`,
  );
  return { backend, shape, stats: Object.fromEntries([...fast, ...composite]) };
}

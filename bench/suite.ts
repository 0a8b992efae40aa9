import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { kernelBoxes } from '../src/plan/box.js';
import { cutmixBatch } from '../src/index.js';
import { pasteComposite } from '../src/kernels/composite.js';
import { asBits, pasteElements, type Elements } from '../src/kernels/copy.js';
import { blockTable, pasteGeometry } from '../src/kernels/geometry.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from '../src/kernels/names.js';
import { paste } from '../src/kernels/paste.js';
import { pasteOnHeap } from '../src/kernels/wasm/kernel.js';
import { batchDims, type DataFormat } from '../src/common/layout.js';
import type { CutMixResult } from '../src/ops/result.js';
import type { AnyBox } from '../src/plan/box.js';
import { checkInjected } from '../src/plan/injected.js';
import { resolveMixOptions, type MixMode } from '../src/plan/options.js';
import { planMix } from '../src/plan/plan.js';
import { readOptions } from '../src/common/validate.js';
import { timeInBlocks, timeInterleaved, variant, type Stats, type Variant } from './harness.js';

export type BackendName = 'cpu' | 'wasm';

/** A batch to time: NC…/N…C float32 of any rank. */
export interface BenchBatch {
  shape: number[];
  dataFormat: DataFormat;
}

/** Variant names; the limit a backend's ratios are taken against is `LIMIT[backend]`. */
export const V = {
  kernel: 'kernel (cutmixBatch batch plans)',
  kernelElem: 'kernel (cutmixBatch elem plans)',
  kernelQuarter: 'kernel (fixed centred box, half of each side)',
  kernelJs: 'kernel without the compiled copier (JavaScript on heap views)',
  kernelSinglePass: 'cpu alternative: every element written once (own stretches and box runs)',
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
  shape: number[];
  dataFormat: DataFormat;
  stats: Record<string, Stats>;
}

/** Bench-only kernels: the wasm kernel without its copier, the cpu single-pass strategy, a copy-only kernel. */
const JS_KERNEL = 'CutmixPasteBenchJs';
const SINGLE_PASS_KERNEL = 'CutmixPasteBenchSinglePass';
const COPY_ONLY_KERNEL = 'CutmixPasteBenchCopyOnly';

function registerBenchKernels(): void {
  if (tf.getKernel(JS_KERNEL, 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: JS_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      pasteOnHeap(backend as BackendWasm, inputs.images as tf.TensorInfo, attrs as unknown as CutmixPasteAttrs, null),
  });
  tf.registerKernel({
    kernelName: SINGLE_PASS_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const cpu = backend as MathBackendCPU;
      const x = inputs.images as tf.TensorInfo;
      const { partners, boxes, dataFormat } = attrs as unknown as CutmixPasteAttrs;
      const source = cpu.data.get(x.dataId)!.values as Float32Array;
      const out = new Float32Array(source.length);
      const g = pasteGeometry(x.shape, dataFormat);
      pasteElements(asBits(source), asBits(out), g, partners, blockTable(g, partners, boxes));
      return cpu.makeTensorInfo(x.shape, x.dtype, out);
    },
  });
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
      return cpu.makeTensorInfo(
        x.shape,
        x.dtype,
        new Float32Array(cpu.data.get(x.dataId)!.values as Elements as Float32Array),
      );
    },
  });
}

interface Plan {
  partners: Int32Array;
  boxes: Int32Array;
}

/** The plan cutmixBatch draws for `seed` (same validation, same sampling, same order of draws). */
export function planFor(batch: BenchBatch, seed: number, mode: MixMode): Plan {
  const { n, spatial } = batchDims(batch.shape, batch.dataFormat);
  const s = resolveMixOptions('bench', readOptions('bench', 'options', { seed, mode }, null));
  const plan = planMix(s, n, spatial, checkInjected(s, n, spatial), true);
  return { partners: plan.partners, boxes: kernelBoxes(plan.boxes) };
}

const seedOf = (round: number) => 1000 + round;

function sameWords(a: tf.Tensor, b: tf.Tensor): boolean {
  const [x, y] = [asBits(a.dataSync() as Float32Array), asBits(b.dataSync() as Float32Array)];
  return x.length === y.length && x.every((word, i) => word === y[i]);
}

export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`bench sanity check failed: ${what}`);
}

/** A centred box covering half of each spatial side, for every sample, partner i + 1. */
function quarterPlan(batch: BenchBatch): Plan {
  const { n, spatial } = batchDims(batch.shape, batch.dataFormat);
  const [d, h, w] = [1, 1, ...spatial].slice(-3);
  const box = [d, h, w].flatMap((size) => [
    Math.floor(size / 4),
    Math.floor(size / 4) + Math.max(1, Math.floor(size / 2)),
  ]);
  const [z1, z2, y1, y2, x1, x2] =
    spatial.length === 3 ? box : spatial.length === 2 ? [0, 1, ...box.slice(2)] : [0, 1, 0, 1, ...box.slice(4)];
  return {
    partners: Int32Array.from({ length: n }, (_, i) => (i + 1) % n),
    boxes: Int32Array.from({ length: 6 * n }, (_, i) => [z1, y1, x1, z2, y2, x2][i % 6]),
  };
}

/**
 * Times every variant for one backend and one float32 batch: first the fast variants interleaved, then
 * the composite on its own (its garbage would disturb the others). Checks before timing that the kernel
 * timed is the one cutmixBatch runs, on the same plans, and that nothing leaks.
 */
export function benchShape(
  backend: BackendName,
  batch: BenchBatch,
  budget: Budget,
  progress: (message: string) => void,
): ShapeResult {
  const { shape, dataFormat } = batch;
  const n = shape[0];
  const size = shape.reduce((a, b) => a * b, 1);
  const tensorsBefore = tf.memory().numTensors;
  const dataIdsBefore = tf.backend().numDataIds();
  const images = tf.randomUniform(shape, 0, 1, 'float32', 7);
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  );
  // One plan per call index (blocks run a few more calls than rounds; indices wrap around).
  const plans = 2 * Math.max(budget.warmup + budget.iterations, budget.compositeWarmup + budget.compositeIterations);
  const batchPlans = Array.from({ length: plans }, (_, r) => planFor(batch, seedOf(r), 'batch'));
  const elemPlans = Array.from({ length: plans }, (_, r) => planFor(batch, seedOf(r), 'elem'));
  const batchPlan = (call: number) => batchPlans[call % plans];
  const elemPlan = (call: number) => elemPlans[call % plans];
  const seedAt = (call: number) => seedOf(call % plans);
  const quarter = quarterPlan(batch);
  const pasteWith = (plan: Plan) => paste(images, plan.partners, plan.boxes, dataFormat);

  // The timed kernel is cutmixBatch's: same plan for the same seed, and runKernel reaches our kernel.
  for (const mode of ['batch', 'elem'] as const) {
    const out = cutmixBatch(images, labels, { seed: seedOf(0), mode, dataFormat });
    const plan = (mode === 'batch' ? batchPlan : elemPlan)(0);
    check(
      out.partners.every((p, i) => p === plan.partners[i]) &&
        kernelBoxes(out.boxes).every((v, i) => v === plan.boxes[i]),
      `cutmixBatch ${mode} plan differs from the plan the kernel rows use`,
    );
    const direct = pasteWith(plan);
    check(sameWords(out.images, direct), `cutmixBatch ${mode} output differs from the kernel's`);
    tf.dispose([out.images, out.labelsA, out.labelsB, direct]);
  }
  check(tf.getKernel(CUTMIX_PASTE, backend) !== undefined, `no ${CUTMIX_PASTE} kernel on ${backend}`);

  registerBenchKernels();
  const attrs = (plan: Plan) => ({ ...plan, dataFormat }) as unknown as tf.NamedAttrMap;
  const disposeResult = (r: CutMixResult<AnyBox>) => tf.dispose([r.images, r.labelsA, r.labelsB]);
  const disposeTensor = (t: tf.Tensor) => t.dispose();
  const other = backend === 'wasm' ? JS_KERNEL : SINGLE_PASS_KERNEL;
  const alternative = tf.engine().runKernel(other, { images }, attrs(batchPlan(0))) as tf.Tensor;
  const reference = pasteWith(batchPlan(0));
  check(sameWords(alternative, reference), `${other} output differs from the kernel's`);
  tf.dispose([alternative, reference]);
  const variants: Variant[] = [
    variant(V.kernel, (r) => pasteWith(batchPlan(r)), disposeTensor),
    variant(V.kernelElem, (r) => pasteWith(elemPlan(r)), disposeTensor),
    variant(V.kernelQuarter, () => pasteWith(quarter), disposeTensor),
    variant(
      backend === 'wasm' ? V.kernelJs : V.kernelSinglePass,
      (r) => tf.engine().runKernel(other, { images }, attrs(batchPlan(r))) as tf.Tensor,
      disposeTensor,
    ),
    variant(V.batch, (r) => cutmixBatch(images, labels, { seed: seedAt(r), mode: 'batch', dataFormat }), disposeResult),
    variant(V.elem, (r) => cutmixBatch(images, labels, { seed: seedAt(r), mode: 'elem', dataFormat }), disposeResult),
    variant(V.copyOnly, () => tf.engine().runKernel(COPY_ONLY_KERNEL, { images }) as tf.Tensor, disposeTensor),
  ];

  let release = () => {};
  if (backend === 'wasm') {
    const wasm = tf.backend() as BackendWasm;
    const bytes = size * 4;
    const source = wasm.dataIdMap.get(images.dataId)!.memoryOffset;
    const pre = wasm.wasm._malloc(bytes) >>> 0;
    release = () => wasm.wasm._free(pre);
    variants.push(
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
  const kernelOut = pasteWith(batchPlan(0));
  const first = pasteComposite(images, batchPlan(0).partners, batchPlan(0).boxes, dataFormat);
  check(sameWords(kernelOut, first), 'composite output differs from the kernel output');
  tf.dispose([kernelOut, first]);
  const composite = timeInterleaved(
    [
      variant(
        V.composite,
        (r) => pasteComposite(images, batchPlan(r).partners, batchPlan(r).boxes, dataFormat),
        disposeTensor,
      ),
    ],
    { warmup: budget.compositeWarmup, iterations: budget.compositeIterations, onProgress: report('composite,') },
  );

  tf.dispose([images, labels]);
  check(tf.memory().numTensors === tensorsBefore, `tensors leaked: ${tf.memory().numTensors - tensorsBefore}`);
  check(
    tf.backend().numDataIds() === dataIdsBefore,
    `backend data leaked: ${tf.backend().numDataIds() - dataIdsBefore}`,
  );
  return { backend, shape, dataFormat, stats: Object.fromEntries([...fast, ...composite]) };
}

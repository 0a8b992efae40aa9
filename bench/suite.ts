import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { applyCutmix, cutmixBatch } from '../src/index.js';
import { batchDims, type DataFormat } from '../src/common/layout.js';
import { readOptions } from '../src/common/validate.js';
import { pasteComposite } from '../src/kernels/composite.js';
import { CUTMIX_PASTE } from '../src/kernels/names.js';
import { paste } from '../src/kernels/paste.js';
import { kernelBoxes } from '../src/plan/box.js';
import { checkInjected } from '../src/plan/injected.js';
import { resolveMixOptions, type MixMode } from '../src/plan/options.js';
import { planMix, type PlanBoxes } from '../src/plan/plan.js';
import { timeInterleaved, timePairs, summarize, variant, type PairStats, type Stats, type Variant } from './harness.js';
import type { PastePath } from '../src/kernels/wasm/kernel.js';
import { COPY_ONLY_KERNEL, FORCED_PATH_KERNEL, registerBenchKernels, ROW_PIECES_KERNEL } from './kernels.js';
import { addressOf, placeBatch, sameBits, type HeapPlacement } from './placement.js';
import { STAGES, stagedCutmixBatch, type StageTimes } from './staged.js';

export type BackendName = 'cpu' | 'wasm';

/** A batch to time: NC…/N…C float32 of any rank. */
export interface BenchBatch {
  shape: number[];
  dataFormat: DataFormat;
}

/** Variant names. */
export const V = {
  batch: "cutmixBatch mode:'batch'",
  elem: "cutmixBatch mode:'elem'",
  staged: "cutmixBatch mode:'batch', timed by stage",
  apply: "applyCutmix (cutmixBatch 'batch' plans)",
  kernel: "kernel alone (runKernel, cutmixBatch 'batch' plans)",
  copyOnly: 'copy-only kernel (runKernel, one bulk copy, nothing pasted)',
  rowPieces: "row-piece copy (runKernel, the one pass's pieces, nothing pasted)",
  clone: 'tf.clone of the batch (one tfjs op)',
  heapCopy: 'bulk copy in the heap (_malloc + copyWithin + _free)',
  allocCopy: 'bulk copy: allocate + copy (new Float32Array(src))',
  composite: 'composite (stock ops fallback)',
} as const;

/** The wasm kernel's paths, each timed forced. */
const PATHS: readonly PastePath[] = ['one pass', 'groups'];
export const forced = (path: PastePath) => `kernel, path '${path}' forced`;

/** Each backend's bulk copy of the batch: the floor of anything that returns a new batch. */
export const BULK: Record<BackendName, string> = { wasm: V.heapCopy, cpu: V.allocCopy };

/** Batches below this many bytes are small: there the fixed cost of a call is what matters. */
export const SMALL_BYTES = 8 * 2 ** 20;

/**
 * What a shape's rows are paired with: on wasm, small batches against one `tf.clone` of the batch (one
 * tfjs op with its copy, the floor there); everything else against the backend's bulk copy. (On
 * cpu, `tf.clone` shares the data and copies nothing.)
 */
export function referenceOf(backend: BackendName, batch: BenchBatch): string {
  const bytes = 4 * batch.shape.reduce((a, b) => a * b, 1);
  return backend === 'wasm' && bytes < SMALL_BYTES ? V.clone : BULK[backend];
}

export interface Budget {
  warmup: number;
  pairs: number;
  compositeWarmup: number;
  compositeIterations: number;
}

/** One variant timed pair by pair against a reference. */
export interface PairRow {
  variant: string;
  reference: string;
  stats: PairStats;
}

export interface ShapeResult {
  backend: BackendName;
  shape: number[];
  dataFormat: DataFormat;
  /** What the rows are paired with (see {@link referenceOf}). */
  reference: string;
  rows: PairRow[];
  /** Each stage of cutmixBatch ('batch'), timed inside the calls of the staged row. */
  stages: Record<keyof StageTimes, Stats>;
  composite: Stats;
  /** wasm: where the output lands relative to the input (see placement.ts). */
  heap?: HeapPlacement;
}

/** A plan as the kernels take it (`boxes` flat) and as `applyCutmix` takes it (`plan`). */
interface Plan {
  partners: Int32Array;
  boxes: Int32Array;
  plan: PlanBoxes;
}

/** The plan cutmixBatch draws for `seed` (same validation, same sampling, same order of draws). */
export function planFor(batch: BenchBatch, seed: number, mode: MixMode): Plan {
  const { n, spatial } = batchDims(batch.shape, batch.dataFormat);
  const s = resolveMixOptions('bench', readOptions('bench', 'options', { seed, mode }, null));
  const plan = planMix(s, n, spatial, checkInjected(s, n, spatial), true);
  return { partners: plan.partners, boxes: kernelBoxes(plan.boxes), plan };
}

const seedOf = (round: number) => 1000 + round;

export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`bench sanity check failed: ${what}`);
}

type Result = { images: tf.Tensor; labelsA: tf.Tensor; labelsB: tf.Tensor };
const disposeResult = (r: Result) => tf.dispose([r.images, r.labelsA, r.labelsB]);
const disposeTensor = (t: tf.Tensor) => t.dispose();

/**
 * Times one backend on one float32 batch: every variant pair by pair against the shape's reference (see
 * {@link referenceOf}), then the composite on its own. Checks first that the timed kernel is the one
 * cutmixBatch runs, on the same plans, that every variant's output is the right one, and that nothing leaks.
 */
export async function benchShape(
  backend: BackendName,
  batch: BenchBatch,
  budget: Budget,
  progress: (message: string) => void,
): Promise<ShapeResult> {
  const { shape, dataFormat } = batch;
  const n = shape[0];
  const size = shape.reduce((a, b) => a * b, 1);
  const [tensorsBefore, dataIdsBefore] = [tf.memory().numTensors, tf.backend().numDataIds()];
  const placed = backend === 'wasm' ? placeBatch(shape) : undefined;
  const images = placed?.images ?? tf.randomUniform(shape, 0, 1, 'float32', 7);
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  );
  const rounds = budget.warmup + budget.pairs;
  const batchPlans = Array.from({ length: rounds }, (_, r) => planFor(batch, seedOf(r), 'batch'));
  const elemPlan = planFor(batch, seedOf(0), 'elem');
  const attrs = (plan: Plan, extra: object = {}) =>
    ({ partners: plan.partners, boxes: plan.boxes, dataFormat, ...extra }) as unknown as tf.NamedAttrMap;
  const kernel = (name: string, plan: Plan, extra?: object) =>
    tf.engine().runKernel(name, { images }, attrs(plan, extra)) as tf.Tensor;
  const options = (r: number, mode: MixMode) => ({ seed: seedOf(r), mode, dataFormat });
  registerBenchKernels();

  // The timed kernel is cutmixBatch's (same plan for the same seed), and every variant computes what it says.
  const times: Record<keyof StageTimes, number[]> = { plan: [], labels: [], paste: [] };
  for (const [mode, plan] of [
    ['batch', batchPlans[0]],
    ['elem', elemPlan],
  ] as const) {
    const out = cutmixBatch(images, labels, options(0, mode));
    // The timed calls' outputs land on the floors' block (see placement.ts).
    if (placed && mode === 'batch') placed.placement.offset = addressOf(out.images) - placed.block;
    check(
      out.partners.every((p, i) => p === plan.partners[i]) &&
        kernelBoxes(out.boxes).every((v, i) => v === plan.boxes[i]),
      `cutmixBatch ${mode} plan differs from the plan the kernel rows use`,
    );
    const checks: [tf.Tensor, string][] = [[paste(images, plan.partners, plan.boxes, dataFormat), 'the kernel']];
    if (mode === 'batch') {
      const staged = stagedCutmixBatch(images, labels, options(0, mode), times);
      check(sameBits(staged.labelsB, out.labelsB), 'staged cutmixBatch labels differ');
      tf.dispose([staged.labelsA, staged.labelsB]);
      checks.push([staged.images, 'staged cutmixBatch'], [applyCutmix(images, out, { dataFormat }), 'applyCutmix']);
      checks.push([pasteComposite(images, plan.partners, plan.boxes, dataFormat), 'the composite']);
      if (backend === 'wasm') {
        for (const path of PATHS) checks.push([kernel(FORCED_PATH_KERNEL, plan, { path }), `the ${path} path`]);
      }
    }
    for (const [t, what] of checks) {
      check(sameBits(t, out.images), `cutmixBatch ${mode} output differs from ${what}'s`);
      t.dispose();
    }
    disposeResult(out);
  }
  check(tf.getKernel(CUTMIX_PASTE, backend) !== undefined, `no ${CUTMIX_PASTE} kernel on ${backend}`);
  for (const name of backend === 'wasm' ? [COPY_ONLY_KERNEL, ROW_PIECES_KERNEL] : [COPY_ONLY_KERNEL]) {
    const copy = kernel(name, batchPlans[0]);
    check(sameBits(copy, images), `${name} output differs from the batch`);
    copy.dispose();
  }

  const timedStages: Record<keyof StageTimes, number[]> = { plan: [], labels: [], paste: [] };
  const variants: Record<string, Variant> = {
    [V.batch]: variant(V.batch, (r) => cutmixBatch(images, labels, options(r, 'batch')), disposeResult),
    [V.elem]: variant(V.elem, (r) => cutmixBatch(images, labels, options(r, 'elem')), disposeResult),
    [V.staged]: variant(
      V.staged,
      (r) => stagedCutmixBatch(images, labels, options(r, 'batch'), r >= budget.warmup ? timedStages : times),
      disposeResult,
    ),
    [V.apply]: variant(V.apply, (r) => applyCutmix(images, batchPlans[r].plan, { dataFormat }), disposeTensor),
    [V.kernel]: variant(V.kernel, (r) => kernel(CUTMIX_PASTE, batchPlans[r]), disposeTensor),
    [V.copyOnly]: variant(V.copyOnly, (r) => kernel(COPY_ONLY_KERNEL, batchPlans[r]), disposeTensor),
    [V.clone]: variant(V.clone, () => tf.clone(images), disposeTensor),
  };
  if (backend === 'wasm') {
    const wasm = tf.backend() as BackendWasm;
    const bytes = 4 * size;
    const source = wasm.dataIdMap.get(images.dataId)!.memoryOffset;
    Object.assign(variants, {
      ...Object.fromEntries(
        PATHS.map((path) => [
          forced(path),
          variant(forced(path), (r) => kernel(FORCED_PATH_KERNEL, batchPlans[r], { path }), disposeTensor),
        ]),
      ),
      [V.rowPieces]: variant(V.rowPieces, (r) => kernel(ROW_PIECES_KERNEL, batchPlans[r]), disposeTensor),
      [V.heapCopy]: variant(V.heapCopy, () => {
        const to = wasm.wasm._malloc(bytes) >>> 0;
        wasm.wasm.HEAPU8.copyWithin(to, source, source + bytes); // the view is read after the allocation
        wasm.wasm._free(to);
      }),
    });
  } else {
    const values = (tf.backend() as MathBackendCPU).data.get(images.dataId)!.values as Float32Array;
    variants[V.allocCopy] = variant(V.allocCopy, () => new Float32Array(values));
    delete variants[V.clone]; // cpu's clone shares the data: no floor
  }

  const reference = referenceOf(backend, batch);
  const pairings: [string, string][] = Object.keys(variants)
    .filter((name) => name !== reference && name !== BULK[backend])
    .map((name) => [name, reference]);
  if (reference !== BULK[backend]) pairings.push([reference, BULK[backend]]);
  const label = `${backend} ${shape.join('×')}`;
  const rows: PairRow[] = [];
  for (const [k, [name, ref]] of pairings.entries()) {
    const stats = await timePairs(variants[name], variants[ref], {
      warmup: budget.warmup,
      pairs: budget.pairs,
      onProgress: (done, total) => {
        if (done === total) progress(`${label}: ${k + 1}/${pairings.length} ${name} ÷ ${ref}`);
      },
    });
    rows.push({ variant: name, reference: ref, stats });
  }

  // The composite on its own, with fewer calls (its garbage would disturb the pairs).
  const composite = timeInterleaved(
    [
      variant(
        V.composite,
        (r) => pasteComposite(images, batchPlans[r % rounds].partners, batchPlans[r % rounds].boxes, dataFormat),
        disposeTensor,
      ),
    ],
    { warmup: budget.compositeWarmup, iterations: budget.compositeIterations },
  ).get(V.composite)!;

  tf.dispose([images, labels]);
  placed?.release();
  check(tf.memory().numTensors === tensorsBefore, `tensors leaked: ${tf.memory().numTensors - tensorsBefore}`);
  check(
    tf.backend().numDataIds() === dataIdsBefore,
    `backend data leaked: ${tf.backend().numDataIds() - dataIdsBefore}`,
  );
  const stages = Object.fromEntries(
    STAGES.map((stage) => [stage, summarize(timedStages[stage])]),
  ) as ShapeResult['stages'];
  return { backend, shape, dataFormat, reference, rows, stages, composite, heap: placed?.placement };
}

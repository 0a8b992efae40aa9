/**
 * The `tfjs-cutmix/wasm-grad` rows of `npm run bench`: a CutMix training step of a small MNIST CNN on wasm
 * (with the entry's kernels) against the same step on cpu, and each registered kernel against the cpu
 * backend's kernel of the same name, in pairs (one call on each side per round, the order alternating),
 * reported as medians and the median of the per-pair ratios. More rows time the filter gradient as a
 * direct JavaScript loop on the heap, the design the kernel's matrix product replaced, and this package's
 * MaxPoolGrad against tfjs-backend-wasm's own, the kernel it replaces.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { cutmixBatch, cutmixLoss, seededRng } from '../src/index.js';
import { registerWasmGradients } from '../src/wasm-grad.js';
import { checkedOriginal } from '../src/kernels/wasm_training/checked.js';
import { maxPoolGradConfig } from '../src/kernels/wasm_training/max_pool_grad.js';
import { summarize, type Stats } from './harness.js';
import { loopFilterGrad } from './wasm_grad_loop.js';
import { check } from './suite.js';

/** One paired comparison: `a` and `b` timed in the same rounds, and the median of their per-round ratios. */
export interface PairRow {
  what: string;
  shape: string;
  a: Stats;
  b: Stats;
  /** Per-round b ÷ a. */
  ratio: Stats;
}

export interface WasmGradReport {
  /** a: wasm with the entry, b: cpu. */
  step: PairRow;
  /** a: this package's kernel on wasm, b: the cpu backend's kernel. */
  kernels: PairRow[];
  /** a: the kernel (matrix product), b: a direct JavaScript loop on the heap. */
  loop: PairRow[];
  /** a: this package's MaxPoolGrad, b: tfjs-backend-wasm's own (wrong where a window has no value above 0). */
  maxPool: PairRow[];
}

type Shape4 = [number, number, number, number];

/** A tensor of `shape` on `backend`, values in [-1, 1) from a seeded stream. */
function uniformOn(backend: tf.KernelBackend, shape: number[], seed: number): tf.Tensor {
  const rng = seededRng(seed);
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rng() - 1);
  return tf.engine().makeTensor(values, shape, 'float32', backend);
}

/** Times `a` and `b` in `rounds` pairs after `warmup` untimed pairs; the order alternates every round. */
async function pairs(
  what: string,
  shape: string,
  rounds: number,
  warmup: number,
  a: () => Promise<number> | number,
  b: () => Promise<number> | number,
): Promise<PairRow> {
  const [ta, tb, ratios]: number[][] = [[], [], []];
  for (let round = 0; round < warmup + rounds; round++) {
    const [x, y] = round % 2 === 0 ? [await a(), await b()] : [await b(), await a()].reverse();
    if (round < warmup) continue;
    ta.push(x);
    tb.push(y);
    ratios.push(y / x);
  }
  return { what, shape, a: summarize(ta), b: summarize(tb), ratio: summarize(ratios) };
}

/** Milliseconds `run` takes; what it returns is disposed outside the timing. */
function timed(run: () => tf.TensorInfo, dispose: (t: tf.TensorInfo) => void): number {
  const start = performance.now();
  const out = run();
  const elapsed = performance.now() - start;
  dispose(out);
  return elapsed;
}

/** The demo's CNN (two 3×3 conv + max-pool stages, a dense layer), as a CutMix training step on a backend. */
async function stepOn(
  backend: 'wasm' | 'cpu',
  batch: number,
): Promise<{ step: () => Promise<number>; done: () => void }> {
  await tf.setBackend(backend);
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10, kernelInitializer: init(3) }),
    ],
  });
  const xs = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const optimizer = tf.train.adam(0.001);
  const rng = seededRng(7);
  const step = async () => {
    await tf.setBackend(backend);
    const start = performance.now();
    const loss = optimizer.minimize(() => {
      const mixed = cutmixBatch(xs, ys, { rng, dataFormat: 'NHWC' });
      return cutmixLoss(
        model.apply(mixed.images, { training: true }) as tf.Tensor2D,
        mixed.labelsA,
        mixed.labelsB,
        mixed.lam,
      );
    }, true) as tf.Scalar;
    await loss.data();
    const elapsed = performance.now() - start;
    loss.dispose();
    return elapsed;
  };
  return { step, done: () => (model.dispose(), optimizer.dispose(), tf.dispose([xs, ys])) };
}

/** [x or dy shape, filter shape, strides, pad] of the kernel rows: the demo CNN's two layers and a wider one. */
const KERNEL_CASES: [Shape4, Shape4, number, 'same' | 'valid'][] = [
  [[32, 28, 28, 1], [3, 3, 1, 8], 1, 'valid'],
  [[32, 13, 13, 8], [3, 3, 8, 16], 1, 'valid'],
  [[16, 16, 16, 16], [3, 3, 16, 32], 1, 'same'],
];

export async function benchWasmGrad(quick: boolean, progress: (message: string) => void): Promise<WasmGradReport> {
  await tf.setBackend('wasm');
  check(registerWasmGradients().includes('Conv2DBackpropFilter'), 'tfjs already has Conv2DBackpropFilter on wasm');
  const [wasm, cpu] = [tf.findBackend('wasm') as BackendWasm, tf.findBackend('cpu') as tf.KernelBackend];
  const before = tf.memory().numTensors;

  progress('wasm-grad: CutMix training step of the demo CNN, batch 32, wasm against cpu');
  const [onWasm, onCpu] = [await stepOn('wasm', 32), await stepOn('cpu', 32)];
  const step = await pairs('CutMix training step, demo CNN', '32×28×28×1', quick ? 3 : 9, 1, onWasm.step, onCpu.step);
  onWasm.done();
  onCpu.done();

  const kernels: PairRow[] = [];
  const loop: PairRow[] = [];
  for (const [xShape, filterShape, strides, pad] of KERNEL_CASES) {
    const label = `x ${xShape.join('×')}, filter ${filterShape.join('×')}, ${pad}`;
    progress(`wasm-grad: Conv2DBackpropFilter, ${label}`);
    const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad);
    const attrs = { strides, pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap;
    const onBackend = (backend: tf.KernelBackend) => ({
      x: uniformOn(backend, xShape, 2),
      dy: uniformOn(backend, info.outShape, 3),
    });
    const [w, c] = [onBackend(wasm), onBackend(cpu)];
    const ours = tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc;
    const theirs = tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc;
    const runOurs = () =>
      timed(
        () => ours({ inputs: w, attrs, backend: wasm }) as tf.TensorInfo,
        (t) => wasm.disposeData(t.dataId),
      );
    const runCpu = () =>
      timed(
        () => theirs({ inputs: c, attrs, backend: cpu }) as tf.TensorInfo,
        (t) => cpu.disposeData(t.dataId),
      );
    const runLoop = () =>
      timed(
        () => loopFilterGrad(wasm, w.x, w.dy, attrs),
        (t) => wasm.disposeData(t.dataId),
      );
    kernels.push(await pairs('Conv2DBackpropFilter', label, quick ? 3 : 9, 1, runOurs, runCpu));
    loop.push(await pairs('Conv2DBackpropFilter', label, quick ? 11 : 41, 3, runOurs, runLoop));
    tf.dispose([w.x, w.dy, c.x, c.dy]);
  }
  for (const name of ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
    const [xShape, filterShape]: [Shape4, Shape4] = [
      [32, 28, 28, 8],
      [3, 3, 8, 1],
    ];
    progress(`wasm-grad: ${name}, x ${xShape.join('×')}`);
    const outShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, 1, 1, 'same', undefined, true).outShape;
    const attrs = {
      strides: 1,
      pad: 'same',
      dilations: 1,
      filterShape,
      inputShape: xShape,
    } as unknown as tf.NamedAttrMap;
    const make = (backend: tf.KernelBackend): tf.NamedTensorMap => {
      const dy = uniformOn(backend, outShape, 4);
      return name.endsWith('Filter')
        ? { dy, x: uniformOn(backend, xShape, 5) }
        : { dy, filter: uniformOn(backend, filterShape, 6) };
    };
    const [w, c] = [make(wasm), make(cpu)];
    const run = (backend: tf.KernelBackend, inputs: tf.NamedTensorMap) => () =>
      timed(
        () =>
          tf
            .getKernel(name, backend === wasm ? 'wasm' : 'cpu')!
            .kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo,
        (t) => backend.disposeData(t.dataId),
      );
    kernels.push(
      await pairs(
        name,
        `x ${xShape.join('×')}, filter ${filterShape.join('×')}, same`,
        quick ? 3 : 9,
        1,
        run(wasm, w),
        run(cpu, c),
      ),
    );
    tf.dispose([...Object.values(w), ...Object.values(c)]);
  }
  const maxPool = await benchMaxPoolGrad(quick, wasm, cpu, kernels, progress);
  check(tf.memory().numTensors === before, 'wasm-grad bench leaked tensors');
  return { step, kernels, loop, maxPool };
}

/**
 * MaxPoolGrad at the demo CNN's two pooling layers (2×2, strides 2): this package's against the cpu
 * backend's (added to `kernels`) and against tfjs-backend-wasm's own, the kernel it replaces (returned).
 */
async function benchMaxPoolGrad(
  quick: boolean,
  wasm: BackendWasm,
  cpu: tf.KernelBackend,
  kernels: PairRow[],
  progress: (message: string) => void,
): Promise<PairRow[]> {
  const tfjsOwn = checkedOriginal(tf.getKernel('MaxPoolGrad', 'wasm'));
  check(tfjsOwn !== undefined, "tfjs-backend-wasm's own MaxPoolGrad is not behind this package's check");
  const ours = maxPoolGradConfig.kernelFunc;
  const rows: PairRow[] = [];
  for (const xShape of [
    [32, 26, 26, 8],
    [32, 11, 11, 16],
  ]) {
    const label = `x ${xShape.join('×')}, 2×2, strides 2`;
    progress(`wasm-grad: MaxPoolGrad, ${label}`);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' } as unknown as tf.NamedAttrMap;
    const outShape = tf.backend_util.computePool2DInfo(xShape as Shape4, 2, 2, 1, 'valid').outShape;
    const make = (backend: tf.KernelBackend): tf.NamedTensorMap => ({
      input: uniformOn(backend, xShape, 7),
      dy: uniformOn(backend, outShape, 8),
      output: uniformOn(backend, outShape, 9),
    });
    const [w, c] = [make(wasm), make(cpu)];
    const run = (kernelFunc: tf.KernelFunc, backend: tf.KernelBackend, inputs: tf.NamedTensorMap) => () =>
      timed(
        () => kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo,
        (t) => backend.disposeData(t.dataId),
      );
    const cpuKernel = tf.getKernel('MaxPoolGrad', 'cpu')!.kernelFunc;
    kernels.push(await pairs('MaxPoolGrad', label, quick ? 3 : 9, 1, run(ours, wasm, w), run(cpuKernel, cpu, c)));
    rows.push(
      await pairs('MaxPoolGrad', label, quick ? 11 : 41, 3, run(ours, wasm, w), run(tfjsOwn!.kernelFunc, wasm, w)),
    );
    tf.dispose([...Object.values(w), ...Object.values(c)]);
  }
  return rows;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (s: Stats) => (s.median >= 100 ? s.median.toFixed(0) : s.median.toFixed(1));

/** The markdown section of these rows. */
export function renderWasmGrad(r: WasmGradReport): string {
  const row = (p: PairRow) =>
    `| ${p.what} | ${p.shape} | ${p.ratio.iterations} | ${ms(p.a.median)} | ${ms(p.b.median)} | ${ratio(p.ratio)} |`;
  return [
    '### Training on wasm: `tfjs-cutmix/wasm-grad`',
    '',
    'Paired rounds (one call on each side per round, order alternating); medians in ms, and the median of the per-round ratios.',
    '',
    '| what | shape | pairs | wasm + entry | cpu | cpu ÷ wasm |',
    '|---|---|---:|---:|---:|---:|',
    row(r.step),
    ...r.kernels.map(row),
    '',
    'The filter gradient as the matrix product the kernel runs (XNNPACK, through the backend’s BatchMatMul) against a direct loop in JavaScript on the heap:',
    '',
    '| what | shape | pairs | kernel | JavaScript loop | loop ÷ kernel |',
    '|---|---|---:|---:|---:|---:|',
    ...r.loop.map(row),
    '',
    'This package’s `MaxPoolGrad` (JavaScript on the heap) against tfjs-backend-wasm’s own, the kernel it replaces where a probe finds it wrong:',
    '',
    '| what | shape | pairs | this package’s | tfjs-backend-wasm’s | theirs ÷ ours |',
    '|---|---|---:|---:|---:|---:|',
    ...r.maxPool.map(row),
  ].join('\n');
}

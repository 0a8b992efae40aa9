import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyCutmix, cutmixBatch } from '../../src/index.js';
import { CUTMIX_PASTE, CUTMIX_PASTE_GRAD } from '../../src/kernels/names.js';
import { ensureKernelsRegistered } from '../../src/kernels/register.js';
import { copierFor } from '../../src/kernels/wasm/copier.js';
import { heapMemory } from '../../src/kernels/wasm/heap.js';
import { pasteOnHeap } from '../../src/kernels/wasm/kernel.js';
import { useBackend } from '../support/backends.js';
import { attrsOf, expectSameBits, type PasteCase } from '../support/kernels_cases.js';
import { pasteSources, routeGradient, type SpanBox } from '../support/reference.js';

// Issue 9, defect 1: anything that allocates on the wasm heap (moving a tensor in from another backend,
// makeOutput) may grow the memory and detach every view made before it.

type Phase = 'move in' | 'output';

let wasm: BackendWasm;
let cpu: tf.KernelBackend;
const heap = () => wasm.wasm.HEAPU8.buffer;

/** Records in which phase the heap grew during the current step: moving data in, or making an output. */
function watchGrowth(): Set<Phase> {
  const seen = new Set<Phase>();
  let phase: Phase = 'move in';
  const { move, makeOutput } = wasm;
  vi.spyOn(wasm, 'move').mockImplementation(function (this: BackendWasm, ...args: Parameters<BackendWasm['move']>) {
    const before = heap();
    move.apply(this, args);
    if (heap() !== before) seen.add(phase);
  });
  vi.spyOn(wasm, 'makeOutput').mockImplementation(function (
    this: BackendWasm,
    ...args: Parameters<BackendWasm['makeOutput']>
  ) {
    phase = 'output';
    try {
      return makeOutput.apply(this, args);
    } finally {
      phase = 'move in';
    }
  });
  return seen;
}

/** A [n, 1, 28, 28] batch whose values tell every element apart, made on the cpu backend or on wasm. */
function batch(n: number, step: number, on: 'cpu' | 'wasm'): { x: tf.Tensor; values: Float32Array } {
  const values = new Float32Array(n * 784);
  for (let i = 0; i < values.length; i++) values[i] = i + step;
  const shape = [n, 1, 28, 28];
  return { x: on === 'cpu' ? tf.engine().makeTensor(values, shape, 'float32', cpu) : tf.tensor(values, shape), values };
}

/** A plan for n samples (several partners shared, boxes of many sizes) and its reference routing. */
function planFor(n: number): { cs: PasteCase; sources: Int32Array } {
  const partners = Int32Array.from({ length: n }, (_, i) => (i * 5 + 3) % Math.max(1, n - 7));
  const boxes = Array.from({ length: n }, (_, i) => ({ lo: [i % 9, 2], hi: [20, 28 - (i % 5)] }));
  const cs: PasteCase = { dataFormat: 'NCHW', dtype: 'float32', shape: [n, 1, 28, 28], partners, boxes, seed: 0 };
  return { cs, sources: pasteSources(cs.shape, 'NCHW', partners, boxes) };
}

const box2d = ({ lo, hi }: SpanBox) => ({ y1: lo[0], x1: lo[1], y2: hi[0], x2: hi[1] });
const pasted = (sources: Int32Array, values: Float32Array) => sources.map((s) => values[s]);

/** The ops under test: each returns a new tensor and its exact expected values. */
const OPS: Record<
  string,
  (x: tf.Tensor, cs: PasteCase, values: Float32Array, sources: Int32Array) => [tf.Tensor, ArrayLike<number>]
> = {
  'applyCutmix (compiled copier)': (x, cs, values, sources) => [
    applyCutmix(x, { boxes: cs.boxes.map(box2d), partners: cs.partners }),
    pasted(sources, values),
  ],
  'pasteOnHeap, JavaScript copy': (x, cs, values, sources) => [
    tf.engine().makeTensorFromTensorInfo(pasteOnHeap(wasm, x, attrsOf(cs), null)),
    pasted(sources, values),
  ],
  'CutmixPasteGrad kernel': (x, cs, values, sources) => [
    tf.engine().runKernel(CUTMIX_PASTE_GRAD, { dy: x }, attrsOf(cs) as unknown as tf.NamedAttrMap) as tf.Tensor,
    routeGradient(sources, values),
  ],
};

/**
 * Takes up the heap's free space (what earlier tests freed) with raw 64 KiB allocations, until one ends
 * less than 256 KiB before the end of the heap: the next 392 KiB allocation must grow it.
 */
function fillHeap(ballast: number[]): void {
  const chunk = 1 << 16;
  for (;;) {
    const address = wasm.wasm._malloc(chunk) >>> 0;
    ballast.push(address);
    if (heap().byteLength - (address + chunk) < 4 * chunk) return;
  }
}

/**
 * Runs `op` twice on fresh batches made on `on`, the heap filled before each call so that the call must
 * grow it, in `phase` (moving the batch in, or making the output); each result is checked right away and
 * again at the end (after the later growth), then everything is freed and no backend data may remain.
 */
function untilHeapGrows(op: keyof typeof OPS, on: 'cpu' | 'wasm', phase: Phase): void {
  const [wasmIds, cpuIds, tensors] = [wasm.numDataIds(), cpu.numDataIds(), tf.memory().numTensors];
  const { cs, sources } = planFor(128);
  const ballast: number[] = [];
  const seen = watchGrowth();
  const kept: { x: tf.Tensor; out: tf.Tensor; expected: ArrayLike<number> }[] = [];
  try {
    for (let step = 0; step < 2; step++) {
      const { x, values } = batch(cs.shape[0], step, on);
      fillHeap(ballast);
      seen.clear();
      const [out, expected] = OPS[op](x, cs, values, sources);
      kept.push({ x, out, expected });
      expectSameBits(out.dataSync(), expected, `${op}, step ${step}`);
      expect([...seen], `${op}, step ${step}: where the heap grew`).toEqual([phase]);
    }
    kept.forEach(({ out, expected }, step) => expectSameBits(out.dataSync(), expected, `${op}, step ${step}, re-read`));
  } finally {
    kept.forEach(({ x, out }) => tf.dispose([x, out]));
    ballast.forEach((address) => wasm.wasm._free(address));
    expect([wasm.numDataIds(), cpu.numDataIds(), tf.memory().numTensors], 'data left behind').toEqual([
      wasmIds,
      cpuIds,
      tensors,
    ]);
  }
}

beforeAll(async () => {
  await useBackend('cpu');
  cpu = tf.backend();
  await useBackend('wasm');
  wasm = tf.backend() as BackendWasm;
  ensureKernelsRegistered();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('wasm kernels while the heap grows', () => {
  it('cutmixBatch on batches made on the cpu backend (the issue: 128×1×28×28 epochs)', () => {
    const [wasmIds, tensors] = [wasm.numDataIds(), tf.memory().numTensors];
    const seen = watchGrowth();
    const labels = tf.tensor1d(
      Array.from({ length: 128 }, (_, i) => i % 10),
      'int32',
    );
    const kept: tf.Tensor[] = [];
    for (let step = 0; step < 400 && seen.size < 2; step++) {
      const { x, values } = batch(128, step, 'cpu');
      const out = cutmixBatch(x as tf.Tensor4D, labels, { seed: step, mode: 'elem' });
      const boxes = out.boxes.map((b) => ({ lo: [b.y1, b.x1], hi: [b.y2, b.x2] }));
      const expected = pasted(pasteSources(x.shape, 'NCHW', out.partners, boxes), values);
      expectSameBits(out.images.dataSync(), expected, `step ${step}`);
      kept.push(x, out.images, out.labelsA, out.labelsB);
    }
    expect([...seen].sort(), 'growth while moving a batch in and while making the output').toEqual([
      'move in',
      'output',
    ]);
    tf.dispose([labels, ...kept]);
    expect([wasm.numDataIds(), tf.memory().numTensors]).toEqual([wasmIds, tensors]);
  });

  for (const op of Object.keys(OPS)) {
    it(`${op}: input moved in from the cpu backend grows the heap`, () => {
      untilHeapGrows(op, 'cpu', 'move in');
    });
    it(`${op}: its own output's allocation grows the heap`, () => {
      untilHeapGrows(op, 'wasm', 'output');
    });
  }
});

describe('wasm kernels that throw after allocating their output free it', () => {
  /**
   * Partners whose element reads throw once the kernel has made its output (the block table reads them
   * before; every kernel reads them again while filling the output).
   */
  const { cs } = planFor(128);
  const throwingPartners = () =>
    new Proxy(cs.partners, {
      get: (target, key) => {
        const allocated = vi.isMockFunction(wasm.makeOutput) && vi.mocked(wasm.makeOutput).mock.calls.length > 0;
        if (allocated && typeof key === 'string' && /^\d+$/.test(key)) throw new Error('injected failure');
        return Reflect.get(target, key);
      },
    });

  function expectFreedAfterThrow(run: (x: tf.Tensor) => unknown, message: RegExp, shape = [128, 1, 28, 28]): void {
    const [wasmIds, tensors] = [wasm.numDataIds(), tf.memory().numTensors];
    const outputs = vi.spyOn(wasm, 'makeOutput');
    // Made on the cpu backend and moved in by the kernel: the input stays, the output must not.
    const size = shape.reduce((a, b) => a * b);
    const x = tf.engine().makeTensor(new Float32Array(size).fill(1), shape, 'float32', cpu);
    expect(() => run(x)).toThrow(message);
    expect(outputs, 'the kernel did allocate its output').toHaveBeenCalledTimes(1);
    expect([wasm.numDataIds(), tf.memory().numTensors]).toEqual([wasmIds + 1, tensors + 1]);
    x.dispose();
    expect(wasm.numDataIds()).toBe(wasmIds);
  }

  const attrs = () => ({ ...attrsOf(cs), partners: throwingPartners() }) as unknown as tf.NamedAttrMap;

  it.each([
    ['CutmixPaste (compiled)', (x: tf.Tensor) => tf.engine().runKernel(CUTMIX_PASTE, { images: x }, attrs())],
    ['pasteOnHeap, JavaScript copy', (x: tf.Tensor) => pasteOnHeap(wasm, x, attrs() as never, null)],
    ['CutmixPasteGrad', (x: tf.Tensor) => tf.engine().runKernel(CUTMIX_PASTE_GRAD, { dy: x }, attrs())],
  ])('%s, failing while reading the plan', (_name, run) => expectFreedAfterThrow(run, /injected failure/));

  it.each(['pasteSample', 'copyBlock'] as const)('CutmixPaste, the compiled %s trapping', (name) => {
    const copier = copierFor(heapMemory(wasm)!)!;
    vi.spyOn(copier, name).mockImplementationOnce(() => {
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    });
    // 400 KiB samples take the one pass (pasteSample); 576-byte samples the group copy (copyBlock).
    const shape = name === 'pasteSample' ? [2, 1, 320, 320] : [2, 1, 12, 12];
    const boxes = [
      { y1: 0, x1: 0, y2: 9, x2: 9 },
      { y1: 1, x1: 1, y2: 2, x2: 2 },
    ];
    expectFreedAfterThrow(
      (x) => applyCutmix(x, { boxes, partners: Int32Array.of(1, 0) }),
      /memory access out of bounds/,
      shape,
    );
  });
});

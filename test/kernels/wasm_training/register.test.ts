import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // the gradients
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '../../support/backends.js';
import { maxPoolGradConfig, MAX_POOL_PROBE } from '../../../src/kernels/wasm_training/max_pool_grad.js';
import { withHeapOutput } from '../../../src/kernels/wasm_training/output.js';
import { runKernelOn, sizeOf, valuesFrom } from '../../support/conv_cases.js';

// One fork per test file (vitest.config.ts): this file starts with no wasm gradient kernel of this package
// registered, and imports tfjs-cutmix/wasm-grad itself, in its second test. Its tests run in order.

const NAMES = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];
const MAX_POOL = 'MaxPoolGrad';
const spyConsole = () => (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m));

let wasm: BackendWasm;
let cpu: tf.KernelBackend;
/** tfjs-backend-wasm's own MaxPoolGrad, as its import registered it. */
let tfjsMaxPoolGrad: tf.KernelConfig;

beforeAll(async () => {
  await useBackend('cpu');
  cpu = tf.backend();
  await useBackend('wasm');
  wasm = tf.backend() as BackendWasm;
  tfjsMaxPoolGrad = tf.getKernel(MAX_POOL, 'wasm') as tf.KernelConfig;
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Registers `config` as the wasm MaxPoolGrad in place of whatever is, as a backend's import would. */
function replaceMaxPoolGrad(config: tf.KernelConfig): void {
  tf.unregisterKernel(MAX_POOL, 'wasm');
  tf.registerKernel(config);
}

/** The gradient of Σ dy · maxPool(x) at MAX_POOL_PROBE's x and dy on the active backend, through tf.grad. */
function probeGradient(): number[] {
  const { input, dy } = MAX_POOL_PROBE.inputs;
  const [x, up] = [tf.tensor(input.values, [...input.shape]), tf.tensor(dy.values, [...dy.shape])];
  const g = tf.grad((v) => tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid'), up))(x);
  const values = Array.from(g.dataSync());
  tf.dispose([x, up, g]);
  return values;
}

const RIGHT = [...MAX_POOL_PROBE.want.values];

describe('tfjs-cutmix/wasm-grad registers what tfjs lacks, and only that', () => {
  const mine: tf.KernelConfig = {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: 'wasm',
    kernelFunc: () => {
      throw new Error('my own kernel ran');
    },
  };

  it('tfjs-backend-wasm 4.22 has none of them, and a MaxPoolGrad of its own that drops gradients', () => {
    for (const name of NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeUndefined();
    expect(tfjsMaxPoolGrad.setupFunc, 'set up by tf.setBackend').toBeDefined();
    expect(probeGradient()).toEqual([0, 0, 0, 0, 0, 2, 0, 0]);
  });

  it('importing the entry registers each missing kernel and checks MaxPoolGrad, silently, and leaves a registered one alone', async () => {
    tf.registerKernel(mine);
    const consoleSpies = spyConsole();
    const entry = await import('tfjs-cutmix/wasm-grad');
    expect(entry.WASM_GRADIENT_KERNELS).toEqual([...NAMES, MAX_POOL]);
    expect(tf.getKernel(NAMES[2], 'wasm')).toBe(mine);
    for (const name of NAMES.slice(0, 2)) {
      expect(tf.getKernel(name, 'wasm'), `${name}: registered by the import itself`).toBeDefined();
    }
    const check = tf.getKernel(MAX_POOL, 'wasm');
    expect(check, 'MaxPoolGrad: the check in front of tfjs-backend-wasm 4.22').not.toBe(tfjsMaxPoolGrad);
    expect(check?.setupFunc, "tfjs's kernel is still set up by tf.setBackend").toBe(tfjsMaxPoolGrad.setupFunc);
    expect(entry.registerWasmGradients()).toEqual([...NAMES.slice(0, 2), MAX_POOL]);
    expect(entry.registerWasmGradients(), 'a second call changes nothing').toEqual([...NAMES.slice(0, 2), MAX_POOL]);
    expect(tf.getKernel(MAX_POOL, 'wasm'), 'nor does it wrap the check again').toBe(check);
    expect(tf.getKernel(NAMES[2], 'wasm')).toBe(mine);
    expect(probeGradient()).toEqual(RIGHT);
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  });

  it('a kernel registered later (a tfjs that has it) wins, and is no longer reported as ours', async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    tf.unregisterKernel(NAMES[0], 'wasm');
    const later = { ...mine, kernelName: NAMES[0] };
    tf.registerKernel(later);
    expect(registerWasmGradients()).toEqual([NAMES[1], MAX_POOL]);
    expect(tf.getKernel(NAMES[0], 'wasm')).toBe(later);
    // Unregistered, ours comes back; the other test files run in their own processes.
    tf.unregisterKernel(NAMES[0], 'wasm');
    tf.unregisterKernel(NAMES[2], 'wasm');
    expect(registerWasmGradients()).toEqual([...NAMES, MAX_POOL]);
  });
});

describe("MaxPoolGrad: tfjs's own is replaced only where it is wrong", () => {
  it("tfjs's kernel is probed once per backend instance, with nothing left behind; then only ours runs", async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    const probe = vi.spyOn(tfjsMaxPoolGrad, 'kernelFunc');
    replaceMaxPoolGrad(tfjsMaxPoolGrad);
    const [ids, tensors] = [wasm.numDataIds(), tf.memory().numTensors];
    expect(registerWasmGradients(), 'probed now: wasm is the active backend').toContain(MAX_POOL);
    expect(probe).toHaveBeenCalledTimes(1);
    expect([wasm.numDataIds(), tf.memory().numTensors], "the probe's tensors are freed").toEqual([ids, tensors]);
    for (let i = 0; i < 3; i++) expect(probeGradient()).toEqual(RIGHT);
    expect(registerWasmGradients()).toContain(MAX_POOL);
    expect(probe, 'not again, on the same backend').toHaveBeenCalledTimes(1);
  });

  it('a right MaxPoolGrad (a tfjs that fixed it, or yours) is kept: it runs every call, and is not reported as ours', async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    // Right by construction: the cpu backend's kernel on copies of the inputs.
    const fixed: tf.KernelConfig = {
      kernelName: MAX_POOL,
      backendName: 'wasm',
      kernelFunc: vi.fn(({ inputs, attrs }: Parameters<tf.KernelFunc>[0]) => {
        const onCpu = Object.fromEntries(
          Object.entries(inputs).map(([k, t]) => [
            k,
            { values: wasm.readSync(t!.dataId) as Float32Array, shape: t!.shape },
          ]),
        );
        const out = runKernelOn('cpu', MAX_POOL, onCpu, attrs ?? {});
        return wasm.makeOutput(out.shape, 'float32', undefined, out.values);
      }),
    };
    replaceMaxPoolGrad(fixed);
    expect(registerWasmGradients()).not.toContain(MAX_POOL);
    expect(tf.getKernel(MAX_POOL, 'wasm')).not.toBe(fixed);
    for (let i = 0; i < 3; i++) expect(probeGradient()).toEqual(RIGHT);
    expect(fixed.kernelFunc, 'the probe, then every call').toHaveBeenCalledTimes(4);
  });

  it('a MaxPoolGrad that throws on the probe is not kept', async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    const broken = {
      kernelName: MAX_POOL,
      backendName: 'wasm',
      kernelFunc: vi.fn(() => {
        throw new Error('broken');
      }),
    };
    replaceMaxPoolGrad(broken);
    const [ids, tensors] = [wasm.numDataIds(), tf.memory().numTensors];
    expect(registerWasmGradients()).toContain(MAX_POOL);
    expect([wasm.numDataIds(), tf.memory().numTensors]).toEqual([ids, tensors]);
    expect(probeGradient()).toEqual(RIGHT);
    expect(broken.kernelFunc).toHaveBeenCalledTimes(1);
  });

  it("a MaxPoolGrad registered after the import (the backend's own, imported later) is checked at tf.setBackend('wasm')", async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    replaceMaxPoolGrad(tfjsMaxPoolGrad);
    await useBackend('cpu');
    await useBackend('wasm');
    expect(tf.getKernel(MAX_POOL, 'wasm')).not.toBe(tfjsMaxPoolGrad);
    expect(probeGradient()).toEqual(RIGHT);
    expect(registerWasmGradients()).toContain(MAX_POOL);
  });

  it('with no MaxPoolGrad registered (a tfjs-backend-wasm without one), ours is', async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    tf.unregisterKernel(MAX_POOL, 'wasm');
    expect(registerWasmGradients()).toContain(MAX_POOL);
    expect(tf.getKernel(MAX_POOL, 'wasm')).toBe(maxPoolGradConfig);
    expect(probeGradient()).toEqual(RIGHT);
    replaceMaxPoolGrad(tfjsMaxPoolGrad);
    expect(registerWasmGradients()).toContain(MAX_POOL);
  });
});

describe('the kernels refuse what they would misread, before allocating', () => {
  const x = () => tf.ones([2, 5, 5, 3]);
  const dy = (shape = [2, 3, 3, 4]) => tf.ones(shape);
  const filterAttrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] };

  function expectRefused(name: string, inputs: () => Record<string, tf.Tensor>, attrs: object, message: string) {
    const made = inputs();
    const [tensors, ids] = [tf.memory().numTensors, wasm.numDataIds()];
    expect(() => tf.engine().runKernel(name, made, attrs as tf.NamedAttrMap)).toThrow(message);
    expect([tf.memory().numTensors, wasm.numDataIds()]).toEqual([tensors, ids]);
    tf.dispose(Object.values(made));
  }

  const where = (name: string) => `Error in ${name} (wasm, tfjs-cutmix/wasm-grad)`;
  it('a layout other than NHWC/NCHW', () => {
    expectRefused(
      NAMES[0],
      () => ({ x: x(), dy: dy() }),
      { ...filterAttrs, dataFormat: 'NDHWC' },
      `${where(NAMES[0])}: dataFormat must be 'NHWC' or 'NCHW', but got "NDHWC".`,
    );
  });
  it('a missing dataFormat (tfjs always passes one; the cpu kernel refuses none too)', () => {
    const { dataFormat: _, ...withoutFormat } = filterAttrs;
    expectRefused(
      NAMES[0],
      () => ({ x: x(), dy: dy() }),
      withoutFormat,
      `${where(NAMES[0])}: dataFormat must be 'NHWC' or 'NCHW', but got undefined.`,
    );
  });
  it("a dy that is not the convolution's output", () => {
    expectRefused(
      NAMES[0],
      () => ({ x: x(), dy: dy([2, 3, 4, 4]) }),
      filterAttrs,
      `${where(NAMES[0])}: dy must have the convolution's output shape [2,3,3,4], but got [2,3,4,4].`,
    );
    expectRefused(
      NAMES[0],
      () => ({ x: x(), dy: dy([2, 4, 3, 3]) }),
      { ...filterAttrs, dataFormat: 'NCHW' },
      `${where(NAMES[0])}: filterShape[2] must be the input's 5 channels, but got 3.`,
    );
  });
  it('a wasm backend without BatchMatMul (the filter gradient runs through it)', () => {
    const matMul = tf.getKernel('BatchMatMul', 'wasm') as tf.KernelConfig;
    tf.unregisterKernel('BatchMatMul', 'wasm');
    try {
      expectRefused(
        NAMES[0],
        () => ({ x: x(), dy: dy() }),
        filterAttrs,
        `${where(NAMES[0])}: the wasm backend must have a BatchMatMul kernel, but got none.`,
      );
    } finally {
      tf.registerKernel(matMul);
    }
  });
  it('a filter shape of another rank, an input that is not float32 or not rank 4', () => {
    expectRefused(
      NAMES[0],
      () => ({ x: x(), dy: dy() }),
      { ...filterAttrs, filterShape: [3, 3, 3] },
      `${where(NAMES[0])}: filterShape must have 4 entries, but got [3,3,3].`,
    );
    expectRefused(
      NAMES[0],
      () => ({ x: tf.ones([2, 5, 5, 3], 'int32'), dy: dy() }),
      filterAttrs,
      `${where(NAMES[0])}: x must be float32, but got int32.`,
    );
    expectRefused(
      NAMES[1],
      () => ({ x: tf.ones([5, 5, 3]), dy: dy() }),
      { ...filterAttrs, filterShape: [3, 3, 3, 1] },
      `${where(NAMES[1])}: x must be rank 4, but got rank 3.`,
    );
    expectRefused(
      NAMES[2],
      () => ({ dy: dy([2, 3, 3, 3]), filter: tf.ones([3, 3, 3, 1]) }),
      { strides: 1, pad: 'valid', dilations: 1, inputShape: [5, 5, 3] },
      `${where(NAMES[2])}: inputShape must have 4 entries, but got [5,5,3].`,
    );
  });
});

/** Fills the heap's free space with raw allocations, so that the next sizeable allocation must grow it. */
function fillHeap(ballast: number[]): void {
  const chunk = 1 << 16;
  for (;;) {
    const address = wasm.wasm._malloc(chunk) >>> 0;
    ballast.push(address);
    if (wasm.wasm.HEAPU8.buffer.byteLength - (address + chunk) < 4 * chunk) return;
  }
}

describe('on the wasm heap', () => {
  const CASE = { xShape: [4, 24, 24, 4], dyShape: [4, 24, 24, 4], filterShape: [3, 3, 4, 4] };
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: CASE.filterShape };
  const inputs = {
    x: { values: valuesFrom(sizeOf(CASE.xShape), 1), shape: CASE.xShape },
    dy: { values: valuesFrom(sizeOf(CASE.dyShape), 2), shape: CASE.dyShape },
  };

  /** One case per kernel, each with an input or output above the 256 KiB that must grow a filled heap. */
  const HEAP_CASES: [string, Record<string, number[]>, object][] = [
    [NAMES[0], { x: CASE.xShape, dy: CASE.dyShape }, attrs],
    [
      NAMES[1],
      { x: [4, 64, 64, 4], dy: [4, 64, 64, 8] },
      { strides: 1, pad: 'same', dilations: 1, filterShape: [3, 3, 4, 2] },
    ],
    [
      NAMES[2],
      { dy: [4, 64, 64, 8], filter: [3, 3, 4, 2] },
      { strides: 1, pad: 'same', dilations: 1, inputShape: [4, 64, 64, 4] },
    ],
    [
      MAX_POOL,
      { dy: [4, 32, 32, 4], input: [4, 64, 64, 4], output: [4, 32, 32, 4] },
      { filterSize: 3, strides: 2, pad: 'same' },
    ],
  ];

  for (const [name, shapes, kernelAttrs] of HEAP_CASES) {
    it(`${name}: right when its inputs move in from the cpu backend and the heap grows under it`, () => {
      const values = Object.fromEntries(
        Object.entries(shapes).map(([key, shape], i) => [key, { values: valuesFrom(sizeOf(shape), i + 1), shape }]),
      );
      const want = runKernelOn('cpu', name, values, kernelAttrs).values;
      const [ids, tensors] = [wasm.numDataIds(), tf.memory().numTensors];
      const ballast: number[] = [];
      const buffers = new Set<ArrayBufferLike>();
      // After every move onto the heap and every allocation, the heap is filled again: each one of them
      // grows it, so a view made before any of them is stale by the next.
      const { makeOutput, move } = wasm;
      vi.spyOn(wasm, 'makeOutput').mockImplementation(function (this: BackendWasm, ...args) {
        const out = makeOutput.apply(this, args);
        buffers.add(wasm.wasm.HEAPU8.buffer);
        fillHeap(ballast);
        return out;
      });
      vi.spyOn(wasm, 'move').mockImplementation(function (this: BackendWasm, ...args) {
        move.apply(this, args);
        buffers.add(wasm.wasm.HEAPU8.buffer);
        fillHeap(ballast);
      });
      const made = Object.fromEntries(
        Object.entries(values).map(([key, t]) => [key, tf.engine().makeTensor(t.values, [...t.shape], 'float32', cpu)]),
      );
      try {
        fillHeap(ballast);
        buffers.add(wasm.wasm.HEAPU8.buffer);
        const out = tf.engine().runKernel(name, made, kernelAttrs as tf.NamedAttrMap) as tf.Tensor;
        expect(buffers.size, 'the heap grew at every move and allocation').toBeGreaterThan(2);
        tf.test_util.expectArraysClose(out.dataSync(), want);
        out.dispose();
      } finally {
        tf.dispose(Object.values(made));
        ballast.forEach((address) => wasm.wasm._free(address));
      }
      expect([wasm.numDataIds(), tf.memory().numTensors], 'data left behind').toEqual([ids, tensors]);
    });
  }

  it('a failed allocation inside the kernel frees the temporaries it made', () => {
    for (const failing of [2, 3]) {
      const [x, dy] = [tf.tensor(inputs.x.values, CASE.xShape), tf.tensor(inputs.dy.values, CASE.dyShape)];
      const ids = wasm.numDataIds();
      const { makeOutput } = wasm;
      let calls = 0;
      vi.spyOn(wasm, 'makeOutput').mockImplementation(function (this: BackendWasm, ...args) {
        if (++calls === failing) throw new Error('injected: out of memory');
        return makeOutput.apply(this, args);
      });
      expect(() => tf.engine().runKernel(NAMES[0], { x, dy }, attrs as tf.NamedAttrMap)).toThrow('injected');
      expect(calls, 'patches, rows, then the product').toBe(failing);
      expect(wasm.numDataIds(), `allocation ${failing} failed: nothing left behind`).toBe(ids);
      vi.restoreAllMocks();
      tf.dispose([x, dy]);
    }
  });

  it('an output whose filling throws is freed', () => {
    const ids = wasm.numDataIds();
    expect(() =>
      withHeapOutput(wasm, [2, 3], () => {
        throw new Error('injected: fill failed');
      }),
    ).toThrow('injected: fill failed');
    expect(wasm.numDataIds()).toBe(ids);
  });

  it('an empty batch or an empty filter gives zeros of the filter shape, as the cpu kernel does', () => {
    for (const [xShape, dyShape, filterShape] of [
      [
        [0, 4, 4, 2],
        [0, 4, 4, 3],
        [3, 3, 2, 3],
      ],
      [
        [2, 4, 4, 2],
        [2, 4, 4, 0],
        [3, 3, 2, 0],
      ],
    ]) {
      const empty = {
        x: { values: new Float32Array(sizeOf(xShape)), shape: xShape },
        dy: { values: new Float32Array(sizeOf(dyShape)), shape: dyShape },
      };
      const a = { ...attrs, filterShape };
      const [want, got] = [runKernelOn('cpu', NAMES[0], empty, a), runKernelOn('wasm', NAMES[0], empty, a)];
      expect(got.shape).toEqual(filterShape);
      expect(Array.from(got.values)).toEqual(Array.from(want.values));
    }
  });
});

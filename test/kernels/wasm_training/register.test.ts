import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '../../support/backends.js';
import { withHeapOutput } from '../../../src/kernels/wasm_training/output.js';
import { runKernelOn, sizeOf, valuesFrom } from '../../support/conv_cases.js';

// One fork per test file (vitest.config.ts): this file starts with no wasm gradient kernel registered,
// and imports tfjs-cutmix/wasm-grad itself, in its first test. Its tests run in order.

const NAMES = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];
const spyConsole = () => (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m));

let wasm: BackendWasm;
let cpu: tf.KernelBackend;

beforeAll(async () => {
  await useBackend('cpu');
  cpu = tf.backend();
  await useBackend('wasm');
  wasm = tf.backend() as BackendWasm;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tfjs-cutmix/wasm-grad registers what tfjs lacks, and only that', () => {
  const mine: tf.KernelConfig = {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: 'wasm',
    kernelFunc: () => {
      throw new Error('my own kernel ran');
    },
  };

  it('tfjs-backend-wasm 4.22 has none of them', () => {
    for (const name of NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeUndefined();
  });

  it('importing the entry registers each missing kernel, silently, and leaves a registered one alone', async () => {
    tf.registerKernel(mine);
    const consoleSpies = spyConsole();
    const entry = await import('tfjs-cutmix/wasm-grad');
    expect(entry.WASM_GRADIENT_KERNELS).toEqual(NAMES);
    expect(tf.getKernel(NAMES[2], 'wasm')).toBe(mine);
    for (const name of NAMES.slice(0, 2)) {
      const config = tf.getKernel(name, 'wasm');
      expect(config, `${name}: registered by the import itself`).toBeDefined();
      expect(config?.setupFunc, `${name}: no setupFunc (it would never run)`).toBeUndefined();
    }
    expect(entry.registerWasmGradients()).toEqual(NAMES.slice(0, 2));
    expect(entry.registerWasmGradients(), 'a second call changes nothing').toEqual(NAMES.slice(0, 2));
    expect(tf.getKernel(NAMES[2], 'wasm')).toBe(mine);
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  });

  it('a kernel registered later (a tfjs that has it) wins, and is no longer reported as ours', async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    tf.unregisterKernel(NAMES[0], 'wasm');
    const later = { ...mine, kernelName: NAMES[0] };
    tf.registerKernel(later);
    expect(registerWasmGradients()).toEqual([NAMES[1]]);
    expect(tf.getKernel(NAMES[0], 'wasm')).toBe(later);
    // Unregistered, ours comes back; the other test files run in their own processes.
    tf.unregisterKernel(NAMES[0], 'wasm');
    tf.unregisterKernel(NAMES[2], 'wasm');
    expect(registerWasmGradients()).toEqual(NAMES);
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

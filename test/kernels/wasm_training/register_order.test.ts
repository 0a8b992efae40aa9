import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_POOL_PROBE } from '../../../src/kernels/wasm_training/max_pool_grad.js';
import { runKernelOn } from '../../support/conv_cases.js';

// `import 'tfjs-cutmix/wasm-grad'` above `import '@tensorflow/tfjs-backend-wasm'`: the entry runs before the
// backend has registered its kernels. This file loads neither up front (one fork per file, tests in order).

const NAMES = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];

afterEach(() => {
  vi.restoreAllMocks();
});

/** The gradient of Σ dy · maxPool(x), on two 2×2 windows, the second of negative values only. */
function negativeWindowGradient(): number[] {
  const x = tf.tensor4d([1, 2, -0.5, -0.1, 3, 4, -0.3, -0.2], [1, 2, 4, 1]);
  const dy = tf.tensor4d([2, 3], [1, 1, 2, 1]);
  const g = tf.grad((v) => tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid'), dy))(x);
  const values = Array.from(g.dataSync());
  tf.dispose([x, dy, g]);
  return values;
}
const RIGHT = [0, 0, 0, 3, 0, 2, 0, 0];

let tfjsMaxPoolGrad: tf.KernelConfig;

describe('tfjs-cutmix/wasm-grad imported before the wasm backend', () => {
  it('registers the convolution kernels, and no MaxPoolGrad yet (the backend brings one)', async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBeUndefined();
    expect(registerWasmGradients()).toEqual(NAMES);
  });

  it('the backend imported after it registers its own MaxPoolGrad without a warning', async () => {
    const warn = vi.spyOn(console, 'warn');
    await import('@tensorflow/tfjs-backend-wasm');
    await import('@tensorflow/tfjs-backend-cpu');
    await import('@tensorflow/tfjs-layers');
    tfjsMaxPoolGrad = tf.getKernel('MaxPoolGrad', 'wasm') as tf.KernelConfig;
    expect(tfjsMaxPoolGrad.setupFunc).toBeDefined();
    expect(warn.mock.calls.flat().join('\n')).not.toContain('already registered');
  });

  it("tf.setBackend('wasm') puts the check in front of it: the first gradient is right", async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).not.toBe(tfjsMaxPoolGrad);
    expect(negativeWindowGradient()).toEqual(RIGHT);
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    expect(registerWasmGradients()).toEqual([...NAMES, 'MaxPoolGrad']);
  });

  it('a new wasm backend instance is probed again, and its tfjs kernel set up again', async () => {
    const factory = tf.findBackendFactory('wasm');
    const probe = vi.spyOn(tfjsMaxPoolGrad, 'kernelFunc');
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory);
    expect(await tf.setBackend('wasm')).toBe(true);
    for (let i = 0; i < 3; i++) expect(negativeWindowGradient()).toEqual(RIGHT);
    expect(probe, 'once, on the new instance').toHaveBeenCalledTimes(1);
    // tfjs's kernel runs against the new instance's module (its setup ran again): its known wrong answer.
    const { input, dy, output } = MAX_POOL_PROBE.inputs;
    const inputs = Object.fromEntries(
      Object.entries({ input, dy, output }).map(([k, t]) => [
        k,
        { values: Float32Array.from(t.values), shape: t.shape },
      ]),
    );
    const own = runKernelOn('wasm', 'MaxPoolGrad', inputs, MAX_POOL_PROBE.attrs, tfjsMaxPoolGrad.kernelFunc);
    expect(Array.from(own.values)).toEqual([0, 0, 0, 0, 0, 2, 0, 0]);
  });

  it('with another backend active, a wasm instance not yet probed is not probed, nor reported', async () => {
    const { registerWasmGradients } = await import('tfjs-cutmix/wasm-grad');
    expect(await tf.setBackend('cpu')).toBe(true);
    expect(registerWasmGradients(), 'the verdict on the active instance, from its first gradient').toContain(
      'MaxPoolGrad',
    );
    const factory = tf.findBackendFactory('wasm');
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory);
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(await tf.setBackend('cpu')).toBe(true);
    const probe = vi.spyOn(tfjsMaxPoolGrad, 'kernelFunc');
    expect(registerWasmGradients()).toEqual(NAMES);
    expect(probe).not.toHaveBeenCalled();
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(registerWasmGradients()).toEqual([...NAMES, 'MaxPoolGrad']);
    expect(probe).toHaveBeenCalledTimes(1);
  });
});

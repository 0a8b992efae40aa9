import '@tensorflow/tfjs-layers'; // registers the gradients of the stock ops (tfjs-core alone has none)
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cutmixBatch } from '../../src/cutmix_batch.js';
import { pasteComposite } from '../../src/kernels/composite.js';
import { cutmixPasteCpuConfig } from '../../src/kernels/cpu.js';
import { CUTMIX_PASTE } from '../../src/kernels/names.js';
import { paste } from '../../src/kernels/paste.js';
import { ensureKernelsRegistered } from '../../src/kernels/register.js';
import { cutmixPasteWasmConfig } from '../../src/kernels/wasm.js';
import { cutmixPasteWebGLConfig } from '../../src/kernels/webgl.js';
import type { DataFormat } from '../../src/layout.js';
import { describeEachBackend } from '../support/backends.js';
import { range } from '../support/reference.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ensureKernelsRegistered', () => {
  it('registers nothing at import time', () => {
    // This file imports the kernel modules but has not pasted yet.
    expect(tf.getKernel(CUTMIX_PASTE, 'cpu')).toBeUndefined();
    expect(tf.getKernel(CUTMIX_PASTE, 'wasm')).toBeUndefined();
    expect(tf.getKernel(CUTMIX_PASTE, 'webgl')).toBeUndefined();
    expect(tf.getGradient(CUTMIX_PASTE)).toBeUndefined();
  });

  it('registers the gradient and the cpu, wasm and webgl kernels, silently and only once', async () => {
    const warn = vi.spyOn(console, 'warn');
    ensureKernelsRegistered();
    ensureKernelsRegistered();
    expect(tf.getKernel(CUTMIX_PASTE, 'cpu')).toBe(cutmixPasteCpuConfig);
    expect(tf.getKernel(CUTMIX_PASTE, 'wasm')).toBe(cutmixPasteWasmConfig);
    expect(tf.getKernel(CUTMIX_PASTE, 'webgl')).toBe(cutmixPasteWebGLConfig);
    expect(tf.getGradient(CUTMIX_PASTE)).toBeDefined();

    // A second copy of the package (fresh module state) finds everything registered and leaves it alone.
    vi.resetModules();
    const second = await import('../../src/kernels/register.js');
    const secondCpu = await import('../../src/kernels/cpu.js');
    expect(secondCpu.cutmixPasteCpuConfig).not.toBe(cutmixPasteCpuConfig);
    second.ensureKernelsRegistered();
    expect(tf.getKernel(CUTMIX_PASTE, 'cpu')).toBe(cutmixPasteCpuConfig);
    expect(warn).not.toHaveBeenCalled();
  });
});

const layouts: DataFormat[] = ['NCHW', 'NHWC'];

describeEachBackend('the paste path', (backend) => {
  it('cutmixBatch runs the registered kernel, once per call, in both modes and layouts', () => {
    // Created first: the cpu backend greets its first tensor with a console.warn of its own.
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const warn = vi.spyOn(console, 'warn');
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    const kernelFunc = vi.spyOn(tf.getKernel(CUTMIX_PASTE, backend)!, 'kernelFunc');
    let calls = 0;
    for (const dataFormat of layouts) {
      for (const mode of ['batch', 'elem'] as const) {
        const images = tf.tensor4d(range(4 * 3 * 6 * 5), dataFormat === 'NCHW' ? [4, 3, 6, 5] : [4, 6, 5, 3]);
        const out = cutmixBatch(images, labels, { seed: 3, mode, dataFormat, lam: 0.5 });
        calls++;
        expect(kernelFunc).toHaveBeenCalledTimes(calls);
        tf.dispose([images, out.images, out.labelsA, out.labelsB]);
      }
    }
    const names = runKernel.mock.calls.map(([name]) => name);
    expect(names.filter((name) => name === CUTMIX_PASTE)).toHaveLength(calls);
    expect(names).not.toContain('SelectV2'); // the composite's `where`
    expect(warn).not.toHaveBeenCalled();
    labels.dispose();
  });

  it('falls back to the composite when the backend has no kernel, with the same result', () => {
    const images = tf.tensor4d(range(3 * 2 * 4 * 4), [3, 2, 4, 4]);
    const partners = Int32Array.of(2, 0, 1);
    const boxes = Int32Array.of(1, 1, 3, 4, 0, 0, 4, 4, 2, 0, 3, 2);
    const viaKernel = paste(images, partners, boxes, 'NCHW');
    const config = tf.getKernel(CUTMIX_PASTE, backend)!;
    tf.unregisterKernel(CUTMIX_PASTE, backend);
    try {
      const kernelFunc = vi.spyOn(config, 'kernelFunc');
      kernelFunc.mockClear();
      const viaComposite = paste(images, partners, boxes, 'NCHW');
      expect(kernelFunc).not.toHaveBeenCalled();
      expect(Array.from(viaComposite.dataSync())).toEqual(Array.from(viaKernel.dataSync()));
      viaComposite.dispose();
    } finally {
      tf.registerKernel(config);
    }
    tf.dispose([images, viaKernel]);
  });

  // cpu only: on wasm the composite itself mishandles bool (tfjs 4.22's wasm `where` returns wrong values
  // and the heap faults later), and cutmixBatch accepts only float32 and int32 anyway.
  it.runIf(backend === 'cpu')('leaves dtypes that are not 32-bit words (bool) to the composite', () => {
    const images = tf.tensor4d([1, 0, 0, 1, 0, 0, 0, 0], [2, 1, 2, 2], 'bool');
    const kernelFunc = vi.spyOn(tf.getKernel(CUTMIX_PASTE, backend)!, 'kernelFunc');
    kernelFunc.mockClear();
    const out = paste(images, Int32Array.of(1, 0), Int32Array.of(0, 0, 1, 2, 0, 0, 2, 2), 'NCHW');
    expect(kernelFunc).not.toHaveBeenCalled();
    expect(out.dtype).toBe('bool');
    expect(Array.from(out.dataSync())).toEqual([0, 0, 0, 1, 1, 0, 0, 1]);
    tf.dispose([images, out]);
  });

  it('tf.grad through the kernel equals the gradient through the composite', () => {
    for (const dataFormat of layouts) {
      const shape: [number, number, number, number] = dataFormat === 'NCHW' ? [4, 2, 5, 6] : [4, 5, 6, 2];
      const images = tf.tensor4d(range(4 * 2 * 5 * 6), shape);
      const weights = tf.tensor4d(
        range(4 * 2 * 5 * 6, 0.5).map((v) => Math.sin(v)),
        shape,
      );
      // Samples 1 and 3 share partner 0, so their box gradients add up there.
      const partners = Int32Array.of(0, 0, 1, 0);
      const boxes = Int32Array.of(0, 0, 5, 6, 1, 2, 4, 5, 0, 0, 0, 0, 2, 0, 5, 6);
      const loss = (via: typeof paste) => (x: tf.Tensor) =>
        tf.sum(tf.mul(via(x as tf.Tensor4D, partners, boxes, dataFormat), weights));
      const viaKernel = tf.grad(loss(paste))(images);
      const viaComposite = tf.grad(loss(pasteComposite))(images);
      expect(Array.from(viaKernel.dataSync())).toEqual(Array.from(viaComposite.dataSync()));
      tf.dispose([images, weights, viaKernel, viaComposite]);
    }
  });

  it('tf.grad through cutmixBatch routes the gradient back to each pixel’s source', () => {
    const images = tf.tensor4d(range(4 * 1 * 4 * 4), [4, 1, 4, 4]);
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    let plan: { partners: Int32Array; boxes: Int32Array } | undefined;
    const grad = tf.grad((x: tf.Tensor) => {
      const out = cutmixBatch(x as tf.Tensor4D, labels, { seed: 11, mode: 'elem', lam: 0.4 });
      plan = { partners: out.partners, boxes: Int32Array.from(out.boxes.flatMap((b) => [b.y1, b.x1, b.y2, b.x2])) };
      return tf.sum(tf.mul(out.images, tf.reshape(tf.range(0, 64), [4, 1, 4, 4])));
    })(images);
    // Expected: output element i (weight i) sends its gradient to the element it was copied from.
    const expected = new Float64Array(64);
    const sources = tf.tidy(() =>
      pasteComposite(tf.tensor4d(range(64), [4, 1, 4, 4]), plan!.partners, plan!.boxes, 'NCHW').dataSync(),
    );
    sources.forEach((source, i) => (expected[source] += i));
    expect(Array.from(grad.dataSync())).toEqual(Array.from(expected));
    tf.dispose([images, labels, grad]);
  });
});

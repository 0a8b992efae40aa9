/**
 * tfjs-backend-wasm 4.22 ships no `Conv2DBackpropFilter` kernel, so a convolution's weights cannot be
 * trained on wasm out of the box. The demo registers this one: the filter gradient in JavaScript on the
 * wasm heap (channels-last, dilation 1, which is what tfjs-layers' conv2d produces).
 *
 * dW[r, c, i, o] = Σ_b Σ_(y, x) X[b, y·s + r − top, x·s + c − left, i] · dY[b, y, x, o]
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

function conv2dBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: Conv2DBackpropFilterAttrs;
  backend: BackendWasm;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { x, dy } = inputs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== 'channelsLast' || info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error('demo Conv2DBackpropFilter (wasm): only NHWC with dilation 1 is implemented');
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;

  // Float64 sums, rounded once at the end, as tfjs's cpu kernel does.
  const sums = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  const out = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  // Views only after the allocation above, which may have grown (and replaced) the heap.
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyBase = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight - top + wR;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth - left + wC;
            if (xC < 0 || xC >= inWidth) continue;
            const xBase = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wBase = (wR * filterWidth + wC) * inChannels * outChannels;
            for (let i = 0; i < inChannels; i++) {
              const xv = xs[xBase + i];
              // Digits are mostly background and ReLU outputs mostly zero: skip the empty products.
              if (xv === 0) continue;
              const row = wBase + i * outChannels;
              for (let o = 0; o < outChannels; o++) sums[row + o] += xv * dys[dyBase + o];
            }
          }
        }
      }
    }
  }
  (backend.typedArrayFromHeap(out) as Float32Array).set(sums);
  return out;
}

/**
 * Registers the kernel for 'wasm' once (no-op when tfjs already has one). Call it before training a
 * convolution on wasm.
 */
export function registerWasmConv2dFilterGrad(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2dBackpropFilterWasm as unknown as KernelFunc,
  });
}

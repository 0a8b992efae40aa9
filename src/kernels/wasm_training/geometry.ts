import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { describeValue, failMust } from '../../common/validate.js';

/** The padding forms tfjs's convolutions accept: 'same', 'valid', one number, or explicit per-axis pairs. */
export type ConvPad = Conv2DBackpropFilterAttrs['pad'];

/**
 * One convolution's sizes, as the gradient kernels walk it. Element (b, h, w, c) of the input sits at
 * `b·x[0] + h·x[1] + w·x[2] + c·x[3]` whatever the layout (and likewise `dy` with `y`), so one loop serves
 * channels-last and channels-first.
 */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  /** Rows and columns of padding before the first input row and column. */
  top: number;
  left: number;
  /** Element strides of the input, in (batch, row, column, channel) order. */
  x: readonly [number, number, number, number];
  /** Element strides of `dy`, in (batch, row, column, channel) order. */
  y: readonly [number, number, number, number];
  /** `[batch, height, width, channels]` of the input in its own layout (the shape backprop-input returns). */
  inShape: number[];
  /** The filter's shape: `[filterHeight, filterWidth, inChannels, outChannels or channel multiplier]`. */
  filterShape: [number, number, number, number];
}

/** What a gradient kernel is told about its convolution, in tfjs's attribute names. */
export interface ConvSpec {
  /** The kernel's name, for error messages. */
  kernel: string;
  xShape: readonly number[];
  filterShape: readonly number[];
  dyShape: readonly number[];
  strides: number | [number, number];
  pad: ConvPad;
  dilations: number | [number, number];
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined;
  /** 'NHWC' or 'NCHW' (depthwise kernels are channels-last only). */
  dataFormat: string | undefined;
  depthwise: boolean;
}

/** `Error in <kernel> (wasm, tfjs-cutmix/wasm-grad): …`: the kernel a stack trace names, and who made it. */
export const where = (kernel: string) => `${kernel} (wasm, tfjs-cutmix/wasm-grad)`;

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;

/** Strides of a channels-last or channels-first rank-4 shape, in (batch, row, column, channel) order. */
function layoutStrides(shape: readonly number[], channelsLast: boolean): [number, number, number, number] {
  const [, d1, d2, d3] = shape;
  return channelsLast ? [d1 * d2 * d3, d2 * d3, d3, 1] : [d1 * d2 * d3, d3, 1, d2 * d3];
}

/** Refuses an input that is not a float32 tensor of rank 4: these kernels read float32 words only. */
export function assertFloat4D(kernel: string, name: string, t: TensorInfo): void {
  if (t.dtype !== 'float32') failMust(where(kernel), name, 'be float32', t.dtype);
  if (t.shape.length !== 4) failMust(where(kernel), name, 'be rank 4', `rank ${t.shape.length}`);
}

/**
 * Reads a convolution's geometry with tfjs's own `computeConv2DInfo` (so padding, rounding and output size
 * agree with the forward kernel by construction) and refuses anything it might misread: a layout other than
 * NHWC/NCHW, a filter whose depth does not match the input, or a `dy` whose shape is not the convolution's
 * output.
 */
export function convGeometry(spec: ConvSpec): ConvGeometry {
  const fn = where(spec.kernel);
  const format = spec.dataFormat;
  const allowed = spec.depthwise ? ['NHWC'] : ['NHWC', 'NCHW'];
  if (format === undefined || !allowed.includes(format)) {
    failMust(fn, 'dataFormat', `be ${allowed.map((f) => `'${f}'`).join(' or ')}`, describeValue(format));
  }
  if (spec.filterShape.length !== 4) {
    failMust(fn, 'filterShape', 'have 4 entries', shapeText(spec.filterShape));
  }
  const channelsLast = format === 'NHWC';
  const inChannels = spec.xShape[channelsLast ? 3 : 1];
  if (spec.filterShape[2] !== inChannels) {
    failMust(fn, 'filterShape[2]', `be the input's ${inChannels} channels`, String(spec.filterShape[2]));
  }
  const info = tf.backend_util.computeConv2DInfo(
    spec.xShape as [number, number, number, number],
    spec.filterShape as [number, number, number, number],
    spec.strides,
    spec.dilations,
    spec.pad,
    spec.dimRoundingMode,
    spec.depthwise,
    channelsLast ? 'channelsLast' : 'channelsFirst',
  );
  if (shapeText(spec.dyShape) !== shapeText(info.outShape)) {
    failMust(fn, 'dy', `have the convolution's output shape ${shapeText(info.outShape)}`, shapeText(spec.dyShape));
  }
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
    x: layoutStrides(spec.xShape, channelsLast),
    y: layoutStrides(spec.dyShape, channelsLast),
    inShape: [...spec.xShape],
    filterShape: spec.filterShape as [number, number, number, number],
  };
}

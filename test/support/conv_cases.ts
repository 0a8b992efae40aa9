import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';

/**
 * Convolution cases for the wasm gradient kernels (tfjs-cutmix/wasm-grad), and running a kernel on a
 * backend of choice with fresh tensors made there.
 */

export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

export interface ConvCase {
  /** Input shape in `dataFormat`. */
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  /** The convolution's output shape (what `dy` must be). */
  dyShape: number[];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined;
  dataFormat: 'NHWC' | 'NCHW';
  seed: number;
}

/** Explicit padding [top, bottom, left, right] in tfjs's per-axis form for the layout. */
function explicitPad([t, b, l, r]: number[], dataFormat: 'NHWC' | 'NCHW'): tf.backend_util.ExplicitPadding {
  return dataFormat === 'NHWC'
    ? [
        [0, 0],
        [t, b],
        [l, r],
        [0, 0],
      ]
    : [
        [0, 0],
        [0, 0],
        [t, b],
        [l, r],
      ];
}

/**
 * Every padding form (named, one number, explicit and uneven), strides and (depthwise) dilations 1–3 with
 * one of them 1 as tfjs requires, every rounding mode, both layouts (depthwise: channels-last only), small
 * sizes; cases whose output would be empty are left out.
 */
export function arbConvCase(kind: 'conv' | 'depthwise'): fc.Arbitrary<ConvCase> {
  const size = fc.integer({ min: 1, max: 8 });
  const small = fc.integer({ min: 1, max: 3 });
  return fc
    .record({
      batch: small,
      inHeight: size,
      inWidth: size,
      inChannels: small,
      out: small, // output channels, or the depthwise channel multiplier
      filterHeight: fc.integer({ min: 1, max: 4 }),
      filterWidth: fc.integer({ min: 1, max: 4 }),
      strides: fc.tuple(small, small),
      dilations: kind === 'depthwise' ? fc.tuple(small, small) : fc.constant<[number, number]>([1, 1]),
      strideFirst: fc.boolean(),
      pad: fc.oneof(
        fc.constantFrom<'same' | 'valid'>('same', 'valid'),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
      ),
      dimRoundingMode: fc.constantFrom(undefined, 'floor' as const, 'round' as const, 'ceil' as const),
      dataFormat:
        kind === 'depthwise' ? fc.constant('NHWC' as const) : fc.constantFrom('NHWC' as const, 'NCHW' as const),
      seed: fc.integer({ min: 0, max: 2 ** 30 }),
    })
    .map((r) => {
      // tfjs allows strides or dilations above 1, not both.
      const strides: [number, number] = kind === 'conv' || r.strideFirst ? r.strides : [1, 1];
      const dilations: [number, number] = r.strideFirst ? [1, 1] : r.dilations;
      const { batch: n, inHeight: h, inWidth: w, inChannels: c } = r;
      const xShape: [number, number, number, number] = r.dataFormat === 'NHWC' ? [n, h, w, c] : [n, c, h, w];
      const filterShape: [number, number, number, number] = [r.filterHeight, r.filterWidth, c, r.out];
      const pad: Pad = Array.isArray(r.pad) ? explicitPad(r.pad, r.dataFormat) : r.pad;
      const info = tf.backend_util.computeConv2DInfo(
        xShape,
        filterShape,
        strides,
        dilations,
        pad,
        r.dimRoundingMode,
        kind === 'depthwise',
        r.dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst',
      );
      const { dimRoundingMode, dataFormat, seed } = r;
      return {
        xShape,
        filterShape,
        dyShape: info.outShape,
        strides,
        dilations,
        pad,
        dimRoundingMode,
        dataFormat,
        seed,
      };
    })
    .filter((cs) => cs.dyShape.every((d) => d > 0));
}

/** `count` values in [-1, 1) from a seed (mulberry32), some exactly 0. */
export function valuesFrom(count: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    return u < 0.1 ? 0 : 2 * u - 1;
  });
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export interface KernelInput {
  values: Float32Array;
  shape: readonly number[];
}

/**
 * Runs kernel `name` of `backendName` on tensors made on that backend from `inputs`, the way the engine
 * would (the kernel function with its backend), and returns its output values and shape. Everything made
 * is freed.
 *
 * @param kernelFunc Runs this function instead of the registered kernel's (a kernel no longer registered).
 */
export function runKernelOn(
  backendName: 'cpu' | 'wasm',
  name: string,
  inputs: Record<string, KernelInput>,
  attrs: object,
  kernelFunc: tf.KernelFunc | undefined = tf.getKernel(name, backendName)?.kernelFunc,
): { values: Float32Array; shape: number[] } {
  const backend = tf.findBackend(backendName);
  if (backend === null || kernelFunc === undefined) throw new Error(`no ${name} on ${backendName}`);
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([key, { values, shape }]) => [
      key,
      tf.engine().makeTensor(values, [...shape], 'float32', backend),
    ]),
  );
  try {
    const out = kernelFunc({ inputs: tensors, attrs: attrs as tf.NamedAttrMap, backend }) as tf.TensorInfo;
    const values = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
    backend.disposeData(out.dataId);
    return { values, shape: out.shape };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { sizeOf, valuesFrom, type Pad } from './conv_cases.js';

/**
 * 2-D pooling cases for the wasm `MaxPoolGrad` of tfjs-cutmix/wasm-grad: every padding form, window and
 * stride, rounding mode, and input values chosen to break a max: ties, windows of negatives only, zeros of
 * both signs, subnormals, −∞ and NaN.
 */
export interface PoolCase {
  /** The pooled input, channels-last (tfjs's pooling kernels have no other layout). */
  xShape: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: Pad;
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined;
  /** The pooling's output shape (what `dy` must be). */
  dyShape: [number, number, number, number];
  x: Float32Array;
  dy: Float32Array;
}

/** Values where a max is easy to get wrong: small integers (ties, all-negative windows) and special values. */
const trickyValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 2 }) },
  { weight: 3, arbitrary: fc.float({ min: -1, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 1e-40, -1e-40, -Infinity, NaN, 1e-30) },
);

/** The pooling geometry tfjs's own kernels compute from these attributes. */
function poolInfo(xShape: PoolCase['xShape'], r: Omit<PoolCase, 'xShape' | 'dyShape' | 'x' | 'dy'>) {
  return tf.backend_util.computePool2DInfo(xShape, r.filterSize, r.strides, 1, r.pad, r.dimRoundingMode);
}

/**
 * Batches of 0–2 inputs up to 7×7 with 1–3 channels; windows 1–4 wide and high, strides 1–3; 'same',
 * 'valid', a number or explicit uneven padding; every rounding mode. Cases with an empty output are left
 * out (tfjs refuses to pool them).
 */
export function arbPoolCase(): fc.Arbitrary<PoolCase> {
  const small = fc.integer({ min: 1, max: 3 });
  return fc
    .record({
      xShape: fc.tuple(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        small,
      ),
      filterSize: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      strides: fc.tuple(small, small),
      pad: fc.oneof(
        fc.constantFrom<'same' | 'valid'>('same', 'valid'),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }).map(
          ([t, b, l, r]): Pad =>
            [
              [0, 0],
              [t, b],
              [l, r],
              [0, 0],
            ] as tf.backend_util.ExplicitPadding,
        ),
      ),
      dimRoundingMode: fc.constantFrom(undefined, 'floor' as const, 'round' as const, 'ceil' as const),
    })
    .map((r) => ({ ...r, dyShape: poolInfo(r.xShape, r).outShape }))
    .filter(({ dyShape }) => dyShape.slice(1).every((d) => d > 0))
    .chain((r) =>
      fc
        .tuple(
          fc.array(trickyValue, { minLength: sizeOf(r.xShape), maxLength: sizeOf(r.xShape) }),
          fc.integer({ min: 0, max: 2 ** 30 }),
        )
        .map(([x, seed]) => ({ ...r, x: Float32Array.from(x), dy: valuesFrom(sizeOf(r.dyShape), seed) })),
    );
}

/** The attributes of a `MaxPoolGrad` kernel call for a case. */
export const poolAttrs = (c: PoolCase) => ({
  filterSize: c.filterSize,
  strides: c.strides,
  pad: c.pad,
  dimRoundingMode: c.dimRoundingMode,
});

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { failMust } from '../../common/validate.js';
import { heapAddress } from '../wasm/heap.js';
import type { Probe } from './checked.js';
import { assertFloat4D, where } from './geometry.js';
import { floatsOf, withHeapOutput } from './output.js';

const KERNEL = 'MaxPoolGrad';

/**
 * The input gradient of a 2-D max pooling (channels-last, as all of tfjs's pooling): each window's `dy`
 * goes to the first of its largest inputs in row-major order (none if no input is above −∞, NaN never
 * wins), and an input in several windows sums their `dy` in window order, in float64. That is the cpu
 * backend's rule and summation order, so the two agree to the bit.
 */
export function maxPoolInputGrad(
  info: tf.backend_util.Conv2DInfo,
  x: Float32Array,
  dy: Float32Array,
  sums: Float64Array,
): void {
  const { inHeight, inWidth, inChannels: ch, outHeight, outWidth } = info;
  const best = new Float32Array(ch);
  const at = new Int32Array(ch);
  let dyAt = 0;
  for (let b = 0; b < info.batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const top = oy * info.strideHeight - info.padInfo.top;
      const r0 = Math.max(0, top);
      const r1 = Math.min(inHeight, top + info.effectiveFilterHeight);
      for (let ox = 0; ox < outWidth; ox++, dyAt += ch) {
        const left = ox * info.strideWidth - info.padInfo.left;
        const c0 = Math.max(0, left);
        const c1 = Math.min(inWidth, left + info.effectiveFilterWidth);
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let c = c0, xAt = ((b * inHeight + r) * inWidth + c0) * ch; c < c1; c++) {
            for (let k = 0; k < ch; k++, xAt++) {
              if (x[xAt] > best[k]) {
                best[k] = x[xAt];
                at[k] = xAt;
              }
            }
          }
        }
        for (let k = 0; k < ch; k++) if (at[k] >= 0) sums[at[k]] += dy[dyAt + k];
      }
    }
  }
}

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;

/**
 * The pooling's geometry, from tfjs's own `computePool2DInfo`. tfjs-core's maxPool gradient passes no
 * `dimRoundingMode` on (4.22), so with a rounding mode that added a window `dy` is larger than the attributes
 * say: the windows start at the same places whatever the rounding, so `dy`'s shape tells how many there are.
 * A `dy` that fits no rounding is refused.
 */
function poolInfo(xShape: number[], dyShape: number[], attrs: MaxPoolGradAttrs): tf.backend_util.Conv2DInfo {
  const modes = attrs.dimRoundingMode === undefined ? [undefined, 'ceil', 'round'] : [attrs.dimRoundingMode];
  const infos = modes.map((mode) =>
    tf.backend_util.computePool2DInfo(
      xShape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1, // pooling is never dilated: the attributes carry none
      attrs.pad,
      mode as MaxPoolGradAttrs['dimRoundingMode'],
    ),
  );
  const info = infos.find((i) => shapeText(i.outShape) === shapeText(dyShape));
  if (info !== undefined) return info;
  return failMust(
    where(KERNEL),
    'dy',
    `have the pooling's output shape ${shapeText(infos[0].outShape)}`,
    shapeText(dyShape),
  );
}

function maxPoolGradWasm(args: {
  inputs: { dy: TensorInfo; input: TensorInfo };
  attrs: MaxPoolGradAttrs;
  backend: BackendWasm;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  assertFloat4D(KERNEL, 'input', inputs.input);
  assertFloat4D(KERNEL, 'dy', inputs.dy);
  const info = poolInfo(inputs.input.shape, inputs.dy.shape, attrs);
  const sums = new Float64Array(tf.util.sizeFromShape(inputs.input.shape));
  // Both addresses before any view (reading one may move its tensor onto the heap); no allocation until
  // the output, after the views' last use.
  heapAddress(backend, inputs.input.dataId);
  heapAddress(backend, inputs.dy.dataId);
  maxPoolInputGrad(info, floatsOf(backend, inputs.input), floatsOf(backend, inputs.dy), sums);
  return withHeapOutput(backend, inputs.input.shape, (dx) => dx.set(sums));
}

/**
 * `MaxPoolGrad` for 'wasm': registered where tfjs-backend-wasm has none, and run in place of tfjs's own
 * where that one fails {@link MAX_POOL_PROBE} (checked.ts decides).
 */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm as unknown as KernelFunc,
};

/**
 * The input that tells a right `MaxPoolGrad` from tfjs-backend-wasm 4.22's: two 2×2 windows, the second
 * of negative values only and away from the tensor's first element. 4.22's kernel starts each window's
 * running maximum at the smallest positive float, so the second window's `dy` (3) reaches nothing; the
 * right answer sends it to −0.1. `dy` differs per window, so a gradient sent to the wrong window shows too.
 */
export const MAX_POOL_PROBE: Probe = {
  inputs: {
    dy: { values: [2, 3], shape: [1, 1, 2, 1] },
    input: { values: [1, 2, -0.5, -0.1, 3, 4, -0.3, -0.2], shape: [1, 2, 4, 1] },
    output: { values: [4, -0.1], shape: [1, 1, 2, 1] },
  },
  attrs: { filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  want: { values: [0, 0, 0, 3, 0, 2, 0, 0], shape: [1, 2, 4, 1] },
};

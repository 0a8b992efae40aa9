import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { DataFormat } from '../layout.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';

/** Columns of the per-sample plan the shader reads: partner, y1, x1, y2, x2. */
const PLAN_COLUMNS = 5;

/**
 * The paste as one WebGL fragment program: every output element reads the plan row of its sample and
 * takes its value from the partner inside the box, from the sample itself outside. Each element is written
 * once. The plan (partners and boxes) arrives as a small `[N, 5]` input, so the shader source depends
 * only on the layout and tfjs compiles it once per batch shape, never per batch.
 *
 * @example
 * ```ts
 * const program = new CutmixPasteProgram([8, 3, 32, 32], 'NCHW');
 * const out = webglBackend.runWebGLProgram(program, [images, plan], images.dtype);
 * ```
 */
export class CutmixPasteProgram implements GPGPUProgram {
  variableNames = ['images', 'plan'];
  outputShape: number[];
  userCode: string;

  /**
   * @param shape the rank-4 batch shape (also the output shape).
   * @param dataFormat `'NCHW'` or `'NHWC'`: which output coordinates are y and x.
   */
  constructor(shape: readonly number[], dataFormat: DataFormat) {
    this.outputShape = [...shape];
    const [y, x] = dataFormat === 'NCHW' ? ['coords.z', 'coords.w'] : ['coords.y', 'coords.z'];
    // Plan values are small integers stored as floats; round() guards against any conversion error.
    this.userCode = `
      int planAt(int n, int column) {
        return int(round(getPlan(n, column)));
      }

      void main() {
        ivec4 coords = getOutputCoords();
        int n = coords.x;
        int y = ${y};
        int x = ${x};
        int source = n;
        if (y >= planAt(n, 1) && y < planAt(n, 3) && x >= planAt(n, 2) && x < planAt(n, 4)) {
          source = planAt(n, 0);
        }
        setOutput(getImages(source, coords.y, coords.z, coords.w));
      }
    `;
  }
}

/**
 * Packs partners and boxes into the program's `[N, 5]` plan rows: partner, y1, x1, y2, x2.
 *
 * @example
 * ```ts
 * cutmixPastePlan(Int32Array.of(1, 0), Int32Array.of(0, 0, 2, 2, 0, 0, 0, 0)); // [1,0,0,2,2, 0,0,0,0,0]
 * ```
 * @param partners one partner index per sample.
 * @param boxes `y1, x1, y2, x2` per sample.
 */
export function cutmixPastePlan(partners: Int32Array, boxes: Int32Array): Int32Array {
  const n = partners.length;
  const plan = new Int32Array(n * PLAN_COLUMNS);
  for (let s = 0; s < n; s++) {
    plan[s * PLAN_COLUMNS] = partners[s];
    plan.set(boxes.subarray(4 * s, 4 * s + 4), s * PLAN_COLUMNS + 1);
  }
  return plan;
}

/**
 * The paste on the webgl backend: uploads the plan as a small int32 input, runs
 * {@link CutmixPasteProgram}, and disposes the plan. float32 values pass through unchanged; int32 tensors
 * are floats on this backend, exact up to 2^24 as for every webgl op.
 *
 * @example
 * ```ts
 * tf.registerKernel(cutmixPasteWebGLConfig); // done lazily by ensureKernelsRegistered()
 * ```
 * @param args.inputs `{ images }`: rank 4, float32 or int32.
 * @param args.attrs {@link CutmixPasteAttrs}.
 * @param args.backend the webgl backend object (never imported at run time).
 */
export function cutmixPasteWebGL(args: {
  inputs: { images: TensorInfo };
  attrs: CutmixPasteAttrs;
  backend: MathBackendWebGL;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { images } = inputs;
  const n = images.shape[0];
  const plan = backend.makeTensorInfo([n, PLAN_COLUMNS], 'int32', cutmixPastePlan(attrs.partners, attrs.boxes));
  try {
    const program = new CutmixPasteProgram(images.shape, attrs.dataFormat);
    return backend.runWebGLProgram(program, [images, plan], images.dtype);
  } finally {
    backend.disposeIntermediateTensorInfo(plan);
  }
}

/** Kernel config of {@link cutmixPasteWebGL}; registered by `ensureKernelsRegistered`. */
export const cutmixPasteWebGLConfig: KernelConfig = {
  kernelName: CUTMIX_PASTE,
  backendName: 'webgl',
  kernelFunc: cutmixPasteWebGL as unknown as KernelFunc,
};

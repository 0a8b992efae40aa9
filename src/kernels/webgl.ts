import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { rankOf, type DataFormat } from '../layout.js';
import { BOX_INTS } from './geometry.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';

/** Columns of the per-sample plan the shader reads: partner, z1, y1, x1, z2, y2, x2. */
const PLAN_COLUMNS = 1 + BOX_INTS;

/** GLSL expressions of an output element's z, y and x for each layout (`coords` from getOutputCoords). */
const SPATIAL_COORDS: Record<DataFormat, [string, string, string]> = {
  NCW: ['0', '0', 'coords.z'],
  NWC: ['0', '0', 'coords.y'],
  NCHW: ['0', 'coords.z', 'coords.w'],
  NHWC: ['0', 'coords.y', 'coords.z'],
  NCDHW: ['coords.z', 'coords.w', 'coords.u'],
  NDHWC: ['coords.y', 'coords.z', 'coords.w'],
};

/** The coordinates after the sample index, as getImages takes them, per rank. */
const REST_COORDS = {
  3: 'coords.y, coords.z',
  4: 'coords.y, coords.z, coords.w',
  5: 'coords.y, coords.z, coords.w, coords.u',
};
const COORDS_TYPE = { 3: 'ivec3', 4: 'ivec4', 5: 'ivec5' };

/**
 * The paste as one WebGL fragment program: every output element reads the plan row of its sample and
 * takes its value from the partner inside the box, from the sample itself outside. Each element is written
 * once. The plan (partners and boxes) arrives as a small `[N, 7]` input, so the shader source depends
 * only on the rank and layout and tfjs compiles it once per batch shape, never per batch. Ranks 3 to 5
 * read their z, y and x off the layout's axes (a missing axis is 0, inside every box of that rank).
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
   * @param shape the batch shape (also the output shape), rank 3, 4 or 5.
   * @param dataFormat the batch layout, which says which output coordinates are z, y and x.
   */
  constructor(shape: readonly number[], dataFormat: DataFormat) {
    this.outputShape = [...shape];
    const rank = rankOf(dataFormat);
    const [z, y, x] = SPATIAL_COORDS[dataFormat];
    // Plan values are small integers stored as floats; round() guards against any conversion error.
    this.userCode = `
      int planAt(int n, int column) {
        return int(round(getPlan(n, column)));
      }

      void main() {
        ${COORDS_TYPE[rank]} coords = getOutputCoords();
        int n = coords.x;
        int z = ${z};
        int y = ${y};
        int x = ${x};
        int source = n;
        if (z >= planAt(n, 1) && z < planAt(n, 4) && y >= planAt(n, 2) && y < planAt(n, 5) &&
            x >= planAt(n, 3) && x < planAt(n, 6)) {
          source = planAt(n, 0);
        }
        setOutput(getImages(source, ${REST_COORDS[rank]}));
      }
    `;
  }
}

/**
 * Packs partners and 6-int boxes into the program's `[N, 7]` plan rows: partner, z1, y1, x1, z2, y2, x2.
 *
 * @example
 * ```ts
 * cutmixPastePlan(Int32Array.of(1, 0), Int32Array.of(0, 0, 0, 1, 2, 2, 0, 0, 0, 0, 0, 0));
 * // [1, 0,0,0,1,2,2,  0, 0,0,0,0,0,0]
 * ```
 * @param partners one partner index per sample.
 * @param boxes `z1, y1, x1, z2, y2, x2` per sample.
 */
export function cutmixPastePlan(partners: Int32Array, boxes: Int32Array): Int32Array {
  const n = partners.length;
  const plan = new Int32Array(n * PLAN_COLUMNS);
  for (let s = 0; s < n; s++) {
    plan[s * PLAN_COLUMNS] = partners[s];
    plan.set(boxes.subarray(BOX_INTS * s, BOX_INTS * (s + 1)), s * PLAN_COLUMNS + 1);
  }
  return plan;
}

/**
 * The paste on the webgl backend: uploads the plan as a small int32 input, runs
 * {@link CutmixPasteProgram}, and disposes the plan.
 *
 * What survives: the shader moves each texel's stored float unchanged, so float32 comes out bit for bit
 * (NaN payloads, signalling NaN, -0, subnormals, ±Inf) and bool as 0/1. int32 tensors are stored as float32
 * on this backend, rounded when they are written: an int32 of magnitude up to 2^24 is exact, a larger one
 * already holds its nearest float32 (16777217 reads back as 16777216) before any op sees it, this one
 * included. The paste itself loses nothing more.
 *
 * @example
 * ```ts
 * tf.registerKernel(cutmixPasteWebGLConfig); // done lazily by ensureKernelsRegistered()
 * ```
 * @param args.inputs `{ images }`: rank 3, 4 or 5; float32, int32 or bool.
 * @param args.attrs {@link CutmixPasteAttrs} (6-int boxes).
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

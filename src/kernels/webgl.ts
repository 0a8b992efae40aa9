import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { rankOf, type DataFormat } from '../common/layout.js';
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

/** Where the program reads partners and boxes from. */
export type PlanSource = 'uniforms' | 'texture';

/**
 * The paste as one WebGL fragment program: every output element looks up its sample's partner and box
 * and takes its value from the partner inside the box, from the sample itself outside. Each element is
 * written once. Ranks 3 to 5 read their z, y and x off the layout's axes (a missing axis is 0, inside
 * every box of that rank).
 *
 * Partners and boxes are never part of the source, so tfjs compiles the program once per batch shape,
 * never per batch. They arrive as two `ivec4` uniform arrays of N entries (`'uniforms'`: no lookup cost
 * per element, which is what a software renderer pays for), or, for batches too large for the device's
 * uniform space, as a small `[N, 7]` input texture (`'texture'`).
 *
 * @example
 * ```ts
 * const program = new CutmixPasteProgram([8, 3, 32, 32], 'NCHW', 'uniforms');
 * const out = webglBackend.runWebGLProgram(program, [images], images.dtype, uniformPlan(partners, boxes));
 * ```
 */
export class CutmixPasteProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  customUniforms?: { name: string; arrayIndex: number; type: 'ivec4' }[];

  /**
   * @param shape the batch shape (also the output shape), rank 3, 4 or 5.
   * @param dataFormat the batch layout, which says which output coordinates are z, y and x.
   * @param source where partners and boxes come from.
   */
  constructor(shape: readonly number[], dataFormat: DataFormat, source: PlanSource) {
    this.outputShape = [...shape];
    const rank = rankOf(dataFormat);
    const [z, y, x] = SPATIAL_COORDS[dataFormat];
    let lookup: string;
    if (source === 'uniforms') {
      this.variableNames = ['images'];
      // boxLow[n] = (partner, z1, y1, x1), boxHigh[n] = (z2, y2, x2, unused).
      this.customUniforms = [
        { name: 'boxLow', arrayIndex: shape[0], type: 'ivec4' },
        { name: 'boxHigh', arrayIndex: shape[0], type: 'ivec4' },
      ];
      lookup = 'ivec4 low = boxLow[n];\n        ivec4 high = boxHigh[n];';
    } else {
      this.variableNames = ['images', 'plan'];
      // Plan values are small integers stored as floats; round() guards against any conversion error.
      const at = (column: number) => `int(round(getPlan(n, ${column})))`;
      lookup = `ivec4 low = ivec4(${[0, 1, 2, 3].map(at).join(', ')});
        ivec4 high = ivec4(${[4, 5, 6].map(at).join(', ')}, 0);`;
    }
    this.userCode = `
      void main() {
        ${COORDS_TYPE[rank]} coords = getOutputCoords();
        int n = coords.x;
        ${lookup}
        ivec3 p = ivec3(${z}, ${y}, ${x});
        bool inside = all(greaterThanEqual(p, low.yzw)) && all(lessThan(p, high.xyz));
        setOutput(getImages(inside ? low.x : n, ${REST_COORDS[rank]}));
      }
    `;
  }
}

/**
 * Partners and 6-int boxes as the `'uniforms'` program's two `ivec4` arrays: `(partner, z1, y1, x1)` and
 * `(z2, y2, x2, 0)` per sample.
 *
 * @example
 * ```ts
 * uniformPlan(Int32Array.of(1, 0), Int32Array.of(0, 0, 0, 1, 2, 2, 0, 0, 0, 0, 0, 0));
 * // [[1, 0, 0, 0,  0, 0, 0, 0], [1, 2, 2, 0,  0, 0, 0, 0]]
 * ```
 */
export function uniformPlan(partners: Int32Array, boxes: Int32Array): [number[], number[]] {
  const low: number[] = [];
  const high: number[] = [];
  partners.forEach((partner, s) => {
    const box = boxes.subarray(BOX_INTS * s, BOX_INTS * (s + 1));
    low.push(partner, box[0], box[1], box[2]);
    high.push(box[3], box[4], box[5], 0);
  });
  return [low, high];
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
 * The paste on the webgl backend: runs {@link CutmixPasteProgram} with partners and boxes in uniforms,
 * or, when the batch is too large for the device's uniform space, in a small int32 input texture
 * disposed after the call.
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
  if (n > 0 && 2 * n + RESERVED_UNIFORM_VECTORS <= maxFragmentUniformVectors(backend)) {
    const program = new CutmixPasteProgram(images.shape, attrs.dataFormat, 'uniforms');
    return backend.runWebGLProgram(program, [images], images.dtype, uniformPlan(attrs.partners, attrs.boxes));
  }
  const plan = backend.makeTensorInfo([n, PLAN_COLUMNS], 'int32', cutmixPastePlan(attrs.partners, attrs.boxes));
  try {
    const program = new CutmixPasteProgram(images.shape, attrs.dataFormat, 'texture');
    return backend.runWebGLProgram(program, [images, plan], images.dtype);
  } finally {
    backend.disposeIntermediateTensorInfo(plan);
  }
}

/** Uniform vectors left to tfjs's own uniforms (shapes, NaN, …) when sizing the plan arrays. */
const RESERVED_UNIFORM_VECTORS = 32;

/** The context's fragment uniform space in vec4s (WebGL 2 guarantees 224), asked once per context. */
const uniformSpace = new WeakMap<object, number>();
function maxFragmentUniformVectors(backend: MathBackendWebGL): number {
  const gl = backend.gpgpu.gl;
  let space = uniformSpace.get(gl);
  if (space === undefined) {
    space = Number(gl.getParameter(gl.MAX_FRAGMENT_UNIFORM_VECTORS)) || 0;
    uniformSpace.set(gl, space);
  }
  return space;
}

/** Kernel config of {@link cutmixPasteWebGL}; registered by `ensureKernelsRegistered`. */
export const cutmixPasteWebGLConfig: KernelConfig = {
  kernelName: CUTMIX_PASTE,
  backendName: 'webgl',
  kernelFunc: cutmixPasteWebGL as unknown as KernelFunc,
};

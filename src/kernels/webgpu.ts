import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import {
  BLOCK_INTS,
  blockTable,
  pasteGeometry,
  PLANES,
  ROWS,
  RUN,
  runsOf,
  SLICES,
  START,
  type PasteGeometry,
} from './geometry.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';

/** Ints per sample in the plan buffer: partner, start, planes, slices, rows, run (see `blockTable`). */
export const PLAN_INTS = 6;
/** Threads per workgroup. */
export const WORKGROUP_SIZE = 64;
/**
 * Most words one thread copies: a box row longer than this (a merged full-width run) is split between
 * threads, so a full-image box still spreads over the device.
 */
export const CHUNK_WORDS = 256;

/**
 * The per-sample plan the box pass reads, and the most work units (box rows, split into chunks of at
 * most {@link CHUNK_WORDS}) any sample has, which sizes the dispatch. A sample pasting from itself, or
 * with an empty box, gets an all-zero row: the batch copy already holds its output.
 *
 * @example
 * ```ts
 * const g = pasteGeometry([2, 1, 4, 4], 'NCHW');
 * webgpuPastePlan(g, Int32Array.of(1, 0), Int32Array.of(0, 1, 1, 1, 3, 3, 0, 0, 0, 0, 0, 0));
 * // plan [1, 5, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0], maxUnits 2
 * ```
 */
export function webgpuPastePlan(
  g: PasteGeometry,
  partners: Int32Array,
  boxes: Int32Array,
): { plan: Int32Array; maxUnits: number } {
  const plan = new Int32Array(g.n * PLAN_INTS);
  let maxUnits = 0;
  const table = blockTable(g, partners, boxes);
  for (let s = 0; s < g.n; s++) {
    const at = BLOCK_INTS * s;
    const run = table[at + RUN];
    if (table[at + PLANES] === 0) continue;
    plan.set(
      [partners[s], table[at + START], table[at + PLANES], table[at + SLICES], table[at + ROWS], run],
      s * PLAN_INTS,
    );
    maxUnits = Math.max(maxUnits, runsOf(table, s) * Math.ceil(run / CHUNK_WORDS));
  }
  return { plan, maxUnits };
}

/**
 * The box pass: thread (x, y) copies chunks of box rows of sample y from its partner into the output,
 * which a buffer copy has already filled with the batch. Everything that varies per batch (partners,
 * boxes) is in the plan buffer and everything that varies per shape in uniforms, so the source is the
 * same for every rank and layout: tfjs compiles one pipeline per dtype, rank and `vec4`.
 *
 * With `vec4` (samples a multiple of 4 words, so a sample and its partner share the alignment) the
 * aligned middle of each row moves 16 bytes at a time and only its ragged ends word by word: per-access
 * cost is what dominates on a software adapter. Words are moved by plain load and store, no arithmetic:
 * float32 NaN payloads (signalling too), -0 and subnormals, and every int32, come out bit for bit. bool
 * is stored as 32-bit words on this backend too.
 */
export class CutmixPasteWebGPUProgram implements WebGPUProgram {
  variableNames = ['images', 'plan'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0], y: [1] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  uniforms = 'numSamples : i32, sampleSize : i32, planeStride : i32, sliceStride : i32, rowStride : i32,';
  outputComponent: number;
  variableComponents: number[];
  private readonly vec4: boolean;

  /**
   * @param shape the batch shape (also the output shape).
   * @param maxUnits the most row chunks any sample's box has.
   * @param maxWorkgroups the device's `maxComputeWorkgroupsPerDimension`; loops cover anything beyond.
   */
  constructor(shape: readonly number[], maxUnits: number, maxWorkgroups: number) {
    this.outputShape = [...shape];
    this.vec4 = shape.slice(1).reduce((a, b) => a * b, 1) % 4 === 0;
    this.outputComponent = this.vec4 ? 4 : 1;
    this.variableComponents = [this.outputComponent, 1];
    this.shaderKey = `cutmixPaste_${this.vec4 ? 'vec4' : 'word'}`;
    const groups = Math.ceil(maxUnits / WORKGROUP_SIZE);
    this.dispatch = [Math.min(Math.max(groups, 1), maxWorkgroups), Math.min(shape[0], maxWorkgroups), 1];
  }

  getUserCode(): string {
    // `copyWords(dstBase, srcBase, first, end)`: words [first, end) of a sample; the bases are sample offsets.
    const copyWords = this.vec4
      ? `
      fn copyWord(dstBase : i32, srcBase : i32, i : i32) {
        result[(dstBase + i) / 4][i % 4] = images[(srcBase + i) / 4][i % 4];
      }

      fn copyWords(dstBase : i32, srcBase : i32, first : i32, end : i32) {
        // Sample offsets are multiples of 4, so output and partner agree on which words are aligned.
        let bodyStart = min((first + 3) / 4 * 4, end);
        let bodyEnd = max(end / 4 * 4, bodyStart);
        for (var i = first; i < bodyStart; i = i + 1) {
          copyWord(dstBase, srcBase, i);
        }
        for (var i = bodyStart; i < bodyEnd; i = i + 4) {
          result[(dstBase + i) / 4] = images[(srcBase + i) / 4];
        }
        for (var i = bodyEnd; i < end; i = i + 1) {
          copyWord(dstBase, srcBase, i);
        }
      }`
      : `
      fn copyWords(dstBase : i32, srcBase : i32, first : i32, end : i32) {
        for (var i = first; i < end; i = i + 1) {
          result[dstBase + i] = images[srcBase + i];
        }
      }`;
    return `
      ${copyWords}

      fn main() {
        let threads = i32(numWorkgroups.x) * ${WORKGROUP_SIZE};
        for (var s = i32(globalId.y); s < uniforms.numSamples; s = s + i32(numWorkgroups.y)) {
          let p = s * ${PLAN_INTS};
          let slices = plan[p + 3];
          let rows = plan[p + 4];
          let run = plan[p + 5];
          let chunks = (run + ${CHUNK_WORDS - 1}) / ${CHUNK_WORDS};
          let units = plan[p + 2] * slices * rows * chunks;
          for (var unit = i32(globalId.x); unit < units; unit = unit + threads) {
            let line = unit / chunks;
            let rest = line / rows;
            let rowStart = plan[p + 1] + (rest / slices) * uniforms.planeStride +
                (rest % slices) * uniforms.sliceStride + (line % rows) * uniforms.rowStride;
            let first = rowStart + (unit - line * chunks) * ${CHUNK_WORDS};
            let end = min(first + ${CHUNK_WORDS}, rowStart + run);
            copyWords(s * uniforms.sampleSize, plan[p] * uniforms.sampleSize, first, end);
          }
        }
      }
    `;
  }
}

/** The GPU buffer behind a tensor on this backend, uploading it first if it still lives on the CPU. */
function bufferOf(backend: WebGPUBackend, info: TensorInfo): GPUBuffer {
  backend.uploadToGPU(info.dataId);
  return backend.tensorMap.get(info.dataId).resource as GPUBuffer;
}

/**
 * Copies `bytes` from `images`' buffer to `output`'s with the device's buffer copy, after everything tfjs
 * has recorded so far (which may be what produces `images`): tfjs keeps its command encoder to itself, so
 * its recorded work is submitted first and the copy in a command buffer of its own, queue order doing the rest.
 */
function copyBatch(backend: WebGPUBackend, images: TensorInfo, output: TensorInfo, bytes: number): void {
  const from = bufferOf(backend, images);
  const to = bufferOf(backend, output);
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  const encoder = backend.device.createCommandEncoder();
  encoder.copyBufferToBuffer(from, 0, to, 0, bytes);
  backend.queue.submit([encoder.finish()]);
}

/**
 * The paste on the webgpu backend: the device copies the whole batch buffer to the output (no shader
 * work per element), then {@link CutmixPasteWebGPUProgram} overwrites each box with its partner's words.
 * Only the box words cost shader work, which is what costs on a software adapter. The plan is a small
 * int32 buffer disposed after the call.
 *
 * @example
 * ```ts
 * tf.registerKernel(cutmixPasteWebGPUConfig); // done lazily by ensureKernelsRegistered()
 * ```
 * @param args.inputs `{ images }`: rank 3, 4 or 5; float32, int32 or bool.
 * @param args.attrs {@link CutmixPasteAttrs} (6-int boxes).
 * @param args.backend the webgpu backend object (never imported at run time).
 */
export function cutmixPasteWebGPU(args: {
  inputs: { images: TensorInfo };
  attrs: CutmixPasteAttrs;
  backend: WebGPUBackend;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { images } = inputs;
  const g = pasteGeometry(images.shape, attrs.dataFormat);
  const { plan, maxUnits } = webgpuPastePlan(g, attrs.partners, attrs.boxes);
  const program = new CutmixPasteWebGPUProgram(
    images.shape,
    maxUnits,
    backend.device.limits.maxComputeWorkgroupsPerDimension,
  );
  const output = backend.makeTensorInfo(images.shape, images.dtype);
  // An empty batch: tfjs gives the output its (empty) values without compiling anything.
  if (g.n * g.sampleSize === 0) return backend.runWebGPUProgram(program, [], images.dtype, undefined, output);
  const planInfo = backend.makeTensorInfo([plan.length], 'int32', plan);
  try {
    copyBatch(backend, images, output, 4 * g.n * g.sampleSize);
    const unit = g.channelsLast ? g.c : 1;
    const uniforms = [g.n, g.sampleSize, g.d * g.h * g.w, g.h * g.w * unit, g.w * unit].map((v) => ({
      type: 'int32',
      data: [v],
    }));
    return backend.runWebGPUProgram(program, [images, planInfo], images.dtype, uniforms, output);
  } catch (error) {
    backend.disposeData(output.dataId);
    throw error;
  } finally {
    // Deferred by tfjs until the pass that reads it has been submitted.
    backend.disposeData(planInfo.dataId);
  }
}

/** Kernel config of {@link cutmixPasteWebGPU}; registered by `ensureKernelsRegistered`. */
export const cutmixPasteWebGPUConfig: KernelConfig = {
  kernelName: CUTMIX_PASTE,
  backendName: 'webgpu',
  kernelFunc: cutmixPasteWebGPU as unknown as KernelFunc,
};

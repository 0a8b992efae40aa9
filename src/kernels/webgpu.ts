import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { boxBlock, pasteGeometry, type PasteGeometry } from './geometry.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from './names.js';

/** Ints per sample in the plan buffer: partner, start, planes, slices, rows, run (see `BoxBlock`). */
export const PLAN_INTS = 6;
/** Threads per workgroup. */
export const WORKGROUP_SIZE = 64;
/**
 * Consecutive box words each thread copies. On the software adapter the cost is per invocation, not per
 * word, so a few words a thread pay for its index arithmetic; on a real GPU neighbouring threads still
 * touch neighbouring words.
 */
export const WORDS_PER_THREAD = 4;

/**
 * The per-sample plan the box pass reads, and the largest number of words any box holds (which sizes the
 * dispatch). A sample pasting from itself, or with an empty box, gets an all-zero row: the batch copy
 * already holds its output.
 *
 * @example
 * ```ts
 * const g = pasteGeometry([2, 1, 4, 4], 'NCHW');
 * webgpuPastePlan(g, Int32Array.of(1, 0), Int32Array.of(0, 1, 1, 1, 3, 3, 0, 0, 0, 0, 0, 0));
 * // plan [1, 5, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0], maxWords 4
 * ```
 */
export function webgpuPastePlan(
  g: PasteGeometry,
  partners: Int32Array,
  boxes: Int32Array,
): { plan: Int32Array; maxWords: number } {
  const plan = new Int32Array(g.n * PLAN_INTS);
  let maxWords = 0;
  for (let s = 0; s < g.n; s++) {
    const block = partners[s] === s ? undefined : boxBlock(g, boxes, s);
    if (block === undefined) continue;
    const { start, planes, slices, rows, run } = block;
    plan.set([partners[s], start, planes, slices, rows, run], s * PLAN_INTS);
    maxWords = Math.max(maxWords, planes * slices * rows * run);
  }
  return { plan, maxWords };
}

/**
 * The box pass: thread (x, y) copies words of sample y's box from its partner into the output, which a
 * buffer copy has already filled with the batch. Everything that varies per batch (partners, boxes) is in
 * the plan buffer and everything that varies per shape in uniforms, so the source is the same for every
 * rank and layout: tfjs compiles one pipeline per dtype and rank.
 *
 * Words are moved by plain load and store, no arithmetic: float32 NaN payloads (signalling too), -0 and
 * subnormals, and every int32, come out bit for bit. bool is stored as 32-bit words on this backend too.
 */
export class CutmixPasteWebGPUProgram implements WebGPUProgram {
  variableNames = ['images', 'plan'];
  outputShape: number[];
  shaderKey = `cutmixPaste_${WORDS_PER_THREAD}`;
  dispatchLayout = { x: [0], y: [1] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  uniforms = 'numSamples : i32, sampleSize : i32, planeStride : i32, sliceStride : i32, rowStride : i32,';

  /**
   * @param shape the batch shape (also the output shape).
   * @param maxWords the most words any sample's box holds.
   * @param maxWorkgroups the device's `maxComputeWorkgroupsPerDimension`; loops cover anything beyond.
   */
  constructor(shape: readonly number[], maxWords: number, maxWorkgroups: number) {
    this.outputShape = [...shape];
    const groups = Math.ceil(maxWords / (WORKGROUP_SIZE * WORDS_PER_THREAD));
    this.dispatch = [Math.min(Math.max(groups, 1), maxWorkgroups), Math.min(shape[0], maxWorkgroups), 1];
  }

  getUserCode(): string {
    return `
      fn boxOffset(start : i32, line : i32, slices : i32, rows : i32) -> i32 {
        let rest = line / rows;
        return start + (rest / slices) * uniforms.planeStride + (rest % slices) * uniforms.sliceStride +
            (line % rows) * uniforms.rowStride;
      }

      fn main() {
        let stride = i32(numWorkgroups.x) * ${WORKGROUP_SIZE * WORDS_PER_THREAD};
        for (var s = i32(globalId.y); s < uniforms.numSamples; s = s + i32(numWorkgroups.y)) {
          let p = s * ${PLAN_INTS};
          let slices = plan[p + 3];
          let rows = plan[p + 4];
          let run = plan[p + 5];
          let words = plan[p + 2] * slices * rows * run;
          let fromBase = plan[p] * uniforms.sampleSize;
          let toBase = s * uniforms.sampleSize;
          for (var first = i32(globalId.x) * ${WORDS_PER_THREAD}; first < words; first = first + stride) {
            var line = first / run;
            var col = first - line * run;
            var at = boxOffset(plan[p + 1], line, slices, rows) + col;
            let last = min(first + ${WORDS_PER_THREAD}, words);
            for (var k = first; k < last; k = k + 1) {
              result[toBase + at] = images[fromBase + at];
              col = col + 1;
              at = at + 1;
              if (col == run) {
                col = 0;
                line = line + 1;
                at = boxOffset(plan[p + 1], line, slices, rows);
              }
            }
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
  const { plan, maxWords } = webgpuPastePlan(g, attrs.partners, attrs.boxes);
  const program = new CutmixPasteWebGPUProgram(
    images.shape,
    maxWords,
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

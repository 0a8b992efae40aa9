/**
 * The probe page's script (bundled by the browser runner, served at `/probe/`): the kernel cases of every
 * rank, layout and dtype through `tf.engine().runKernel`, every public op and its gradient on ranks 3–5,
 * int32 storage on webgl, the no-sync training run and the speed measurements (the paste, and CutMix's share
 * of a training step), each exposed on `window.__probe` for test/browser/probe_checks.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { bytesToBase64 } from '../../docs/demo/cases.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from '../../src/kernels/names.js';
import { ensureKernelsRegistered } from '../../src/kernels/register.js';
import { makeKernelCase, SPECIAL_INTS, type KernelCase } from './kernel_cases.js';
import { runOpCase, type OpCase, type OpResult } from './op_cases.js';
import { benchPaste, type BenchOptions, type BenchResult } from './probe_bench.js';
import { benchStepShare, STEP_NETS, type StepShareRow } from '../../bench/step_share.js';
import { trainWithoutSync, type TrainOptions, type TrainResult } from './probe_train.js';

export interface KernelResult {
  name: string;
  /** Whether the backend had a registered `CutmixPaste` kernel (the probe runs nothing else). */
  kernel: boolean;
  bytesBase64: string;
  leaked: number;
  error?: string;
}

export interface Int32Storage {
  input: number[];
  /** What the backend holds for an upload of the batch `[input, reversed input]` (read back). */
  stored: number[];
  /** The paste of that batch: sample 0 takes x in [0, 4) from sample 1, sample 1 pastes from itself. */
  pasted: number[];
}

export interface Probe {
  /** Switches the backend; false when it cannot initialise here. */
  useBackend(name: string): Promise<boolean>;
  /** The WebGPU adapter's description, or why there is none. */
  adapter(): Promise<{ ok: boolean; info: string }>;
  runKernelCases(cases: KernelCase[]): Promise<KernelResult[]>;
  /** The public ops and their gradients (test/browser/op_cases.ts) on the current backend. */
  runOpCases(cases: OpCase[]): Promise<OpResult[]>;
  /** webgl: the context's MAX_FRAGMENT_UNIFORM_VECTORS (which decides where the kernel keeps its plan). */
  uniformVectors(): Promise<number>;
  int32Storage(): Promise<Int32Storage>;
  train(options: TrainOptions): Promise<TrainResult>;
  bench(options: BenchOptions): Promise<BenchResult>;
  /** CutMix's share of a training step for `STEP_NETS[net]` (bench/step_share.ts). */
  stepShare(options: { net: number; rounds: number }): Promise<StepShareRow>;
}

export interface ProbeWindow {
  __probe?: Probe;
}

function runPaste(images: tf.Tensor, attrs: CutmixPasteAttrs): tf.Tensor {
  return tf.engine().runKernel(CUTMIX_PASTE, { images }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

async function runKernelCase(c: KernelCase): Promise<KernelResult> {
  const { values, partners, boxes } = makeKernelCase(c);
  const before = tf.memory().numTensors;
  const kernel = tf.getKernel(CUTMIX_PASTE, tf.getBackend()) !== undefined;
  const images = tf.tensor(values, c.shape, c.dtype);
  try {
    const out = runPaste(images, { partners, boxes, dataFormat: c.dataFormat });
    const data = (await out.data()) as Float32Array | Int32Array | Uint8Array;
    out.dispose();
    images.dispose();
    return { name: c.name, kernel, bytesBase64: bytesToBase64(data), leaked: tf.memory().numTensors - before };
  } catch (error) {
    images.dispose();
    const message = error instanceof Error ? error.message : String(error);
    return { name: c.name, kernel, bytesBase64: '', leaked: tf.memory().numTensors - before, error: message };
  }
}

const probe: Probe = {
  async useBackend(name) {
    ensureKernelsRegistered();
    if (tf.getBackend() === name) return true;
    const ok = await tf.setBackend(name).catch(() => false);
    if (ok) await tf.ready();
    return ok;
  },

  async adapter() {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) return { ok: false, info: 'navigator.gpu is missing (WebGPU disabled in this browser)' };
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false, info: 'navigator.gpu.requestAdapter() returned null (no adapter)' };
    const info = (adapter as unknown as { info?: { vendor: string; architecture: string; description: string } }).info;
    return { ok: true, info: info ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : 'adapter' };
  },

  async runKernelCases(cases) {
    const results: KernelResult[] = [];
    for (const c of cases) results.push(await runKernelCase(c));
    return results;
  },

  async runOpCases(cases) {
    const results: OpResult[] = [];
    for (const c of cases) results.push(await runOpCase(c));
    return results;
  },

  async uniformVectors() {
    const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
    return Number(gl.getParameter(gl.MAX_FRAGMENT_UNIFORM_VECTORS));
  },

  async int32Storage() {
    const input = [...SPECIAL_INTS, 2 ** 24, -(2 ** 24), 7, -7, 0];
    const n = input.length;
    // Both samples uploaded as given: no stock op (which may compute in float32) touches them.
    const batch = tf.tensor4d(Int32Array.from([...input, ...[...input].reverse()]), [2, 1, 1, n], 'int32');
    const attrs: CutmixPasteAttrs = {
      partners: Int32Array.of(1, 1),
      boxes: Int32Array.of(0, 0, 0, 1, 1, 4, 0, 0, 0, 0, 0, 0),
      dataFormat: 'NCHW',
    };
    const out = runPaste(batch, attrs);
    // Read only now: until an op uploads it, a backend still holds the batch as the JavaScript array.
    const stored = Array.from(await batch.data());
    const pasted = Array.from(await out.data());
    tf.dispose([batch, out]);
    return { input, stored, pasted };
  },

  train: trainWithoutSync,
  bench: benchPaste,
  stepShare: ({ net, rounds }) => benchStepShare(STEP_NETS[net], rounds),
};

(window as unknown as ProbeWindow).__probe = probe;

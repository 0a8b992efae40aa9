import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * A wasm kernel that tfjs ships but that a release gets wrong (tfjs-backend-wasm 4.22's `MaxPoolGrad`):
 * tfjs's kernel keeps running unless it fails a probe, a tiny input that shows the defect, on the backend
 * instance it runs on. It is probed once per instance, at its first call (or at `registerWasmGradients()`
 * while wasm is the active backend); the verdict then holds for every later call, so a training step pays
 * one lookup. A tfjs that fixes the kernel passes the probe, and its kernel is what runs.
 */

/** A kernel call with known inputs and the one right answer. */
export interface Probe {
  inputs: Record<string, { values: readonly number[]; shape: readonly number[] }>;
  attrs: NamedAttrMap;
  want: { values: readonly number[]; shape: readonly number[] };
}

/** A kernel of tfjs's that this package replaces when it fails `probe`. */
export interface CheckedKernel {
  /** This package's kernel, registered as it is where tfjs has none. */
  config: KernelConfig;
  probe: Probe;
}

interface Checked {
  /** The kernel that was registered before this package's check went in front of it. */
  original: KernelConfig;
  kernel: CheckedKernel;
  /** Per backend instance: whether `original` passed the probe there. */
  verdicts: WeakMap<KernelBackend, boolean>;
}

/** The configs this package registered in front of tfjs's kernels, and what each one checks. */
const checks = new WeakMap<KernelConfig, Checked>();

/**
 * Runs `kernelFunc` on the probe; true only for exactly the right values and shape. Everything the probe
 * made or got back is freed, whatever happens.
 */
export function passesProbe(kernelFunc: KernelConfig['kernelFunc'], probe: Probe, backend: BackendWasm): boolean {
  const made: DataId[] = [];
  try {
    const inputs: Record<string, TensorInfo> = {};
    for (const [name, { values, shape }] of Object.entries(probe.inputs)) {
      const dataId = backend.write(Float32Array.from(values), [...shape], 'float32');
      made.push(dataId);
      inputs[name] = { dataId, shape: [...shape], dtype: 'float32' };
    }
    const result = kernelFunc({ inputs, attrs: probe.attrs, backend });
    const outputs = Array.isArray(result) ? result : [result];
    made.push(...outputs.map((t) => t.dataId));
    if (outputs.length !== 1 || outputs[0].shape.join() !== probe.want.shape.join()) return false;
    const got = backend.readSync(outputs[0].dataId) as Float32Array;
    return got.length === probe.want.values.length && probe.want.values.every((v, i) => Object.is(got[i], v));
  } finally {
    for (const dataId of new Set(made)) backend.disposeData(dataId, true);
  }
}

/** Whether `check.original` runs on `backend`: probed on the first ask for each instance. */
function trusts(check: Checked, backend: KernelBackend): boolean {
  let verdict = check.verdicts.get(backend);
  if (verdict === undefined) {
    try {
      verdict = passesProbe(check.original.kernelFunc, check.kernel.probe, backend as BackendWasm);
    } catch {
      verdict = false; // a kernel that throws on a small valid input is not one to keep
    }
    check.verdicts.set(backend, verdict);
  }
  return verdict;
}

/** The wasm backend if it is ready, without initialising it (`tf.findBackend` would). */
const readyWasm = (): KernelBackend | undefined => tf.engine().registry.wasm;

/**
 * Puts the check in front of the registered kernel of `kernel`'s name, unless it is there already or the
 * kernel is this package's. With none registered, registers this package's kernel if the wasm backend is
 * ready (tfjs lacks it), and otherwise waits: the backend may not be imported yet, and its import would
 * replace ours. Only changes tfjs's kernel registry; probes nothing (it also runs inside `tf.setBackend`,
 * before the kernels are set up).
 */
export function installCheck(kernel: CheckedKernel): void {
  const { kernelName, backendName } = kernel.config;
  const current = tf.getKernel(kernelName, backendName);
  if (current === kernel.config || (current !== undefined && checks.has(current))) return;
  if (current === undefined) {
    if (readyWasm() !== undefined) tf.registerKernel(kernel.config);
    return;
  }
  const check: Checked = { original: current, kernel, verdicts: new WeakMap() };
  const ours = kernel.config.kernelFunc;
  const config: KernelConfig = {
    kernelName,
    backendName,
    kernelFunc: (args) => (trusts(check, args.backend as KernelBackend) ? check.original.kernelFunc(args) : ours(args)),
    // tfjs's kernel still needs its setup (the wasm ones bind their C function there) at every setBackend.
    ...(current.setupFunc && { setupFunc: current.setupFunc }),
    ...(current.disposeFunc && { disposeFunc: current.disposeFunc }),
  };
  checks.set(config, check);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(config);
}

/** The kernel a check registered by this package stands in front of (for benchmarks and tests). */
export function checkedOriginal(config: KernelConfig | undefined): KernelConfig | undefined {
  return config === undefined ? undefined : checks.get(config)?.original;
}

/**
 * Whether this package's kernel is the one that runs under `kernel`'s name: registered as it is, or found
 * wrong in front of tfjs's on the wasm backend (probed now if wasm is the active backend and has not run
 * it yet; false while there is no verdict).
 */
export function replacesTfjs(kernel: CheckedKernel): boolean {
  const current = tf.getKernel(kernel.config.kernelName, kernel.config.backendName);
  if (current === kernel.config) return true;
  const check = current === undefined ? undefined : checks.get(current);
  const backend = readyWasm();
  if (check === undefined || backend === undefined) return false;
  if (!check.verdicts.has(backend) && tf.engine().backendName !== 'wasm') return false;
  return !trusts(check, backend);
}

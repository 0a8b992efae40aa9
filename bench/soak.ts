/**
 * Soak: many `CutMix.mix` + `loss` training steps (32×3×32×32, both modes) on cpu and wasm, checking that
 * nothing accumulates: tensors, wasm heap bytes after warm-up, JS heap. `npm run soak` runs 10 000 steps
 * per backend and mode; test/hardening/soak.test.ts runs 500.
 */
import '@tensorflow/tfjs-layers'; // gradients for optimizer.minimize
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import v8 from 'node:v8';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { numberFlag, parseCli, runCli } from '../scripts/cli.js';
import { CutMix, seededRng, type MixMode } from '../src/index.js';

export interface SoakFigures {
  backend: 'cpu' | 'wasm';
  mode: MixMode;
  steps: number;
  warmup: number;
  ms: number;
  /** numTensors before the first step and the largest/smallest seen after any step. */
  tensorsBefore: number;
  tensorsMax: number;
  tensorsMin: number;
  /** wasm memory size after warm-up and at the end (0 on cpu). */
  wasmHeapAfterWarmup: number;
  wasmHeapEnd: number;
  /** JS heap used after a full GC, after warm-up and at the end. */
  jsHeapAfterWarmup: number;
  jsHeapEnd: number;
  jsHeapGrowth: number;
  finalLoss: number;
  /** Tensors left after the run's own clean-up (0 when nothing leaked). */
  tensorsLeft: number;
}

// A full GC without --expose-gc on the command line, so the same code runs under tsx and vitest.
v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;

function settledHeapUsed(): number {
  // Several passes: one GC can leave garbage that the next frees (weak maps, finalizers).
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

function wasmHeapBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return backend.wasm ? backend.wasm.HEAPU8.buffer.byteLength : 0;
}

/** Runs `steps` training steps of a linear classifier on generated data, mixing every batch with CutMix. */
export async function runSoak(
  backend: 'cpu' | 'wasm',
  mode: MixMode,
  steps: number,
  onProgress?: (step: number) => void,
): Promise<SoakFigures> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  await tf.ready();
  const tensorsAtStart = tf.memory().numTensors;
  const [n, c, h, w, k] = [32, 3, 32, 32, 10];
  const rng = seededRng(7);
  const xs = tf.tensor4d(
    Float32Array.from({ length: n * c * h * w }, () => rng()),
    [n, c, h, w],
  );
  const ys = tf.tensor1d(
    Int32Array.from({ length: n }, () => Math.floor(rng() * k)),
    'int32',
  );
  const init = tf.zeros([c * h * w, k]);
  const weights = tf.variable(init);
  init.dispose();
  const optimizer = tf.train.sgd(0.01);
  const cutmix = new CutMix({ seed: 1, mode });
  const warmup = Math.min(200, Math.floor(steps / 5));

  const step = () => {
    const loss = optimizer.minimize(() => {
      const { images } = cutmix.mix(xs, ys);
      const logits = tf.matMul(tf.reshape(images, [n, -1]), weights) as tf.Tensor2D;
      return cutmix.loss(logits);
    }, true) as tf.Scalar;
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  };

  // The optimizer's slots and the adapter's kept labels exist from the first step on: count after it.
  let finalLoss = step();
  const tensorsBefore = tf.memory().numTensors;
  let tensorsMax = tensorsBefore;
  let tensorsMin = tensorsBefore;
  let wasmHeapAfterWarmup = 0;
  let jsHeapAfterWarmup = 0;
  const start = performance.now();
  for (let i = 1; i < steps; i++) {
    finalLoss = step();
    const t = tf.memory().numTensors;
    tensorsMax = Math.max(tensorsMax, t);
    tensorsMin = Math.min(tensorsMin, t);
    if (i === warmup) {
      wasmHeapAfterWarmup = wasmHeapBytes();
      jsHeapAfterWarmup = settledHeapUsed();
    }
    if (onProgress && i % 500 === 0) onProgress(i);
  }
  const ms = performance.now() - start;
  const wasmHeapEnd = wasmHeapBytes();
  const jsHeapEnd = settledHeapUsed();
  cutmix.dispose();
  optimizer.dispose();
  tf.dispose([xs, ys, weights]);
  const tensorsLeft = tf.memory().numTensors - tensorsAtStart;
  return {
    tensorsLeft,
    backend,
    mode,
    steps,
    warmup,
    ms,
    tensorsBefore,
    tensorsMax,
    tensorsMin,
    wasmHeapAfterWarmup,
    wasmHeapEnd,
    jsHeapAfterWarmup,
    jsHeapEnd,
    jsHeapGrowth: (jsHeapEnd - jsHeapAfterWarmup) / jsHeapAfterWarmup,
    finalLoss,
  };
}

/** The soak's pass criteria; an empty list means it passed. */
export function soakProblems(f: SoakFigures): string[] {
  const problems: string[] = [];
  if (f.tensorsMax !== f.tensorsBefore || f.tensorsMin !== f.tensorsBefore) {
    problems.push(`numTensors moved: ${f.tensorsBefore} at start, ${f.tensorsMin}–${f.tensorsMax} during the run`);
  }
  if (f.wasmHeapEnd !== f.wasmHeapAfterWarmup) {
    problems.push(`wasm heap grew after warm-up: ${f.wasmHeapAfterWarmup} → ${f.wasmHeapEnd} bytes`);
  }
  if (!(f.jsHeapGrowth < 0.05)) problems.push(`JS heap grew ${(100 * f.jsHeapGrowth).toFixed(2)} % (limit 5 %)`);
  if (f.tensorsLeft !== 0) problems.push(`${f.tensorsLeft} tensors left after clean-up`);
  if (!Number.isFinite(f.finalLoss)) problems.push(`final loss is ${f.finalLoss}`);
  return problems;
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(2);
}

async function main(): Promise<void> {
  const args = parseCli(process.argv.slice(2), {
    command: 'soak',
    usage: 'npm run soak [-- --steps N]',
    options: { steps: { type: 'string', value: 'N', help: 'steps per backend and mode (default 10 000, at least 2)' } },
  });
  const steps = numberFlag('steps', args.steps, (n) => Number.isInteger(n) && n >= 2, 'an integer ≥ 2') ?? 10_000;
  let failed = 0;
  const rows: string[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const mode of ['batch', 'elem'] as const) {
      const f = await runSoak(backend, mode, steps, (i) =>
        process.stderr.write(`\r${backend} ${mode}: step ${i}/${steps}   `),
      );
      process.stderr.write('\r' + ' '.repeat(40) + '\r');
      const problems = soakProblems(f);
      failed += problems.length > 0 ? 1 : 0;
      rows.push(
        `| ${backend} | ${mode} | ${f.steps} | ${(f.ms / (f.steps - 1)).toFixed(2)} | ${f.tensorsBefore} → ${f.tensorsMin}–${f.tensorsMax} | ` +
          `${backend === 'wasm' ? `${mb(f.wasmHeapAfterWarmup)} → ${mb(f.wasmHeapEnd)}` : 'n/a'} | ` +
          `${mb(f.jsHeapAfterWarmup)} → ${mb(f.jsHeapEnd)} (${(100 * f.jsHeapGrowth).toFixed(2)} %) | ${problems.length ? 'FAIL: ' + problems.join('; ') : 'ok'} |`,
      );
    }
  }
  console.log(
    `soak: ${steps} CutMix.mix + loss steps per row, 32×3×32×32, node ${process.version}, tfjs ${tf.version_core}`,
  );
  console.log(
    '| backend | mode | steps | ms/step | numTensors (start → min–max) | wasm heap MiB (after warm-up → end) | JS heap MiB after GC (after warm-up → end) | result |',
  );
  console.log('|---|---|---:|---:|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(`soak: ${4 - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runCli('soak', main);

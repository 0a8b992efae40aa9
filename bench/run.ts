/**
 * `npm run bench [-- --quick] [--write] [--step-share] [--clock wall|cpu]`: times CutMix's share of a real
 * training step (bench/step_share.ts), then the CutMix calls on the cpu and wasm backends, pair by pair against
 * their floors, for five batch shapes (issue 20's targets and the results tables), and training a convolution on
 * wasm with `tfjs-cutmix/wasm-grad` against cpu (bench/wasm_grad.ts). The committed results
 * (bench/results/latest.json, step_share.json and the results section of docs/benchmarks.md) change only with
 * `--write` on a full run; otherwise they go to
 * .tmp/bench/ (ignored by git). Progress goes to stderr; the full run takes a few minutes on 2 cores,
 * `--quick` about 30 s.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import * as prettier from 'prettier';
import { fileURLToPath } from 'node:url';
import { exitUsage, parseCli } from '../scripts/cli.js';
import { benchGradient, benchSampling, type GradientResult } from './gradient.js';
import { useClock, type Clock } from './harness.js';
import {
  evaluateTargets,
  renderMarkdown,
  spliceResults,
  targetSummary,
  type BenchReport,
  type Machine,
} from './report.js';
import { benchShape, type BackendName, type BenchBatch, type Budget, type ShapeResult } from './suite.js';
import { benchStepShare, formatStepShare, STEP_NETS, type StepShareRow } from './step_share.js';
import { benchWasmGrad, renderWasmGrad } from './wasm_grad.js';

const args = parseCli(process.argv.slice(2), {
  command: 'bench',
  usage: 'npm run bench [-- --quick] [--write] [--step-share] [--clock wall|cpu]',
  options: {
    quick: { type: 'boolean', help: 'a CI-sized run (fewer rounds); results go to .tmp/bench/' },
    write: { type: 'boolean', help: 'a full run that updates bench/results/latest.json and docs/benchmarks.md' },
    'step-share': { type: 'boolean', help: "only CutMix's share of a training step (no kernel rows; .tmp/bench/)" },
    clock: {
      type: 'string',
      value: 'wall|cpu',
      help: "time with the wall clock (default) or the process's CPU time (steadier on a busy machine)",
    },
  },
});
const quick = args.quick ?? false;
if (quick && args.write) exitUsage('bench', '--write takes a full run: quick figures are not committed');
const clock = (args.clock ?? 'wall') as Clock;
if (clock !== 'wall' && clock !== 'cpu') exitUsage('bench', `--clock must be wall or cpu, but got ${clock}`);
if (clock === 'cpu' && args.write) exitUsage('bench', '--write takes wall-clock figures: drop --clock cpu');
useClock(clock);
if (args['step-share'] && args.write) exitUsage('bench', '--write takes a full run, not --step-share alone');
const root = fileURLToPath(new URL('..', import.meta.url));

const SHAPES: BenchBatch[] = [
  { shape: [128, 1, 28, 28], dataFormat: 'NCHW' }, // MNIST-like, 0.4 MB
  { shape: [256, 3, 32, 32], dataFormat: 'NCHW' }, // CIFAR-like, 3.1 MB
  { shape: [64, 3, 224, 224], dataFormat: 'NCHW' }, // ImageNet-size batch of 64, 38.5 MB
  { shape: [256, 1, 16000], dataFormat: 'NCW' }, // one second of 16 kHz audio per sample, 16.4 MB
  { shape: [8, 1, 64, 128, 128], dataFormat: 'NCDHW' }, // volumes, 33.6 MB
];
/** Batch sizes of the gradient rows (N×1×28×28). */
const GRADIENT_SIZES = [256, 1024, 2048];

/** Pairs per shape: many for the sub-millisecond shapes, fewer for the large batches and the composite. */
function budgetFor(backend: BackendName, batch: BenchBatch): Budget {
  const big = batch.shape.reduce((a, b) => a * b, 1) * 4 > 8 * 2 ** 20;
  if (big) {
    return {
      warmup: quick ? 2 : 3,
      pairs: quick ? 11 : backend === 'wasm' ? 61 : 41,
      compositeWarmup: 1,
      compositeIterations: quick ? 2 : 5,
    };
  }
  return {
    warmup: quick ? 10 : 30,
    pairs: quick ? 61 : 301,
    compositeWarmup: quick ? 1 : 3,
    compositeIterations: quick ? 5 : 21,
  };
}

function machine(start: number[]): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: keep os.cpus()'s model.
  }
  return {
    cpu,
    cores: cpus().length,
    node: process.version,
    tfjs: tf.version_core,
    platform: `${process.platform} ${process.arch}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: { start, end: loadavg() },
  };
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/**
 * Timed rounds (full run, --quick) and untimed warm-up rounds per step-share row, in STEP_NETS order: a wasm
 * MNIST step takes about 10 ms, a cpu 64×64 one about 5 s. Six rounds is the fewest that give the median a
 * 95 % interval; quick runs print no verdict for the cpu rows.
 */
const STEP_BUDGET: Record<'wasm' | 'cpu', { rounds: number; quickRounds: number; warmup: number }[]> = {
  wasm: [
    { rounds: 101, quickRounds: 21, warmup: 3 },
    { rounds: 31, quickRounds: 5, warmup: 2 },
  ],
  cpu: [
    { rounds: 21, quickRounds: 3, warmup: 1 },
    { rounds: 6, quickRounds: 1, warmup: 1 },
  ],
};

/** CutMix's share of a training step on wasm and cpu, printed as a table and written to `outDir`. */
async function stepShare(outDir: string, loadAtStart: number[]): Promise<StepShareRow[]> {
  const rows: StepShareRow[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
    await tf.ready();
    for (const [i, net] of STEP_NETS.entries()) {
      const budget = STEP_BUDGET[backend][i];
      const rounds = quick ? budget.quickRounds : budget.rounds;
      progress(`${backend}: step share, ${net.name}, ${rounds} rounds`);
      rows.push(await benchStepShare(net, rounds, budget.warmup));
    }
  }
  mkdirSync(outDir, { recursive: true });
  const load = { start: loadAtStart, end: loadavg() };
  writeFileSync(
    `${outDir}/step_share.json`,
    `${JSON.stringify({ date: new Date().toISOString().slice(0, 10), quick, load, rows }, null, 2)}\n`,
  );
  process.stdout.write(
    `CutMix's share of a training step (median of rounds; load average ${load.start.map((v) => v.toFixed(2)).join(' ')} → ` +
      `${load.end.map((v) => v.toFixed(2)).join(' ')}):\n\n${formatStepShare(rows)}\n\n`,
  );
  return rows;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg();
  await stepShare(args.write ? `${root}bench/results` : `${root}.tmp/bench`, loadAtStart);
  if (args['step-share']) return;
  const results: ShapeResult[] = [];
  const gradients: GradientResult[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
    await tf.ready();
    for (const batch of SHAPES) results.push(await benchShape(backend, batch, budgetFor(backend, batch), progress));
    progress(`${backend}: gradient at N = ${GRADIENT_SIZES.join(', ')}`);
    gradients.push(...benchGradient(backend, GRADIENT_SIZES, quick ? 7 : 31, quick ? 2 : 5));
  }
  progress('sampling: elem-mode plans at N = 256');
  const sampling = benchSampling(256, quick ? 51 : 301);
  const wasmGrad = await benchWasmGrad(quick, progress);

  const report: BenchReport = {
    date: new Date().toISOString().slice(0, 10),
    quick,
    clock,
    durationSeconds: (performance.now() - started) / 1000,
    machine: machine(loadAtStart),
    notes: [
      'float32 batches in the layout shown; partners and boxes are the ones cutmixBatch draws for seeds 1000, 1001, … ' +
        '(default options: α = 1, permutation partners, centre-and-clip boxes), so the kernel rows and the ' +
        'cutmixBatch rows paste the same boxes.',
      'Floors: the bulk copy (wasm: `_malloc` + `HEAPU8.copyWithin` + `_free` of the batch in the heap; cpu: ' +
        '`new Float32Array(src)`), one `tf.clone` of the batch (one tfjs op with its copy; the floor of the ' +
        'small wasm batches), the copy-only kernel (the bulk copy through `runKernel`) and, on wasm, the ' +
        "row-piece copy (the batch written in the one pass's pieces, nothing pasted).",
      'Outputs are disposed outside the timed region; garbage is collected when V8 decides.',
    ],
    results,
    gradients,
    sampling,
    targets: evaluateTargets(results),
  };

  // Only a full run asked to --write touches the committed results; every other run writes a scratch copy.
  const commit = args.write ?? false;
  const outDir = commit ? `${root}bench/results` : `${root}.tmp/bench`;
  const page = commit ? `${root}docs/benchmarks.md` : `${outDir}/benchmarks.md`;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}/latest.json`, `${JSON.stringify({ ...report, wasmGrad }, null, 2)}\n`);
  const committedPage = `${root}docs/benchmarks.md`;
  const markdown = `${renderMarkdown(report)}\n\n${renderWasmGrad(wasmGrad)}`;
  const spliced = spliceResults(
    existsSync(committedPage) ? readFileSync(committedPage, 'utf8') : '# Benchmarks\n',
    markdown,
  );
  // Formatted like every other file, so regenerating never leaves the page failing `prettier --check`.
  const options = (await prettier.resolveConfig(committedPage)) ?? {};
  writeFileSync(page, await prettier.format(spliced, { ...options, filepath: committedPage }));
  process.stdout.write(`${targetSummary(report.targets)}\n\n${markdown}\n`);
  const where = (path: string) => path.slice(root.length);
  progress(`wrote ${where(`${outDir}/latest.json`)} and ${where(page)} in ${report.durationSeconds.toFixed(0)} s`);
}

await main();

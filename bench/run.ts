/**
 * `npm run bench [-- --quick]`: times the CutMix paste on the cpu and wasm backends for three batch
 * shapes, writes bench/results/latest.json and regenerates the results section of docs/benchmarks.md.
 * Progress goes to stderr; the full run takes about a minute on 2 cores, `--quick` about 30 s.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import * as prettier from 'prettier';
import { fileURLToPath } from 'node:url';
import { evaluateTargets, LIMIT, renderMarkdown, spliceResults, type BenchReport, type Machine } from './report.js';
import { benchShape, type BackendName, type Budget, type Shape4, type ShapeResult } from './suite.js';

const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));

const SHAPES: Shape4[] = [
  [128, 1, 28, 28], // MNIST-like, 0.4 MB
  [256, 3, 32, 32], // CIFAR-like, 3.1 MB
  [64, 3, 224, 224], // ImageNet-size batch of 64, 38.5 MB
];

/** Rounds per shape: many for the sub-millisecond shapes, fewer for the 38.5 MB batch and the composite. */
function budgetFor(backend: BackendName, shape: Shape4): Budget {
  const big = shape[2] >= 224;
  if (big) {
    return {
      warmup: quick ? 2 : 3,
      iterations: quick ? 7 : backend === 'wasm' ? 61 : 25,
      compositeWarmup: 1,
      compositeIterations: quick ? 2 : 5,
    };
  }
  return {
    warmup: quick ? 10 : 30,
    iterations: quick ? 101 : 401,
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

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg();
  const results: ShapeResult[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
    await tf.ready();
    for (const shape of SHAPES) results.push(benchShape(backend, shape, budgetFor(backend, shape), progress));
  }

  const report: BenchReport = {
    date: new Date().toISOString().slice(0, 10),
    quick,
    durationSeconds: (performance.now() - started) / 1000,
    machine: machine(loadAtStart),
    notes: [
      'NCHW float32 batches; partners and boxes are the ones cutmixBatch draws for seeds 1000, 1001, … ' +
        '(default options: α = 1, permutation partners, centre-and-clip boxes), so the kernel rows and the ' +
        'cutmixBatch rows paste the same boxes.',
      'Variants run interleaved (one call of each per round), except on cpu below 32 MiB, where each variant ' +
        'runs in its own block of calls: there each call allocates a fresh output whose cost depends on the ' +
        'allocator state the previous calls left. Outputs are disposed outside the timed region; garbage is ' +
        'collected when V8 decides.',
    ],
    results: results.map((r) => ({ ...r, limit: LIMIT[r.backend] })),
    targets: evaluateTargets(results),
  };

  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/latest.json`, `${JSON.stringify(report, null, 2)}\n`);
  const page = `${root}docs/benchmarks.md`;
  const markdown = renderMarkdown(report);
  const spliced = spliceResults(existsSync(page) ? readFileSync(page, 'utf8') : '# Benchmarks\n', markdown);
  // Formatted like every other file, so regenerating never leaves the page failing `prettier --check`.
  const options = (await prettier.resolveConfig(page)) ?? {};
  writeFileSync(page, await prettier.format(spliced, { ...options, filepath: page }));
  process.stdout.write(`${markdown}\n`);
  progress(`wrote bench/results/latest.json and docs/benchmarks.md in ${report.durationSeconds.toFixed(0)} s`);
}

await main();

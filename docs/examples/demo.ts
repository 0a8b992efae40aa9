/**
 * `npm run demo`: what CutMix buys on real digits, offline, measured over seeds.
 *
 * Three arms — plain, MixUp (`mixupBatch`) and CutMix (the `CutMix` adapter) — train the same small CNN on
 * a subset of the MNIST digits shipped in the `mnist` package, in a custom loop on the wasm backend. Per
 * seed all three start from the same weights and see the same batches in the same order. Each model is then
 * scored on held-out digits: clean accuracy, loss and 15-bin ECE, accuracy under centre and boundary
 * occlusion (the paper's robustness section) and under FGSM. The demo prints means with 95 % t-intervals
 * per arm and the paired differences CutMix − plain and CutMix − MixUp, and draws the curves as PNG: into
 * .tmp/demo/ (ignored by git), or into docs/images/ with `--write`.
 *
 *   npm run demo                      the full study (about 10 minutes on 2 cores)
 *   npm run demo -- --write           the same, updating the README's pictures
 *   npm run demo -- --quick           a CI-sized run (seconds)
 *   npm run demo -- --help            every flag
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { seededRng } from 'tfjs-cutmix';
import { drawCurves } from './demo/curves.js';
import { scoreClean, scoreRobustness, type Grids, type Robustness } from './demo/evaluate.js';
import type { Scores } from './demo/metrics.js';
import { firstDigits, loadDigits, PIXELS, SIDE } from './demo/mnist.js';
import { buildCnn, cloneCnn, type ModelKind } from './demo/model.js';
import { mixedTiles, renderGrid } from './demo/picture.js';
import { studyProgress } from './demo/progress.js';
import { summarize, type Summary } from './demo/summary.js';
import { formatReport } from './demo/table.js';
import { ARMS, streamSeed, trainArm, type Arm, type TrainSettings } from './demo/train.js';
// The wasm gradient kernels tfjs-backend-wasm 4.22 lacks for training a convolution (the shipped entry).
import 'tfjs-cutmix/wasm-grad';

export interface DemoOptions {
  /** CI-sized run: 2 seeds, 300 training digits, 2 epochs, 1 000 test digits, 200 for the curves. */
  quick?: boolean;
  /** Number of seeds (training runs per arm). Default 10. */
  seeds?: number;
  /** The first seed; the others follow it. Default 1. */
  seed?: number;
  /** The CNN: 'strided' (default) or 'pooled' (the earlier demo's; see demo/model.ts). */
  model?: ModelKind;
  /** Passes over the training set. Default 30. */
  epochs?: number;
  /** Training digits per class. Default 100 (1 000 in all). */
  trainPerClass?: number;
  /** Test digits per class. Default 500 (5 000 in all). */
  testPerClass?: number;
  /** Test digits the occlusion and FGSM curves use (the first ones of the test set). Default 2 000. */
  robustSize?: number;
  batchSize?: number;
  /** CutMix's α and chance of mixing a batch. Default α = 1, prob 0.5 (chosen on validation digits: docs/demo.md). */
  cutmixAlpha?: number;
  cutmixProb?: number;
  /** MixUp's α and chance of mixing a batch. Default α = 0.2, prob 1 (chosen on validation digits: docs/demo.md). */
  mixupAlpha?: number;
  mixupProb?: number;
  /** Score on the validation digits instead of the test digits (for choosing settings). Default false. */
  validation?: boolean;
  /** Backend to train on. Default 'wasm'. */
  backend?: 'cpu' | 'wasm';
  /** Where the PNGs go. Default .tmp/demo (ignored by git); .tmp/demo/quick with `quick`, so that a quick run
   * (`npm test` runs one) never overwrites the full run's pictures. */
  outDir?: string;
  /** Write the PNGs. Default true. */
  image?: boolean;
  /** Progress bar on stderr and the tables on stdout. Default true. */
  log?: boolean;
}

export interface RunResult {
  arm: Arm;
  seed: number;
  /** Mean training objective over the last epoch (for a mixing arm, the loss on mixed batches). */
  lastEpochObjective: number;
  /** Accuracy, loss and ECE on the clean training images after training. */
  train: Scores;
  test: Scores;
  robustness: Robustness;
  /** Wall time of training, and of scoring, seconds. */
  trainSeconds: number;
  scoreSeconds: number;
}

export interface DemoResult {
  seeds: number[];
  model: ModelKind;
  settings: TrainSettings;
  grids: Grids;
  trainSize: number;
  testSize: number;
  robustSize: number;
  /** 'test', or 'validation' with `validation: true`. */
  scoredOn: 'test' | 'validation';
  stepsPerRun: number;
  backend: string;
  runs: RunResult[];
  summary: Summary;
  /** Paths of the PNGs written. */
  images: string[];
  totalSeconds: number;
  /** Load average (1 min) when the study started and when it ended. */
  load: [number, number];
  numTensorsBefore: number;
  numTensorsAfter: number;
}

const LEARNING_RATE = 0.002;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GRIDS: Grids = {
  sizes: [0, 4, 8, 12, 16, 20, 24, 28],
  epsilons: [0, 0.025, 0.05, 0.075, 0.1, 0.15],
};

/**
 * Runs the study: every seed, every arm; scores, prints the tables and writes the PNGs.
 * @param options See {@link DemoOptions}; the command line maps onto them.
 */
export async function main(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const load0 = loadavg()[0];
  const quick = options.quick ?? false;
  const first = options.seed ?? 1;
  const seeds = Array.from({ length: options.seeds ?? (quick ? 2 : 10) }, (_, i) => first + i);
  const settings: TrainSettings = {
    epochs: options.epochs ?? (quick ? 2 : 30),
    batchSize: options.batchSize ?? 32,
    learningRate: LEARNING_RATE,
    mixup: { alpha: options.mixupAlpha ?? 0.2, prob: options.mixupProb ?? 1 },
    cutmix: { alpha: options.cutmixAlpha ?? 1, prob: options.cutmixProb ?? 0.5 },
  };
  const log = options.log ?? true;
  const kind = options.model ?? 'strided';
  const backend = options.backend ?? 'wasm';
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend failed to initialise`);
  await tf.ready();
  const numTensorsBefore = tf.memory().numTensors;

  const digits = loadDigits(
    options.trainPerClass ?? (quick ? 30 : 100),
    options.testPerClass ?? (quick ? 100 : 500),
    seededRng(42),
  ); // 42: the picture's digits, as before
  const scored = options.validation ? digits.validation : digits.test;
  const robust = firstDigits(scored, options.robustSize ?? (quick ? 200 : 2000));
  const stepsPerRun = settings.epochs * Math.ceil(digits.train.n / settings.batchSize);
  const scoredOn = options.validation ? 'validation' : 'test';
  if (log) {
    const mix = (m: { alpha: number; prob: number }) => `α = ${m.alpha}, prob = ${m.prob}`;
    console.error(
      `${backend} backend, ${kind} CNN, seeds ${seeds[0]}…${seeds.at(-1)}: ${digits.train.n} training digits, ${settings.epochs} epochs ` +
        `of batch ${settings.batchSize} (${stepsPerRun} steps per run); scored on ${scored.n} ${scoredOn} digits ` +
        `(${robust.n} for the curves); MixUp ${mix(settings.mixup)}; CutMix ${mix(settings.cutmix)}`,
    );
  }

  const progress = log ? studyProgress(seeds.length * ARMS.length * stepsPerRun) : undefined;
  const runs: RunResult[] = [];
  for (const [k, seed] of seeds.entries()) {
    const initial = buildCnn(streamSeed(seed, 'weights'), kind);
    try {
      for (const arm of ARMS) {
        const model = cloneCnn(initial, kind); // same initial weights for every arm
        try {
          const t0 = performance.now();
          progress?.startRun(`${arm} seed ${k + 1}/${seeds.length}`);
          const lastEpochObjective = await trainArm(arm, model, digits.train, settings, seed, progress?.step);
          const t1 = performance.now();
          const train = await scoreClean(model, digits.train);
          const test = await scoreClean(model, scored);
          const robustness = await scoreRobustness(model, robust, GRIDS);
          const scoreSeconds = (performance.now() - t1) / 1000;
          runs.push({
            arm,
            seed,
            lastEpochObjective,
            train,
            test,
            robustness,
            trainSeconds: (t1 - t0) / 1000,
            scoreSeconds,
          });
        } finally {
          model.dispose();
        }
      }
    } finally {
      initial.dispose();
    }
  }
  progress?.stop();

  const summary = summarize(runs, seeds);
  const images: string[] = [];
  if (options.image ?? true) {
    const outDir = resolve(options.outDir ?? join(ROOT, '.tmp', 'demo', quick ? 'quick' : ''));
    mkdirSync(outDir, { recursive: true });
    // The first 3 of the curve digits (else the first digit), shown occluded under each size.
    const three = Math.max(0, robust.labels.indexOf(3));
    const example = robust.pixels.slice(three * PIXELS, (three + 1) * PIXELS);
    const pictures = drawCurves(summary, GRIDS, { seeds: seeds.length, robustSize: robust.n, scoredOn, example });
    for (const [name, png] of [
      ...Object.entries(pictures),
      ['cutmix-batch.png', renderGrid(mixedTiles(digits.train, 42), SIDE, 3)],
    ] as const) {
      writeFileSync(join(outDir, name), png);
      images.push(join(outDir, name));
    }
  }

  const result: DemoResult = {
    seeds,
    model: kind,
    settings,
    grids: GRIDS,
    trainSize: digits.train.n,
    testSize: scored.n,
    robustSize: robust.n,
    scoredOn,
    stepsPerRun,
    backend,
    runs,
    summary,
    images,
    totalSeconds: (performance.now() - started) / 1000,
    load: [load0, loadavg()[0]],
    numTensorsBefore,
    numTensorsAfter: tf.memory().numTensors,
  };
  if (log) console.log(formatReport(result));
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { demoOptions } = await import('./demo/args.js');
  await main(demoOptions(process.argv.slice(2), join(ROOT, 'docs', 'images')));
}

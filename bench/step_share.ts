/**
 * What CutMix costs a user per training step: a plain step (model → mean cross-entropy → Adam) against a
 * CutMix step (the `CutMix` adapter's `mix` → model → `loss` → Adam) on the same batch and model, timed
 * round by round in one process. Each round runs, back to back and starting with a different one each
 * round, the plain step, the CutMix step and a diagnostic step with the CutMix loss on unmixed images; each
 * step uploads its batch from host arrays (as a loop fed by a data pipeline does) and ends with a read of the
 * loss (as a loop that logs its loss does). The ratio of a round is CutMix step ÷ plain step; the row
 * reports the median of the ratios with a 95 % interval for that median, the loss-only step's median ratio
 * and, where the backend runs kernels synchronously (cpu, wasm), the `mix` call's own time as a share of the
 * round's plain step. Runs in Node (bench/run.ts) and in the browser probe (test/browser/bench.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildCnn } from '../docs/examples/demo/model.js';
// The wasm gradient kernels tfjs-backend-wasm 4.22 lacks for training a convolution (the shipped entry).
import '../src/wasm-grad.js';
import { CutMix, cutmixLoss, seededRng, softmaxCrossEntropyPerSample } from '../src/index.js';

/** The issue's target: the CutMix step costs at most 1 % more than the plain step. */
export const STEP_SHARE_TARGET = 0.01;

export interface StepNet {
  name: string;
  /** NHWC batch. */
  shape: [number, number, number, number];
  /** Share of zero pixels in the generated batch (MNIST digits are about 80 % background). */
  zeros: number;
  build(): tfl.Sequential;
}

/** A 64×64 RGB classifier: three 3×3 stride-2 convolutions (16, 32, 64 filters), global average pool, 10 logits. */
function rgbNet(): tfl.Sequential {
  const conv = (filters: number, inputShape?: number[]) =>
    tfl.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape });
  return tfl.sequential({
    layers: [
      conv(16, [64, 64, 3]),
      conv(32),
      conv(64),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 10 }),
    ],
  });
}

export const STEP_NETS: readonly StepNet[] = [
  { name: "MNIST CNN (the demo's, 7 018 weights)", shape: [32, 28, 28, 1], zeros: 0.8, build: () => buildCnn(1) },
  // Batch 8: at batch 32, tfjs-backend-cpu's Conv2DBackpropFilter made one cpu step of this net take ~50 s here.
  { name: '64×64 RGB conv net (24 234 weights)', shape: [8, 64, 64, 3], zeros: 0, build: rgbNet },
];

export interface StepShareRow {
  backend: string;
  net: string;
  batch: number[];
  rounds: number;
  /** Medians over the rounds, ms. */
  plainMs: number;
  cutmixMs: number;
  /**
   * Median of CutMix step ÷ plain step over the rounds, and a distribution-free interval of at least 95 %
   * coverage for it (NaN with fewer than 6 rounds, where no such interval exists).
   */
  ratio: number;
  ratioLow: number;
  ratioHigh: number;
  /** Median of the `mix` call's time ÷ the round's plain step (cpu and wasm only: elsewhere the call only queues work). */
  mixShare?: number;
  /**
   * Median over the rounds of a step with the CutMix loss on unmixed images (no `mix` call) ÷ the plain
   * step: the loss's part of the cost.
   */
  lossRatio?: number;
  /**
   * Against {@link STEP_SHARE_TARGET}: 'met' when the whole interval is within it, 'not met' when all of
   * it is above, else 'inconclusive' (the timing noise is larger than the target, or the interval lies
   * wholly below 1 − target, which only drift can produce).
   */
  verdict: 'met' | 'not met' | 'inconclusive';
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

/**
 * Times `rounds` rounds of steps (after `warmup` untimed ones) of `net` on the current backend. On wasm it
 * registers the demo's Conv2DBackpropFilter kernel first (tfjs-backend-wasm 4.22 has none).
 * @param net The model and its batch.
 * @param rounds Timed rounds.
 * @param warmup Untimed rounds first (kernel set-up, shader compiles, heap growth).
 */
export async function benchStepShare(net: StepNet, rounds: number, warmup = 3): Promise<StepShareRow> {
  const backend = tf.getBackend();
  const before = tf.memory().numTensors;
  const [n, , , c] = net.shape;
  // The batch as a data pipeline hands it over: host arrays, uploaded at the start of every step (both kinds).
  const rng = seededRng(7);
  const pixels = Float32Array.from({ length: net.shape.reduce((a, b) => a * b) }, () =>
    rng() < net.zeros ? 0 : rng(),
  );
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7 + c) % 10);
  let xs: tf.Tensor4D;
  let ys: tf.Tensor1D;
  const model = net.build();
  const optimizer = tf.train.adam(1e-3);
  // prob 1: every batch is mixed (the paper's ImageNet recipe), the most CutMix can cost.
  const cutmix = new CutMix({ alpha: 1, prob: 1, seed: 1, dataFormat: 'NHWC' });
  const logits = (images: tf.Tensor) => model.apply(images, { training: true }) as tf.Tensor2D;
  let mixMs = 0;
  const halves = new Float32Array(n).fill(0.5);
  const steps = {
    plain: () => tf.mean(softmaxCrossEntropyPerSample(ys, logits(xs))) as tf.Scalar,
    loss: () => cutmixLoss(logits(xs), ys, ys, halves),
    cutmix: () => {
      const start = performance.now();
      const { images } = cutmix.mix(xs, ys);
      mixMs = performance.now() - start;
      return cutmix.loss(logits(images));
    },
  };
  const timed = async (kind: keyof typeof steps) => {
    const start = performance.now();
    [xs, ys] = [tf.tensor4d(pixels, net.shape), tf.tensor1d(labels, 'int32')];
    try {
      const loss = optimizer.minimize(steps[kind], true) as tf.Scalar;
      await loss.data();
      loss.dispose();
    } finally {
      tf.dispose([xs, ys]);
    }
    return performance.now() - start;
  };
  const kinds = ['plain', 'loss', 'cutmix'] as const;
  const mixShare: number[] = [];
  const times = { plain: [] as number[], loss: [] as number[], cutmix: [] as number[] };
  try {
    // Each round runs the three steps back to back, starting with a different one each round.
    for (let p = 0; p < warmup + rounds; p++) {
      for (let k = 0; k < kinds.length; k++) {
        const kind = kinds[(p + k) % kinds.length];
        const ms = await timed(kind);
        if (p >= warmup) times[kind].push(ms);
      }
      if (p >= warmup) mixShare.push(mixMs / times.plain[times.plain.length - 1]);
    }
  } finally {
    cutmix.dispose();
    optimizer.dispose();
    model.dispose();
  }
  if (tf.memory().numTensors !== before)
    throw new Error(`step-share bench leaked ${tf.memory().numTensors - before} tensors`);
  const synchronous = backend === 'cpu' || backend === 'wasm';
  const [plainMs, cutmixMs] = [times.plain, times.cutmix];
  return {
    backend,
    net: net.name,
    batch: [...net.shape],
    ...summarizeRounds(plainMs, cutmixMs, synchronous ? mixShare : undefined, times.loss),
  };
}

/**
 * The largest 0-based rank k such that the sorted values k and n − 1 − k bound the median of n values
 * with probability at least 95 % (1 − 2·P(Binomial(n, ½) ≤ k)), or −1 when even the extremes do not (n < 6).
 * @param n Number of values.
 */
export function medianIntervalRank(n: number): number {
  let logPmf = -n * Math.LN2; // P(B = 0)
  let cdf = 0;
  let best = -1;
  for (let k = 0; 2 * k < n; k++) {
    cdf += Math.exp(logPmf);
    if (1 - 2 * cdf < 0.95) break;
    best = k;
    logPmf += Math.log((n - k) / (k + 1));
  }
  return best;
}

/**
 * The row's figures from the rounds: medians of each step, the median of the per-round ratios CutMix ÷ plain
 * with a 95 % interval (the sign-test interval: order statistics k and n − 1 − k for the largest k whose
 * coverage 1 − 2·P(Binomial(n, ½) ≤ k) is at least 95 %; none below 6 rounds) for
 * a median), the median mix-call share, and the verdict against {@link STEP_SHARE_TARGET}.
 * @param plainMs Plain step of each round, ms.
 * @param cutmixMs CutMix step of the same rounds, ms.
 * @param mixShare The `mix` call ÷ the plain step, per round (omitted on asynchronous backends).
 * @param lossMs The CutMix-loss-only step of the same rounds, ms (optional).
 */
export function summarizeRounds(
  plainMs: readonly number[],
  cutmixMs: readonly number[],
  mixShare?: readonly number[],
  lossMs?: readonly number[],
): Omit<StepShareRow, 'backend' | 'net' | 'batch'> {
  if (plainMs.length === 0 || plainMs.length !== cutmixMs.length) {
    throw new Error(`rounds must match and be at least one, but got ${plainMs.length} and ${cutmixMs.length}`);
  }
  const n = plainMs.length;
  const ratios = cutmixMs.map((v, i) => v / plainMs[i]).sort((a, b) => a - b);
  const k = medianIntervalRank(n);
  const [ratioLow, ratioHigh] = k < 0 ? [NaN, NaN] : [ratios[k], ratios[n - 1 - k]];
  const limit = 1 + STEP_SHARE_TARGET;
  return {
    rounds: n,
    plainMs: quantile(plainMs, 0.5),
    cutmixMs: quantile(cutmixMs, 0.5),
    ratio: quantile(ratios, 0.5),
    ratioLow,
    ratioHigh,
    mixShare: mixShare ? quantile(mixShare, 0.5) : undefined,
    lossRatio: lossMs
      ? quantile(
          lossMs.map((v, i) => v / plainMs[i]),
          0.5,
        )
      : undefined,
    // A CutMix step does strictly more work than a plain one: an interval wholly below 1 − target measures
    // drift (load, allocator state) larger than the target, not a faster CutMix, so it decides nothing.
    verdict:
      ratioHigh < 1 - STEP_SHARE_TARGET
        ? 'inconclusive'
        : ratioHigh <= limit
          ? 'met'
          : ratioLow > limit
            ? 'not met'
            : 'inconclusive', // NaN (too few rounds): inconclusive
  };
}

/**
 * The rows as a markdown table. `ratiosOnly` drops the milliseconds (software-rendered GPU backends).
 * @param rows Measured rows.
 * @param ratiosOnly Print no absolute times.
 */
export function formatStepShare(rows: readonly StepShareRow[], ratiosOnly = false): string {
  const pct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(2)} %`;
  const header = [
    'backend',
    'net',
    'batch',
    'rounds',
    ...(ratiosOnly ? [] : ['plain step', 'CutMix step']),
    'CutMix ÷ plain, median [95 % interval]',
    '`mix` call ÷ plain step',
    'CutMix loss alone ÷ plain',
    'target',
  ];
  const lines = rows.map((r) => [
    r.backend,
    r.net,
    r.batch.join('×'),
    String(r.rounds),
    ...(ratiosOnly ? [] : [`${r.plainMs.toFixed(1)} ms`, `${r.cutmixMs.toFixed(1)} ms`]),
    `${r.ratio.toFixed(3)} ${Number.isNaN(r.ratioLow) ? '[too few rounds]' : `[${r.ratioLow.toFixed(3)}, ${r.ratioHigh.toFixed(3)}]`} (${pct(r.ratio - 1)})`,
    r.mixShare === undefined ? 'n/a (async backend)' : `${(100 * r.mixShare).toFixed(2)} %`,
    r.lossRatio === undefined ? '' : `${r.lossRatio.toFixed(3)} (${pct(r.lossRatio - 1)})`,
    `≤ +${100 * STEP_SHARE_TARGET} %: ${r.verdict === 'not met' ? 'NOT met' : r.verdict}`,
  ]);
  const table = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n');
}

/**
 * What CutMix costs a user per training step: a plain step (model → mean cross-entropy → Adam) against a
 * CutMix step (the `CutMix` adapter's `mix` → model → `loss` → Adam) on the same batch and model, timed
 * pair by pair in one process. Each pair runs both steps back to back (alternating which goes first) and
 * ends each step with a read of the loss, as a training loop that logs its loss does. The ratio of a pair is
 * CutMix step ÷ plain step; the row reports the median of the ratios with a 95 % interval for that median
 * and, where the backend runs kernels synchronously (cpu, wasm), the `mix` call's own time as a share of
 * the pair's plain step. Every step starts by uploading the batch from host arrays, as a training loop fed
 * by a data pipeline does. Runs in Node (bench/run.ts) and in the browser probe (test/browser/bench.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildCnn } from '../docs/examples/demo/model.js';
import { registerWasmConv2dFilterGrad } from '../docs/examples/demo/wasm_conv2d_filter_grad.js';
import { CutMix, seededRng, softmaxCrossEntropyPerSample } from '../src/index.js';

/** The target: the CutMix step costs at most 1 % more than the plain step. */
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
  // Batch 8: tfjs-backend-cpu's Conv2DBackpropFilter makes one step of this net take about 10 s on cpu here.
  { name: '64×64 RGB conv net (24 234 weights)', shape: [8, 64, 64, 3], zeros: 0, build: rgbNet },
];

export interface StepShareRow {
  backend: string;
  net: string;
  batch: number[];
  pairs: number;
  /** Medians over the pairs, ms. */
  plainMs: number;
  cutmixMs: number;
  /** Median of CutMix step ÷ plain step over the pairs, and a 95 % distribution-free interval for it. */
  ratio: number;
  ratioLow: number;
  ratioHigh: number;
  /** Median of the `mix` call's time ÷ the pair's plain step (cpu and wasm only: elsewhere the call only queues work). */
  mixShare?: number;
  /**
   * Against {@link STEP_SHARE_TARGET}: 'met' when the whole interval is within it, 'not met' when all of
   * it is above, else 'inconclusive' (the timing noise is larger than the target).
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
 * Times `pairs` pairs of steps (after `warmup` untimed ones) of `net` on the current backend. On wasm it
 * registers the demo's Conv2DBackpropFilter kernel first (tfjs-backend-wasm 4.22 has none).
 * @param net The model and its batch.
 * @param pairs Timed pairs.
 * @param warmup Untimed pairs first (kernel set-up, shader compiles, heap growth).
 */
export async function benchStepShare(net: StepNet, pairs: number, warmup = 3): Promise<StepShareRow> {
  const backend = tf.getBackend();
  if (backend === 'wasm') registerWasmConv2dFilterGrad();
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
  const steps = {
    plain: () => tf.mean(softmaxCrossEntropyPerSample(ys, logits(xs))) as tf.Scalar,
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
  const plainMs: number[] = [];
  const cutmixMs: number[] = [];
  const mixShare: number[] = [];
  try {
    for (let p = 0; p < warmup + pairs; p++) {
      const [first, second] = p % 2 === 0 ? (['plain', 'cutmix'] as const) : (['cutmix', 'plain'] as const);
      const a = await timed(first);
      const b = await timed(second);
      if (p < warmup) continue;
      const [plain, mixed] = first === 'plain' ? [a, b] : [b, a];
      plainMs.push(plain);
      cutmixMs.push(mixed);
      mixShare.push(mixMs / plain);
    }
  } finally {
    cutmix.dispose();
    optimizer.dispose();
    model.dispose();
  }
  if (tf.memory().numTensors !== before)
    throw new Error(`step-share bench leaked ${tf.memory().numTensors - before} tensors`);
  const synchronous = backend === 'cpu' || backend === 'wasm';
  return {
    backend,
    net: net.name,
    batch: [...net.shape],
    ...summarizePairs(plainMs, cutmixMs, synchronous ? mixShare : undefined),
  };
}

/**
 * The row's figures from the pairs: medians of each step, the median of the per-pair ratios CutMix ÷ plain
 * with a 95 % interval (order statistics ⌊(n − 1.96√n)/2⌋ and its mirror, the usual sign-test interval for
 * a median), the median mix-call share, and the verdict against {@link STEP_SHARE_TARGET}.
 * @param plainMs Plain step of each pair, ms.
 * @param cutmixMs CutMix step of the same pairs, ms.
 * @param mixShare The `mix` call ÷ the plain step, per pair (omitted on asynchronous backends).
 */
export function summarizePairs(
  plainMs: readonly number[],
  cutmixMs: readonly number[],
  mixShare?: readonly number[],
): Omit<StepShareRow, 'backend' | 'net' | 'batch'> {
  if (plainMs.length === 0 || plainMs.length !== cutmixMs.length) {
    throw new Error(`pairs must match and be at least one, but got ${plainMs.length} and ${cutmixMs.length}`);
  }
  const n = plainMs.length;
  const ratios = cutmixMs.map((v, i) => v / plainMs[i]).sort((a, b) => a - b);
  const lo = Math.max(0, Math.floor((n - 1.96 * Math.sqrt(n)) / 2));
  const [ratioLow, ratioHigh] = [ratios[lo], ratios[n - 1 - lo]];
  const limit = 1 + STEP_SHARE_TARGET;
  return {
    pairs: n,
    plainMs: quantile(plainMs, 0.5),
    cutmixMs: quantile(cutmixMs, 0.5),
    ratio: quantile(ratios, 0.5),
    ratioLow,
    ratioHigh,
    mixShare: mixShare ? quantile(mixShare, 0.5) : undefined,
    verdict: ratioHigh <= limit ? 'met' : ratioLow > limit ? 'not met' : 'inconclusive',
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
    'pairs',
    ...(ratiosOnly ? [] : ['plain step', 'CutMix step']),
    'CutMix ÷ plain, median [95 % interval]',
    '`mix` call ÷ plain step',
    'target',
  ];
  const lines = rows.map((r) => [
    r.backend,
    r.net,
    r.batch.join('×'),
    String(r.pairs),
    ...(ratiosOnly ? [] : [`${r.plainMs.toFixed(1)} ms`, `${r.cutmixMs.toFixed(1)} ms`]),
    `${r.ratio.toFixed(3)} [${r.ratioLow.toFixed(3)}, ${r.ratioHigh.toFixed(3)}] (${pct(r.ratio - 1)})`,
    r.mixShare === undefined ? 'n/a (async backend)' : `${(100 * r.mixShare).toFixed(2)} %`,
    `≤ +${100 * STEP_SHARE_TARGET} %: ${r.verdict === 'not met' ? 'NOT met' : r.verdict}`,
  ]);
  const table = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n');
}

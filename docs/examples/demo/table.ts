/**
 * The tables the demo prints (markdown, as docs/demo.md shows them): the clean scores per arm and the
 * paired differences, then the robustness curves point by point; then a footer with what ran.
 */
import type { DemoResult } from '../demo.js';
import type { Interval } from './stats.js';
import type { Stats } from './summary.js';
import { ARM_LABEL, ARMS } from './train.js';

type Format = (iv: Interval) => string;

const signed = (v: number, digits: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
const plain = (v: number, digits: number) => (v < 0 ? `−${(-v).toFixed(digits)}` : v.toFixed(digits));
/** `mean [low, high]` with `digits` decimals; `mark` signs the values (differences). */
function interval(scale: number, digits: number, unit = '', mark = false): Format {
  const f = (v: number) => (mark ? signed(scale * v, digits) : plain(scale * v, digits));
  return (iv) => `${f(iv.mean)}${unit} [${Number.isNaN(iv.low) ? '–' : `${f(iv.low)}, ${f(iv.high)}`}]`;
}

function markdown(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** Clean scores: one row per arm, then the two paired differences (accuracy in points). */
export function cleanTable(result: DemoResult): string {
  const { arms, cutmixMinusPlain, cutmixMinusMixup } = result.summary;
  const row = (name: string, s: Stats, diff: boolean) => [
    name,
    interval(100, 2, diff ? ' pt' : ' %', diff)(s.scalars.testAccuracy),
    interval(1, 4, '', diff)(s.scalars.testLoss),
    interval(1, 4, '', diff)(s.scalars.ece),
    diff ? '' : interval(100, 2, ' %')(s.scalars.trainAccuracy),
  ];
  return markdown([
    ['arm', `${result.scoredOn} accuracy`, `${result.scoredOn} loss`, 'ECE (15 bins)', 'train accuracy (clean)'],
    ...ARMS.map((arm) => row(ARM_LABEL[arm], arms[arm], false)),
    row('CutMix − plain', cutmixMinusPlain, true),
    row('CutMix − MixUp', cutmixMinusMixup, true),
  ]);
}

/**
 * Accuracy (%) under every occlusion size and FGSM ε, per arm, and the paired differences (points). Points
 * that show the same images are one row: no hole, the whole square kept and ε = 0 are the clean digits; a
 * 28×28 hole and a 0×0 square are both a blank image.
 */
export function robustnessTable(result: DemoResult): string {
  const { arms, cutmixMinusPlain, cutmixMinusMixup } = result.summary;
  const { sizes, epsilons } = result.grids;
  const last = sizes.length - 1;
  if (sizes[0] !== 0 || sizes[last] !== 28 || epsilons[0] !== 0)
    throw new Error('grids must run from 0 to 28 and ε from 0');
  const inner = sizes.slice(1, last).map((s, k) => [k + 1, s] as const);
  const conditions = [
    ['centre', 0, 'clean (no occlusion, ε = 0)'] as const,
    ...inner.map(([i, s]) => ['centre', i, `centre hole ${s}×${s}`] as const),
    ...inner.map(([i, s]) => ['boundary', i, `boundary, ${s}×${s} kept`] as const),
    ['centre', last, 'blank (28×28 hole, 0×0 kept)'] as const,
    ...epsilons.slice(1).map((e, k) => ['fgsm', k + 1, `FGSM ε = ${e}`] as const),
  ];
  const accuracy = interval(100, 1, ' %');
  const points = interval(100, 1, '', true);
  return markdown([
    ['condition', ...ARMS.map((arm) => ARM_LABEL[arm]), 'CutMix − plain (pt)', 'CutMix − MixUp (pt)'],
    ...conditions.map(([curve, i, name]) => [
      name,
      ...ARMS.map((arm) => accuracy(arms[arm].curves[curve][i])),
      points(cutmixMinusPlain.curves[curve][i]),
      points(cutmixMinusMixup.curves[curve][i]),
    ]),
  ]);
}

/** Everything the demo prints on stdout. */
export function formatReport(result: DemoResult): string {
  const { settings: s, seeds } = result;
  const perRun = result.runs.reduce((a, r) => a + r.trainSeconds + r.scoreSeconds, 0) / result.runs.length;
  return [
    `Clean ${result.scoredOn} digits: mean [95 % t-interval] over ${seeds.length} seeds; differences are paired by seed.`,
    '',
    cleanTable(result),
    '',
    `Robustness: accuracy on the first ${result.robustSize} ${result.scoredOn} digits, mean [95 % t-interval] over ${seeds.length} seeds.`,
    '',
    robustnessTable(result),
    '',
    `${result.backend}, ${result.model} CNN; seeds ${seeds.join(', ')}; ${result.trainSize} training digits, ${s.epochs} epochs of batch ` +
      `${s.batchSize} (${result.stepsPerRun} steps per run), Adam ${s.learningRate}; MixUp α = ${s.mixup.alpha}, ` +
      `prob = ${s.mixup.prob}; CutMix α = ${s.cutmix.alpha}, prob = ${s.cutmix.prob}.`,
    `Training time per run, mean: ${ARMS.map((arm) => `${ARM_LABEL[arm]} ${result.summary.arms[arm].scalars.trainSeconds.mean.toFixed(1)} s`).join(', ')}.`,
    `${result.runs.length} runs, ${perRun.toFixed(1)} s per run (training and scoring); total ` +
      `${result.totalSeconds.toFixed(1)} s; load average ${result.load[0].toFixed(2)} at the start, ` +
      `${result.load[1].toFixed(2)} at the end; tensors before ${result.numTensorsBefore}, after ${result.numTensorsAfter}.`,
    ...result.images.map((path) => `wrote ${path}`),
  ].join('\n');
}

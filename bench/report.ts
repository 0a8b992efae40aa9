import type { GradientResult, SamplingResult } from './gradient.js';
import type { Clock, Collections, Stats } from './harness.js';
import type { HeapPlacement } from './placement.js';
import { STAGES } from './staged.js';
import { BULK, V, type BackendName, type PairRow, type ShapeResult } from './suite.js';

/** A performance goal of issue 20: the median of pair-by-pair ratios of a call to its floor. */
export interface Target {
  backend: BackendName;
  shape: string;
  call: string;
  floor: string;
  /** Median of the per-pair ratios, and their middle half. */
  value: number;
  q1: number;
  q3: number;
  pairs: number;
  relation: '≤';
  threshold: number;
  met: boolean;
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  tfjs: string;
  platform: string;
  memoryGiB: number;
  loadAverage: { start: number[]; end: number[] };
}

export interface BenchReport {
  date: string;
  quick: boolean;
  clock: Clock;
  durationSeconds: number;
  machine: Machine;
  notes: string[];
  results: ShapeResult[];
  gradients: GradientResult[];
  sampling: SamplingResult;
  targets: Target[];
}

const shapeLabel = (r: { shape: number[] }) => r.shape.join('×');

/** Issue 20's targets: whole calls against the floor the issue names for each. */
export const TARGETS: readonly { backend: BackendName; shape: string; call: string; floor: string; max: number }[] = [
  { backend: 'wasm', shape: '64×3×224×224', call: V.batch, floor: V.heapCopy, max: 1.35 },
  { backend: 'wasm', shape: '64×3×224×224', call: V.elem, floor: V.heapCopy, max: 1.35 },
  { backend: 'cpu', shape: '64×3×224×224', call: V.apply, floor: V.allocCopy, max: 1.25 },
  { backend: 'cpu', shape: '64×3×224×224', call: V.batch, floor: V.allocCopy, max: 1.3 },
  { backend: 'wasm', shape: '128×1×28×28', call: V.batch, floor: V.clone, max: 5 },
  { backend: 'wasm', shape: '256×3×32×32', call: V.batch, floor: V.clone, max: 2 },
];

/** The row of `results` pairing `call` with `floor` on `backend` at `shape`, if the run has it. */
export function findRow(
  results: readonly ShapeResult[],
  backend: BackendName,
  shape: string,
  call: string,
  floor: string,
): PairRow | undefined {
  const r = results.find((x) => x.backend === backend && shapeLabel(x) === shape);
  return r?.rows.find((row) => row.variant === call && row.reference === floor);
}

/** Every target the run measured, met when the median of its pair ratios is within it. */
export function evaluateTargets(results: readonly ShapeResult[]): Target[] {
  return TARGETS.flatMap(({ backend, shape, call, floor, max }) => {
    const row = findRow(results, backend, shape, call, floor);
    if (row === undefined) return [];
    const { median, q1, q3, pairs } = row.stats.ratio;
    return [
      {
        backend,
        shape,
        call,
        floor,
        value: median,
        q1,
        q3,
        pairs,
        relation: '≤' as const,
        threshold: max,
        met: median <= max,
      },
    ];
  });
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const ratio = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
const short = (name: string) => name.replace(/ \(.*\)$/, '');
/** Collections inside one side's calls: count (full ones), mean ms per call. */
const gc = (c: Collections, calls: number) =>
  c.count === 0 ? '0' : `${c.count} (${c.major} full), ${ms(c.ms / calls)} ms`;

/** The parts of the whole call at one shape, each as a ratio to the shape's floor. */
function partsLine(r: ShapeResult): string {
  const rowOf = (variant: string) => r.rows.find((row) => row.variant === variant && row.reference === r.reference);
  const pair = (variant: string) => {
    const row = rowOf(variant);
    return row ? ratio(row.stats.ratio.median) : '–';
  };
  const staged = rowOf(V.staged);
  const floorMs = staged ? staged.stats.b.median : NaN;
  const stage = (name: (typeof STAGES)[number]) => ratio(r.stages[name].median / floorMs);
  return `| ${r.backend} | ${shapeLabel(r)} | ${short(r.reference)} | ${ms(floorMs)} | ${pair(V.batch)} | ${stage('plan')} | ${stage('labels')} | ${stage('paste')} | ${pair(V.kernel)} | ${pair(V.copyOnly)} | ${r.backend === 'wasm' ? pair(V.rowPieces) : '–'} |`;
}

function placementNote(p: HeapPlacement | undefined): string {
  if (!p) return '–';
  return `${p.distance} B, ${p.offset === 0 ? 'one block' : `call's block ${p.offset} B further`}`;
}

/** The markdown that goes between the markers in docs/benchmarks.md. */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const targetShapes = report.results.filter((r) =>
    TARGETS.some((t) => t.backend === r.backend && t.shape === shapeLabel(r)),
  );
  const lines = [
    `Measured ${report.date}${report.quick ? ' (`--quick` run)' : ''} in ${report.durationSeconds.toFixed(0)} s: ` +
      `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, tfjs ${m.tfjs}; ` +
      `load average ${m.loadAverage.start.map((x) => x.toFixed(2)).join(' ')} at the start, ` +
      `${m.loadAverage.end.map((x) => x.toFixed(2)).join(' ')} at the end. ` +
      (report.clock === 'wall' ? 'Wall-clock times.' : '**Process CPU time** (`--clock cpu`), not the wall clock.'),
    '',
    '### Targets',
    '',
    'Whole calls against their floor, pair by pair in one process (each pair runs both, in alternating order,',
    'writing the same output block); the median of the per-pair ratios, and the middle half of them.',
    '',
    '| backend | shape | call ÷ floor | median of pairs | middle half | pairs | target | met |',
    '|---|---|---|---:|---:|---:|---:|:---:|',
    ...report.targets.map(
      (t) =>
        `| ${t.backend} | ${t.shape} | ${short(t.call)} ÷ ${short(t.floor)} | ${ratio(t.value)} | ${ratio(t.q1)}–${ratio(t.q3)} | ${t.pairs} | ${t.relation} ${t.threshold} | ${t.met ? 'yes' : '**no**'} |`,
    ),
    '',
    '### Where the time goes',
    '',
    "Each part as a ratio to the shape's floor. The stages are timed inside `cutmixBatch` calls (each right",
    'after its paired floor has swept the batch through the cache); “kernel alone” and the copy kernels are',
    'pairs of their own, through the same `runKernel` dispatch and into the same output block as the paste.',
    '',
    "| backend | shape | floor | floor (ms) | whole 'batch' call | options, checks, plan | labels | paste | kernel alone | copy-only kernel | row-piece copy |",
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...targetShapes.map(partsLine),
    '',
    '### Every pairing',
    '',
    '“collections” counts the garbage collections that started inside the timed calls of each side: all of',
    'them, the full (mark-compact) ones, and their time per call on average.',
    "Output block (wasm): bytes from the batch to the floor's output block, modulo 4 KiB, and where",
    "`cutmixBatch`'s output lands relative to it (its label tensors are allocated first).",
    '',
    '| backend | shape | call | floor | call (ms) | floor (ms) | median of pairs | middle half | collections: call | floor |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    for (const row of r.rows) {
      const s = row.stats;
      lines.push(
        `| ${r.backend} | ${shapeLabel(r)} | ${row.variant} | ${short(row.reference)} | ${ms(s.a.median)} | ${ms(s.b.median)} | ${ratio(s.ratio.median)} | ${ratio(s.ratio.q1)}–${ratio(s.ratio.q3)} | ${gc(s.collections.a, s.ratio.pairs)} | ${gc(s.collections.b, s.ratio.pairs)} |`,
      );
    }
  }
  lines.push(
    '',
    '| backend | shape | batch | output block | composite (ms) | composite ÷ kernel alone |',
    '|---|---|---|---:|---:|---:|',
    ...report.results.map((r) => {
      const kernel = r.rows.find((row) => row.variant === V.kernel)?.stats.a.median ?? NaN;
      const mb = (4 * r.shape.reduce((a, b) => a * b, 1)) / 1e6;
      return `| ${r.backend} | ${shapeLabel(r)} | ${r.dataFormat}, ${mb.toFixed(1)} MB | ${placementNote(r.heap)} | ${ms(r.composite.median)} | ${ratio(r.composite.median / kernel)} |`;
    }),
    '',
    '### The gradient (`CutmixPasteGrad`) against the forward paste, N×1×28×28',
    '',
    'Linear in N means the time per sample stays flat as N grows (target: gradient ≤ 3 × forward at N = 2048).',
    '',
    '| backend | N | forward (ms) | gradient (ms) | gradient ÷ forward | gradient per sample (µs) |',
    '|---|---:|---:|---:|---:|---:|',
    ...report.gradients.map(
      (g) =>
        `| ${g.backend} | ${g.n} | ${ms(g.forward.median)} | ${ms(g.gradient.median)} | ${ratio(g.gradient.median / g.forward.median)} | ${((1000 * g.gradient.median) / g.n).toFixed(2)} |`,
    ),
    '',
    `Planning an \`'elem'\` batch of ${report.sampling.n} (one λ by inverse CDF, one box and one partner draw per sample; JavaScript only): median ${ms(report.sampling.plan.median)} ms, ${((1000 * report.sampling.plan.median) / report.sampling.n).toFixed(2)} µs per sample.`,
  );
  if (report.notes.length > 0) lines.push('', ...report.notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

export const START_MARKER = '<!-- bench:results:start (generated by `npm run bench`; do not edit by hand) -->';
export const END_MARKER = '<!-- bench:results:end -->';

/** Replaces the generated section of the benchmarks page (or appends one). */
export function spliceResults(page: string, markdown: string): string {
  const start = page.indexOf(START_MARKER);
  const end = page.indexOf(END_MARKER);
  const block = `${START_MARKER}\n${markdown}\n${END_MARKER}`;
  if (start < 0 || end < start) return `${page.trimEnd()}\n\n${block}\n`;
  return page.slice(0, start) + block + page.slice(end + END_MARKER.length);
}

/** One line per target on stdout, before the full tables: what `npm run bench` is run for. */
export function targetSummary(targets: readonly Target[]): string {
  return targets
    .map(
      (t) =>
        `${t.met ? 'met ' : 'MISS'}  ${t.backend} ${t.shape} ${short(t.call)} ÷ ${short(t.floor)}: ${ratio(t.value)} (middle half ${ratio(t.q1)}–${ratio(t.q3)}, ${t.pairs} pairs), target ≤ ${t.threshold}`,
    )
    .join('\n');
}

export { BULK };
export type { Stats };

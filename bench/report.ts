import type { GradientResult, SamplingResult } from './gradient.js';
import type { Stats } from './harness.js';
import { LIMIT, V, type BackendName, type ShapeResult } from './suite.js';

/** A performance goal of the issue, checked on one run's medians. */
export interface Target {
  goal: string;
  backend: BackendName;
  shape: string;
  /** Ratio of the medians. */
  value: number;
  /** Ratio of the minimums (each variant's best call): a second reading that allocator luck cannot flip. */
  minRatio: number;
  relation: '≤' | '≥';
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
  durationSeconds: number;
  machine: Machine;
  notes: string[];
  results: (ShapeResult & { limit: string })[];
  gradients: GradientResult[];
  sampling: SamplingResult;
  targets: Target[];
}

/** The large batch of each rank: the targets of the whole `cutmixBatch` call apply to these. */
const LARGE = ['64×3×224×224', '256×1×16000', '8×1×64×128×128'];
const shapeLabel = (r: { shape: number[] }) => r.shape.join('×');

/**
 * The issue's targets, each a ratio of two medians from the same process and run. A kernel ÷ limit target
 * counts as met only if the ratio of the minimums meets it too: on cpu, small batches' medians can flip
 * between recycled and freshly faulted memory from run to run, and a lucky flip must not read as a pass.
 * (Not for 'elem' ÷ 'batch': one box for the whole batch makes 'batch' calls range from nothing pasted to
 * the whole image, so its minimum is not comparable.)
 */
export function evaluateTargets(results: readonly ShapeResult[], gradients: readonly GradientResult[]): Target[] {
  const targets: Target[] = [];
  const add = (
    goal: string,
    r: ShapeResult,
    num: string,
    den: string,
    relation: '≤' | '≥',
    threshold: number,
    checkMinimums = false,
  ) => {
    const value = r.stats[num].median / r.stats[den].median;
    const minRatio = r.stats[num].min / r.stats[den].min;
    const meets = (x: number) => (relation === '≤' ? x <= threshold : x >= threshold);
    const met = meets(value) && (!checkMinimums || meets(minRatio));
    targets.push({ goal, backend: r.backend, shape: shapeLabel(r), value, minRatio, relation, threshold, met });
  };
  for (const r of results) {
    const big = LARGE.includes(shapeLabel(r));
    const image = r.shape.length === 4;
    // Issue 3's targets (2-D batches) and issue 12's (the whole call, every rank's large batch).
    if (image && r.backend === 'wasm') add('kernel ÷ heap copy', r, V.kernel, V.heapCopy, '≤', big ? 1.3 : 3, true);
    if (image && r.backend === 'cpu') add('kernel ÷ allocate + copy', r, V.kernel, V.allocCopy, '≤', 1.1, true);
    if (big) {
      if (r.backend === 'wasm') add("cutmixBatch 'batch' ÷ heap copy", r, V.batch, V.heapCopy, '≤', 1.3, true);
      else add("cutmixBatch 'batch' ÷ allocate + copy", r, V.batch, V.allocCopy, '≤', 1.2, true);
      add("cutmixBatch 'batch' ÷ kernel", r, V.batch, V.kernel, '≤', 1.2);
      add("cutmixBatch 'elem' ÷ 'batch'", r, V.elem, V.batch, '≤', 1.2);
      add('composite ÷ kernel', r, V.composite, V.kernel, '≥', 100);
    }
  }
  // Issue 9's: the gradient at most 3× the forward paste at N = 2048, and linear in N.
  for (const g of gradients.filter((x) => x.n === 2048)) {
    const value = g.gradient.median / g.forward.median;
    const minRatio = g.gradient.min / g.forward.min;
    targets.push({
      goal: 'gradient ÷ forward paste',
      backend: g.backend,
      shape: '2048×1×28×28',
      value,
      minRatio,
      relation: '≤',
      threshold: 3,
      met: value <= 3,
    });
  }
  return targets;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const ratio = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));

/** The markdown that goes between the markers in docs/benchmarks.md. */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `Measured ${report.date}${report.quick ? ' (`--quick` run)' : ''} in ${report.durationSeconds.toFixed(0)} s: ` +
      `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, tfjs ${m.tfjs}; ` +
      `load average ${m.loadAverage.start.map((x) => x.toFixed(2)).join(' ')} at the start, ` +
      `${m.loadAverage.end.map((x) => x.toFixed(2)).join(' ')} at the end.`,
    '',
    '### Targets',
    '',
    'Targets are ratios of medians; for kernel ÷ limit, “met” also requires the ratio of minimums to meet it',
    '(on cpu, small batches’ medians can flip between recycled and freshly faulted memory between runs).',
    '',
    '| backend | shape | ratio | of medians | of minimums | target | met |',
    '|---|---|---|---:|---:|---:|:---:|',
    ...report.targets.map(
      (t) =>
        `| ${t.backend} | ${t.shape} | ${t.goal} | ${ratio(t.value)} | ${ratio(t.minRatio)} | ${t.relation} ${t.threshold} | ${t.met ? 'yes' : '**no**'} |`,
    ),
    '',
    'The paste itself, as a ratio of medians to the same kernel call with the paste left out (a bench-only',
    'kernel that allocates and copies the output the same way and returns it through `runKernel`):',
    '',
    '| backend | shape | kernel ÷ copy-only kernel | kernel, fixed 25 % box ÷ copy-only kernel |',
    '|---|---|---:|---:|',
    ...report.results.map((r) => {
      const base = r.stats[V.copyOnly].median;
      return `| ${r.backend} | ${shapeLabel(r)} | ${ratio(r.stats[V.kernel].median / base)} | ${ratio(r.stats[V.kernelQuarter].median / base)} |`;
    }),
    '',
    '### The gradient (`CutmixPasteGrad`) against the forward paste, N×1×28×28',
    '',
    'Linear in N means the time per sample stays flat as N grows.',
    '',
    '| backend | N | forward (ms) | gradient (ms) | gradient ÷ forward | gradient per sample (µs) |',
    '|---|---:|---:|---:|---:|---:|',
    ...report.gradients.map(
      (g) =>
        `| ${g.backend} | ${g.n} | ${ms(g.forward.median)} | ${ms(g.gradient.median)} | ${ratio(g.gradient.median / g.forward.median)} | ${((1000 * g.gradient.median) / g.n).toFixed(2)} |`,
    ),
    '',
    `Planning an \`'elem'\` batch of ${report.sampling.n} (one λ by inverse CDF, one box and one partner draw per sample; JavaScript only): median ${ms(report.sampling.plan.median)} ms, ${((1000 * report.sampling.plan.median) / report.sampling.n).toFixed(2)} µs per sample.`,
    '',
    '### All timings (ms)',
    '',
    '“× limit” is the median divided by the median of the backend’s limit in the same run (wasm: the heap copy; cpu: allocate + copy).',
    '',
    '| backend | shape | variant | runs | min | median | p90 | × limit |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    const limit = r.stats[r.limit].median;
    for (const [name, s] of Object.entries(r.stats) as [string, Stats][]) {
      lines.push(
        `| ${r.backend} | ${shapeLabel(r)} | ${name} | ${s.iterations} | ${ms(s.min)} | ${ms(s.median)} | ${ms(s.p90)} | ${ratio(s.median / limit)} |`,
      );
    }
  }
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

export { LIMIT };

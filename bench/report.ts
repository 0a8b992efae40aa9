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
  targets: Target[];
}

const BIG = '64×3×224×224';
const shapeLabel = (r: ShapeResult) => r.shape.join('×');

/**
 * The issue's targets, each a ratio of two medians from the same process and run. A kernel ÷ limit target
 * counts as met only if the ratio of the minimums meets it too: on cpu, small batches' medians can flip
 * between recycled and freshly faulted memory from run to run, and a lucky flip must not read as a pass.
 * (Not for 'elem' ÷ 'batch': one box for the whole batch makes 'batch' calls range from nothing pasted to
 * the whole image, so its minimum is not comparable.)
 */
export function evaluateTargets(results: readonly ShapeResult[]): Target[] {
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
    const big = shapeLabel(r) === BIG;
    if (r.backend === 'wasm') add('kernel ÷ heap copy', r, V.kernel, V.heapCopy, '≤', big ? 1.3 : 3, true);
    else add('kernel ÷ allocate + copy', r, V.kernel, V.allocCopy, '≤', 1.1, true);
    if (big) {
      add("cutmixBatch 'batch' ÷ kernel", r, V.batch, V.kernel, '≤', 1.2);
      add("cutmixBatch 'elem' ÷ 'batch'", r, V.elem, V.batch, '≤', 1.2);
      add('composite ÷ kernel', r, V.composite, V.kernel, '≥', 100);
    }
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

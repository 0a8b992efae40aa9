import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/**
 * What the timings read: the wall clock (the default, and what the targets are judged on), or the
 * process's CPU time (user + system, all threads; a steadier reading on a shared machine, where the wall
 * clock also counts the time other processes hold the cores).
 */
export type Clock = 'wall' | 'cpu';

let clock: Clock = 'wall';

/** Sets the clock every later timing reads. */
export function useClock(which: Clock): void {
  clock = which;
}

/** The current reading of the chosen clock, in ms. */
export function now(): number {
  if (clock === 'wall') return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One timed thing: `run` is timed, `cleanup` (disposing its result) is not. */
export interface Variant {
  name: string;
  run: (round: number) => unknown;
  cleanup?: (result: unknown) => void;
}

/**
 * A {@link Variant} whose cleanup receives what its run returned.
 *
 * @example
 * ```ts
 * variant('kernel', (r) => paste(images, plans[r].partners, plans[r].boxes, 'NCHW'), (t) => t.dispose());
 * ```
 * @param name row label.
 * @param run the timed call; gets the round number.
 * @param cleanup untimed disposal of the result.
 */
export function variant<T>(name: string, run: (round: number) => T, cleanup?: (result: T) => void): Variant {
  return { name, run, cleanup: cleanup as ((result: unknown) => void) | undefined };
}

/** Summary of one variant's timings, in milliseconds. */
export interface Stats {
  iterations: number;
  min: number;
  median: number;
  p90: number;
}

export interface TimingOptions {
  /** Untimed rounds first (JIT, caches, heap growth). */
  warmup: number;
  /** Timed rounds; every variant runs once per round. */
  iterations: number;
  /** Called after every timed or warm-up call with the number of calls done so far (progress). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Times variants interleaved: round r runs every variant once, starting with variant r mod k, so drift in
 * machine load or heap state is spread over all of them instead of landing on one.
 *
 * No garbage collection is forced: V8 collects when it would in a training loop. (A forced full collection
 * before each call made V8 deoptimize and re-optimize cutmixBatch's JavaScript after every collection —
 * 197 deoptimizations in 300 calls against 4 without — and cost it 3–5× its real time.)
 *
 * @example
 * ```ts
 * const stats = timeInterleaved([{ name: 'copy', run: () => src.slice() }], { warmup: 3, iterations: 21 });
 * ```
 * @param variants what to time.
 * @param options rounds and warm-up.
 * @returns stats per variant name.
 */
export function timeInterleaved(variants: readonly Variant[], options: TimingOptions): Map<string, Stats> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const rounds = options.warmup + options.iterations;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(round + k) % variants.length];
      const start = now();
      const result = variant.run(round);
      const elapsed = now() - start;
      variant.cleanup?.(result);
      if (round >= options.warmup) samples.get(variant.name)!.push(elapsed);
      options.onProgress?.(round * variants.length + k + 1, rounds * variants.length);
    }
  }
  return new Map([...samples].map(([name, times]) => [name, summarize(times)]));
}

/** Min, median and 90th percentile (nearest rank) of timings in ms. */
export function summarize(times: readonly number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { iterations: n, min: sorted[0], median, p90: sorted[Math.max(0, Math.ceil(0.9 * n) - 1)] };
}

/** Median and quartiles of per-pair ratios. */
export interface RatioStats {
  pairs: number;
  median: number;
  q1: number;
  q3: number;
}

/** Two variants timed pair by pair: each side's times, the per-pair ratios, and collections inside calls. */
export interface PairStats {
  a: Stats;
  b: Stats;
  /** `a ÷ b`, one ratio per pair. */
  ratio: RatioStats;
  /** Garbage collections that started inside a timed call of each side (V8's, as Node reports them). */
  collections: { a: Collections; b: Collections };
}

/** Collections that started inside one side's timed calls: how many, how many were full, and their time. */
export interface Collections {
  count: number;
  /** Mark-compact (full) collections: the expensive kind. */
  major: number;
  /** Their summed duration, ms (wall clock). */
  ms: number;
}

export interface PairOptions {
  /** Untimed pairs first (JIT, caches, heap growth). */
  warmup: number;
  /** Timed pairs. */
  pairs: number;
  /** Called after every pair with the number of pairs done so far (progress). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Times `a` against `b` pair by pair, in one process: each pair runs both once, in alternating order
 * (a then b, then b then a), and the ratio is taken within the pair, so machine load, caches and heap
 * state drift over both sides alike. Nothing else runs between the two calls of a pair but the untimed
 * cleanup: on the wasm backend both then write the block the allocator hands back (the one the other
 * just freed), so neither is timed against a cache-resident destination the other lacks. Collections
 * are counted per side from Node's `gc` performance entries: one that starts inside a call is that
 * call's cost, whoever left the garbage.
 *
 * @example
 * ```ts
 * const stats = await timePairs(variant('slice', () => src.slice()), variant('copy', () => new Float32Array(src)), {
 *   warmup: 3,
 *   pairs: 41,
 * });
 * console.log(stats.ratio.median);
 * ```
 * @param a the variant in the numerator.
 * @param b the variant in the denominator (a limit or a floor).
 * @param options pairs and warm-up.
 * @returns both sides' stats, the per-pair ratio and the collections inside each side's calls.
 */
export async function timePairs(a: Variant, b: Variant, options: PairOptions): Promise<PairStats> {
  // Wall-clock spans (the timeline gc entries are on) and durations on the chosen clock.
  const spans = { a: [] as [number, number][], b: [] as [number, number][] };
  const times = { a: [] as number[], b: [] as number[] };
  const total = options.warmup + options.pairs;
  const observer = new PerformanceObserver(() => {});
  observer.observe({ entryTypes: ['gc'] });
  const timed = (v: Variant, round: number): [[number, number], number] => {
    const [start, wall] = [now(), performance.now()];
    const result = v.run(round);
    const [end, wallEnd] = [now(), performance.now()];
    v.cleanup?.(result);
    return [[wall, wallEnd], end - start];
  };
  for (let pair = 0; pair < total; pair++) {
    const [first, second] = pair % 2 === 0 ? [a, b] : [b, a];
    const x = timed(first, pair);
    const y = timed(second, pair);
    const [forA, forB] = first === a ? [x, y] : [y, x];
    if (pair >= options.warmup) {
      spans.a.push(forA[0]);
      spans.b.push(forB[0]);
      times.a.push(forA[1]);
      times.b.push(forB[1]);
    }
    options.onProgress?.(pair + 1, total);
  }
  // Node queues gc entries from an immediate after each collection: let them arrive.
  await new Promise((resolve) => setImmediate(resolve));
  const collections = observer.takeRecords();
  observer.disconnect();
  const inside = (list: [number, number][]) => countInside(collections, list);
  return {
    a: summarize(times.a),
    b: summarize(times.b),
    // A CPU-time reading can be 0 for a call shorter than its resolution (1 µs): such pairs are left out.
    ratio: ratioStats(times.a.map((t, i) => t / times.b[i]).filter(Number.isFinite)),
    collections: { a: inside(spans.a), b: inside(spans.b) },
  };
}

/** Node's `kind` of a mark-compact collection (perf_hooks `constants.NODE_PERFORMANCE_GC_MAJOR`). */
const GC_MAJOR = 4;

/** The collections among `entries` that start inside one of the spans. */
function countInside(entries: readonly PerformanceEntry[], spans: readonly [number, number][]): Collections {
  const inside = entries.filter((e) => spans.some(([start, end]) => e.startTime >= start && e.startTime < end));
  const kind = (e: PerformanceEntry) => (e as { detail?: { kind?: number } }).detail?.kind;
  return {
    count: inside.length,
    major: inside.filter((e) => kind(e) === GC_MAJOR).length,
    ms: inside.reduce((sum, e) => sum + e.duration, 0),
  };
}

/** Median and quartiles (nearest rank) of ratios. */
export function ratioStats(ratios: readonly number[]): RatioStats {
  const sorted = [...ratios].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { pairs: sorted.length, median: summarize(sorted).median, q1: at(0.25), q3: at(0.75) };
}

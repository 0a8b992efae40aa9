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
 * Times each variant in blocks of consecutive calls: `passes` passes over the variants, each running a
 * block of `warmup` untimed and `iterations / passes` timed calls per variant. For the cpu backend's small
 * batches: there every call allocates a fresh output, and whether the allocator hands back recycled pages
 * or fresh ones (which fault in at about 11 µs per 4 KiB page in this VM) depends on what ran just before;
 * interleaved, that lands on some variants and not others. Within a block every call meets the same
 * steady state, and several passes keep one unlucky block from deciding a variant's median.
 *
 * @example
 * ```ts
 * const stats = timeInBlocks([{ name: 'copy', run: () => src.slice() }], { warmup: 10, iterations: 400 }, 4);
 * ```
 * @param variants what to time.
 * @param options untimed calls per block and timed calls per variant in total.
 * @param passes number of blocks per variant.
 * @returns stats per variant name.
 */
export function timeInBlocks(variants: readonly Variant[], options: TimingOptions, passes = 4): Map<string, Stats> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const perBlock = Math.ceil(options.iterations / passes);
  const total = passes * variants.length * (options.warmup + perBlock);
  let done = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (const v of variants) {
      for (let call = 0; call < options.warmup + perBlock; call++) {
        const start = performance.now();
        const result = v.run(pass * (options.warmup + perBlock) + call);
        const elapsed = performance.now() - start;
        v.cleanup?.(result);
        if (call >= options.warmup) samples.get(v.name)!.push(elapsed);
        options.onProgress?.(++done, total);
      }
    }
  }
  return new Map([...samples].map(([name, times]) => [name, summarize(times)]));
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
      const start = performance.now();
      const result = variant.run(round);
      const elapsed = performance.now() - start;
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

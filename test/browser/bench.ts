/**
 * `npm run bench:browser`: the paste's speed in Debian's Chromium on webgl and webgpu (software-rendered
 * here: only ratios within one backend and one run mean anything). Prints, per backend, the medians of a
 * plain on-device copy, the registered kernel and the stock-op fallback at 64×3×224×224 float32, and the
 * ratios against the targets (webgpu kernel ≤ 1.5× the copy and ≥ 5× faster than the fallback,
 * webgl kernel ≤ 2× the copy). Each timed run ends with a one-element readback; its own median is taken
 * out of the others before the ratios are formed. Then CutMix's share of a training step
 * (bench/step_share.ts) on each backend, as ratios only.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemoBundle, ROOT_DIR, startDemoServer } from '../../docs/demo/server.js';
import { chromiumMissingReason, launchChromium } from './chromium.js';
import type { ProbeWindow } from './probe.js';
import type { BenchResult } from './probe_bench.js';
import { formatStepShare, STEP_NETS, type StepShareRow } from '../../bench/step_share.js';
import { errorText } from './report.js';

const USAGE = `usage: npm run bench:browser [-- --reps N] [--fallback-reps N] [--backends webgpu,webgl] [--markdown]
  --reps N           timed runs of the copy and the kernel (default 7), after one warm-up run
  --fallback-reps N  timed runs of the slow stock-op fallback (default 3)
  --backends LIST    comma-separated, from webgpu and webgl (default both)
  --step-rounds N     timed rounds of training steps per step-share row (default 31)
  --markdown         print the tables as Markdown (for docs/benchmarks.md)
  -h, --help         this text`;

const SHAPE: [number, number, number, number] = [64, 3, 224, 224];
const TARGETS = { webgpu: { copy: 1.5, fallback: 5 }, webgl: { copy: 2, fallback: undefined } } as const;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, but got ${raw}.`);
  return value;
}

function readArgs() {
  const { values } = parseArgs({
    options: {
      reps: { type: 'string' },
      'fallback-reps': { type: 'string' },
      backends: { type: 'string' },
      'step-rounds': { type: 'string' },
      markdown: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const backends = (values.backends ?? 'webgpu,webgl').split(',');
  for (const b of backends)
    if (b !== 'webgpu' && b !== 'webgl') throw new Error(`--backends must list webgpu and/or webgl, but got ${b}.`);
  return {
    help: values.help ?? false,
    reps: positive('reps', values.reps, 7),
    fallbackReps: positive('fallback-reps', values['fallback-reps'], 3),
    stepRounds: positive('step-rounds', values['step-rounds'], 31),
    backends: backends as ('webgpu' | 'webgl')[],
    markdown: values.markdown ?? false,
  };
}

/** The table of one backend's result, with the ratios and whether each target is met. */
function table(r: BenchResult, markdown: boolean): string {
  const [sync, copy, kernel, fallback] = r.rows.map((row) => row.median);
  const net = (ms: number) => Math.max(ms - sync, 1e-3);
  const target = TARGETS[r.backend as keyof typeof TARGETS];
  const lines = r.rows.map((row) => [row.name, row.median.toFixed(1), row.samples.map((s) => s.toFixed(0)).join(' ')]);
  const vsCopy = net(kernel) / net(copy);
  const vsFallback = net(fallback) / net(kernel);
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const ratios = [
    `kernel / copy = ${vsCopy.toFixed(2)}× (raw medians ${(kernel / copy).toFixed(2)}×), target ≤ ${target.copy}×: ${verdict(vsCopy <= target.copy)}`,
    `fallback / kernel = ${vsFallback.toFixed(1)}× (raw ${(fallback / kernel).toFixed(1)}×)` +
      (target.fallback ? `, target ≥ ${target.fallback}×: ${verdict(vsFallback >= target.fallback)}` : ''),
  ];
  const title = `${r.backend}, ${r.shape.join('×')} float32 NCHW, medians in ms (software-rendered)`;
  if (!markdown) {
    return [
      title,
      ...lines.map(([a, b, c]) => `  ${a.padEnd(52)} ${b.padStart(9)}   [${c}]`),
      ...ratios.map((x) => `  ${x}`),
    ].join('\n');
  }
  return [
    `**${title}**`,
    '',
    '| run | median ms | samples |',
    '| --- | ---: | --- |',
    ...lines.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
    '',
    ...ratios.map((x) => `- ${x}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = readArgs();
  if (args.help) return console.log(USAGE);
  const missing = chromiumMissingReason();
  if (missing) throw new Error(missing);
  const bundle = await buildDemoBundle({ entry: path.join(ROOT_DIR, 'test/browser/probe.ts') });
  const server = await startDemoServer({ probe: bundle });
  const browser = await launchChromium(60_000);
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}probe/`);
    await page.waitForFunction(() => (window as unknown as ProbeWindow).__probe !== undefined);
    console.log(`chromium ${browser.context.browser()?.version() ?? '?'}; each run ends with a one-element readback`);
    const shares: StepShareRow[] = [];
    for (const backend of args.backends) {
      const ok = await page.evaluate((b) => (window as unknown as ProbeWindow).__probe!.useBackend(b), backend);
      if (!ok) throw new Error(`backend ${backend} failed to initialise in this Chromium`);
      const options = { shape: SHAPE, reps: args.reps, fallbackReps: args.fallbackReps };
      const result = await page.evaluate((o) => (window as unknown as ProbeWindow).__probe!.bench(o), options);
      console.log(`\n${table(result, args.markdown)}`);
      for (const net of STEP_NETS.keys()) {
        const o = { net, rounds: args.stepRounds };
        shares.push(await page.evaluate((x) => (window as unknown as ProbeWindow).__probe!.stepShare(x), o));
      }
    }
    console.log(
      `\nCutMix's share of a training step (software-rendered: ratios only)\n\n${formatStepShare(shares, true)}`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench:browser: ${errorText(error)}`);
  process.exitCode = 1;
}

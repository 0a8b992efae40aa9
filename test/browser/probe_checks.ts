/**
 * The probe page's tests, Node side: on webgl and webgpu, the registered kernel on every rank, layout and
 * dtype against the N-D reference; what int32 keeps; and the no-sync training run (no readback at all,
 * compiles flat after the first step).
 */
import type { Page } from 'playwright-core';
import type { DemoServer } from '../../docs/demo/server.js';
import type { Chromium } from './chromium.js';
import { INT32_BITS_CASES, KERNEL_CASES, makeKernelCase, type KernelCase } from './kernel_cases.js';
import { OP_CASES, type OpResult } from './op_cases.js';
import { opProblems } from './op_checks.js';
import { watchErrors } from './pages.js';
import type { Int32Storage, KernelResult, ProbeWindow } from './probe.js';
import type { TrainResult } from './probe_train.js';
import { referencePasteND } from './reference_nd.js';
import { check, errorText, report, unavailable, withTimeout } from './report.js';

export const PROBE_BACKENDS = ['webgl', 'webgpu'] as const;
export type ProbeBackend = (typeof PROBE_BACKENDS)[number];
export const TRAIN_STEPS = 50;
const PROBE_TIMEOUT_MS = 240_000;

const casesFor = (backend: ProbeBackend) =>
  backend === 'webgpu' ? [...KERNEL_CASES, ...INT32_BITS_CASES] : KERNEL_CASES;
const TEXTURE_PLAN_TEST = 'kernel · a batch too large for uniforms (plan in a texture)';
const TRAIN_TESTS = [
  { labels: 'onehot', api: 'ops', what: 'float one-hot labels, cutmixBatch + applyCutmix + mixTargets + cutmixLoss' },
  { labels: 'onehot', api: 'adapter', what: 'float one-hot labels, the CutMix class with a mask' },
  {
    labels: 'onehot',
    api: 'ops',
    volumes: true,
    what: 'rank 5 NCDHW, float one-hot labels, cutmixBatch + applyCutmix + mixTargets + cutmixLoss',
  },
  { labels: 'onehot', api: 'mixup', what: 'float one-hot labels, mixupBatch (prob 0.5) + mixTargets + cutmixLoss' },
  {
    labels: 'onehot',
    api: 'mixup',
    volumes: true,
    what: 'rank 5 NCDHW, float one-hot labels, mixupBatch (prob 0.5) + mixTargets + cutmixLoss',
  },
  // Int labels last: a dataSync on webgpu has lost the device for every later call.
  { labels: 'int', api: 'dataset', what: 'int32 class labels, cutmixDataset' },
  { labels: 'int', api: 'adapter', what: 'int32 class labels, the CutMix class with a mask' },
  { labels: 'int', api: 'ops', what: 'int32 class labels, cutmixBatch + applyCutmix + mixTargets + cutmixLoss' },
] as const;

function name(backend: string, what: string): string {
  return `chromium probe · ${backend} · ${what}`;
}

/** Every probe test by name, for runs that cannot open the page. */
export function plannedProbeTests(backend: ProbeBackend): string[] {
  return [
    ...casesFor(backend).map((c) => name(backend, `kernel · ${c.name}`)),
    ...(backend === 'webgl' ? [name(backend, TEXTURE_PLAN_TEST)] : []),
    ...OP_CASES.map((c) => name(backend, `${c.name} = cpu`)),
    name(backend, 'int32 storage and paste'),
    ...TRAIN_TESTS.map((t) => name(backend, `${TRAIN_STEPS} training steps, ${t.what}: no readback, compiles flat`)),
    name(backend, 'no page errors'),
  ];
}

/** Whether the browser gives WebGPU an adapter, and which (or why not). */
export async function webgpuAdapter(browser: Chromium, server: DemoServer): Promise<{ ok: boolean; info: string }> {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${server.url}probe/`, { timeout: PROBE_TIMEOUT_MS });
    await page.waitForFunction(() => (window as unknown as ProbeWindow).__probe !== undefined);
    return await page.evaluate(() => (window as unknown as ProbeWindow).__probe!.adapter());
  } catch (error) {
    return { ok: false, info: `the probe page failed: ${errorText(error)}` };
  } finally {
    await page.close().catch(() => undefined);
  }
}

function kernelProblems(c: KernelCase, r: KernelResult | undefined): string[] {
  if (!r) return ['no result from the page'];
  if (r.error) return [`threw: ${r.error}`];
  const problems = r.kernel ? [] : ['no CutmixPaste kernel registered on this backend'];
  const { values, partners, boxes } = makeKernelCase(c);
  const expected = referencePasteND(values, c.shape, partners, boxes, c.dataFormat);
  const want = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength);
  const got = Uint8Array.from(Buffer.from(r.bytesBase64, 'base64'));
  const unit = c.dtype === 'bool' ? 1 : 4;
  if (got.length !== want.length) problems.push(`${got.length / unit} elements, expected ${want.length / unit}`);
  else {
    const differs = (i: number) => got.subarray(i * unit, i * unit + unit).some((b, k) => b !== want[i * unit + k]);
    const bad = Array.from({ length: want.length / unit }, (_, i) => i).filter(differs);
    if (bad.length > 0) {
      const word = (bytes: Uint8Array, i: number) =>
        unit === 1
          ? String(bytes[i])
          : `0x${new DataView(bytes.buffer, bytes.byteOffset).getUint32(4 * i, true).toString(16)}`;
      problems.push(`${bad.length} elements differ; first at ${bad[0]}: ${word(got, bad[0])} vs ${word(want, bad[0])}`);
    }
  }
  if (r.leaked !== 0) problems.push(`leaked ${r.leaked} tensors`);
  return problems;
}

function int32Problems(backend: ProbeBackend, s: Int32Storage): { problems: string[]; note: string } {
  const problems: string[] = [];
  const rounded: string[] = [];
  s.input.forEach((v, i) => {
    const exactHere = backend === 'webgpu' || Math.abs(v) <= 2 ** 24;
    if (exactHere && s.stored[i] !== v) problems.push(`${v} stored as ${s.stored[i]}`);
    if (!exactHere && s.stored[i] !== v) rounded.push(`${v} → ${s.stored[i]}`);
  });
  const n = s.input.length;
  const expected = [...s.stored.slice(n, n + 4), ...s.stored.slice(4, n), ...s.stored.slice(n)];
  if (s.pasted.join() !== expected.join()) problems.push(`paste [${s.pasted}] vs [${expected}] from the stored values`);
  const note = rounded.length ? `stored at upload: ${rounded.join(', ')}; the paste keeps what is stored` : 'exact';
  return { problems, note };
}

function trainProblems(r: TrainResult): { problems: string[]; note: string } {
  const problems: string[] = [];
  const reads = r.readbacks.at(-1) ?? 0;
  if (reads !== 0) {
    const firstStep = r.readbacks.findIndex((c) => c > 0) + 1;
    problems.push(
      `${reads} readbacks over ${r.readbacks.length} steps (first in step ${firstStep}): ${JSON.stringify(r.readbackSources)}`,
    );
  }
  const firstCompiles = r.compiles[0] ?? 0;
  const later = (r.compiles.at(-1) ?? 0) - firstCompiles;
  if (later !== 0) problems.push(`${later} programs compiled after step 1 (cumulative: ${r.compiles.join(',')})`);
  if (!Number.isFinite(r.finalLoss)) problems.push(`final loss ${r.finalLoss}`);
  if (r.leakedTensors !== 0) problems.push(`leaked ${r.leakedTensors} tensors`);
  if (r.backend === 'cpu') problems.push('ran on cpu');
  const note = `step 1: ${firstCompiles} compiles; steps 2–${r.compiles.length}: +${later} compiles, ${reads} readbacks; loss ${r.finalLoss.toFixed(4)}`;
  return { problems, note };
}

/** Runs every probe test of one backend on a fresh page (`available`: why not, when it cannot run). */
export async function testProbe(
  browser: Chromium,
  server: DemoServer,
  backend: ProbeBackend,
  cpuOps: OpResult[],
  unavailableReason?: string,
): Promise<void> {
  if (unavailableReason) {
    for (const test of plannedProbeTests(backend)) unavailable(test, unavailableReason);
    return;
  }
  const page: Page = await browser.context.newPage();
  const errors = watchErrors(page);
  const done = new Set<string>();
  const record = (test: string, problems: string[], note?: string) => {
    done.add(test);
    check(test, problems, note);
  };
  try {
    await page.goto(`${server.url}probe/`, { timeout: PROBE_TIMEOUT_MS });
    await page.waitForFunction(() => (window as unknown as ProbeWindow).__probe !== undefined);
    const run = <T>(fn: string, arg: unknown): Promise<T> =>
      withTimeout(
        page.evaluate(
          ([f, a]) =>
            (window as never as Record<string, Record<string, (x: unknown) => Promise<T>>>).__probe[f as string](a),
          [fn, arg] as const,
        ),
        PROBE_TIMEOUT_MS,
        `${backend} ${fn}`,
      );
    if (!(await run<boolean>('useBackend', backend))) throw new Error(`backend ${backend} failed to initialise`);
    const cases = casesFor(backend);
    const results = await run<KernelResult[]>('runKernelCases', cases);
    cases.forEach((c, i) => record(name(backend, `kernel · ${c.name}`), kernelProblems(c, results[i])));
    if (backend === 'webgl') {
      // One sample more than the uniform arrays could hold: the kernel's texture plan runs.
      const vectors = await run<number>('uniformVectors', null);
      const big: KernelCase = {
        name: `${vectors / 2 + 1} samples`,
        shape: [Math.floor(vectors / 2) + 1, 1, 2, 3],
        dataFormat: 'NCHW',
        dtype: 'float32',
        values: 'bits',
        seed: 12,
        edges: true,
      };
      const [result] = await run<KernelResult[]>('runKernelCases', [big]);
      record(
        name(backend, TEXTURE_PLAN_TEST),
        kernelProblems(big, result),
        `${big.shape[0]} samples, ${vectors} uniform vectors`,
      );
    }
    const opsStart = performance.now();
    const ops = await run<OpResult[]>('runOpCases', OP_CASES);
    const opsNote = `${OP_CASES.length} op cases in ${((performance.now() - opsStart) / 1000).toFixed(1)} s`;
    OP_CASES.forEach((c, i) =>
      record(name(backend, `${c.name} = cpu`), opProblems(c, ops[i], cpuOps[i]), i === 0 ? opsNote : undefined),
    );
    const storage = int32Problems(backend, await run<Int32Storage>('int32Storage', null));
    record(name(backend, 'int32 storage and paste'), storage.problems, storage.note);
    for (const t of TRAIN_TESTS) {
      const trainStart = performance.now();
      const result = trainProblems(await run<TrainResult>('train', { steps: TRAIN_STEPS, ...t }));
      result.note += `; ${((performance.now() - trainStart) / 1000).toFixed(1)} s`;
      record(
        name(backend, `${TRAIN_STEPS} training steps, ${t.what}: no readback, compiles flat`),
        result.problems,
        result.note,
      );
    }
  } catch (error) {
    for (const test of plannedProbeTests(backend))
      if (!done.has(test) && !test.endsWith('no page errors')) report(test, 'fail', errorText(error));
  } finally {
    check(name(backend, 'no page errors'), errors);
    await page.close().catch(() => undefined);
  }
}

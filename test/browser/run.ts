/**
 * `npm run test:browser`: the package in a real browser.
 *
 * 1. Node computes every case of docs/demo/cases.ts on cpu and on wasm, and checks each output element by
 *    element against an independent reference paste.
 * 2. esbuild bundles the demo page twice — the package from src/ and from the built ESM (dist/index.js) —
 *    and the probe page once; each bundle must hold exactly one copy of tfjs-core and of each backend.
 * 3. Debian's Chromium, headless with WebGPU on its software adapter, opens each page on cpu, wasm, webgl
 *    and webgpu; the page runs the same cases and its λ, boxes, partners, output bytes and partner labels
 *    must equal Node's on cpu and on wasm. On the source page the cases run a second time with the
 *    backend's kernel unregistered (the stock-op composite). Any request that leaves the local server
 *    fails the run.
 * 4. The probe page, on webgl and webgpu: the registered kernel on ranks 3–5, every layout, float32 (every
 *    bit pattern), int32 and bool against the N-D reference; every public op and the input gradient through
 *    it on ranks 3–5, both layouts, mixed and unmixed samples in one batch, against Node's cpu result; int32 storage; 50 training steps with no
 *    readback and no compile after the first step (test/browser/probe_checks.ts).
 * 5. A screenshot of the webgl page goes to .tmp/browser/demo-page.png (docs/images/ with --write).
 *
 * Prints one line per test and closes with `browser: N passed, M failed[, K skipped]`; exits non-zero on
 * any failure. Without Chromium or a WebGPU adapter the tests that need them are skipped with the reason,
 * or failed when CI is set.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseCli } from '../../scripts/cli.js';
import type { Page } from 'playwright-core';
import { makeBatch, runCase, TEST_CASES, type CaseResult, type DemoCase } from '../../docs/demo/cases.js';
import { buildDemoBundle, ROOT_DIR, startDemoServer, type DemoServer } from '../../docs/demo/server.js';
import { builtEsmEntry, bundleProblems } from './bundles.js';
import { chromiumMissingReason, launchChromium, type Chromium } from './chromium.js';
import { compareResults, decodeLabels, decodeOutput } from './compare.js';
import {
  BROWSER_BACKENDS,
  NODE_BACKENDS,
  plannedPageTests,
  testName,
  testPage,
  VARIANTS,
  type NodeResults,
} from './pages.js';
import { cpuOpResults } from './op_checks.js';
import type { OpResult } from './op_cases.js';
import { plannedProbeTests, PROBE_BACKENDS, testProbe, webgpuAdapter } from './probe_checks.js';
import { referencePasteND } from './reference_nd.js';
import { check, errorText, report, tally, unavailable } from './report.js';

const args = parseCli(process.argv.slice(2), {
  command: 'test:browser',
  usage:
    'npm run test:browser [-- --write]\n' +
    "Runs the package in Debian's Chromium (cpu, wasm, webgl, webgpu) against Node's cpu and wasm results.\n" +
    'Environment: CHROMIUM_PATH (default /usr/bin/chromium); CI=true turns "cannot run here" into failures.',
  options: {
    write: {
      type: 'boolean',
      help: 'save the webgl page screenshot as docs/images/demo-page.png (else in .tmp/browser/)',
    },
  },
});

// Only an explicit --write touches the committed picture: tests never modify tracked files.
const SCREENSHOT = path.join(ROOT_DIR, args.write ? 'docs/images/demo-page.png' : '.tmp/browser/demo-page.png');
const LAUNCH_TIMEOUT_MS = 60_000;
const PAGE_TIMEOUT_MS = 120_000;
const WHOLE_RUN_TIMEOUT_MS = 20 * 60_000;

/** The element-wise reference for a case's output, given the λ/boxes/partners the package drew. */
function referenceProblems(c: DemoCase, result: CaseResult): string[] {
  const { values, labels, shape } = makeBatch(c);
  const boxes = Int32Array.from(result.boxes.flatMap((b) => [0, b.y1, b.x1, 1, b.y2, b.x2]));
  const expected = referencePasteND(values, shape, result.partners, boxes, c.dataFormat);
  const actual = decodeOutput(result);
  const problems: string[] = [];
  const a = new Int32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Int32Array(expected.buffer);
  const first = a.length !== e.length ? 0 : a.findIndex((bits, i) => bits !== e[i]);
  if (a.length !== e.length || first >= 0) {
    problems.push(
      `output differs from the reference paste at flat index ${first}: ${actual[first]} vs ${expected[first]}`,
    );
  }
  const labelsB = decodeLabels(result);
  const expectedLabels = result.partners.map((p) => labels[p]);
  if (Array.from(labelsB).join() !== expectedLabels.join())
    problems.push(`labelsB [${labelsB}] vs labels[partners] [${expectedLabels}]`);
  if (result.leakedTensors !== 0) problems.push(`leaked ${result.leakedTensors} tensors`);
  return problems;
}

/** Step 1: every case on Node's cpu and wasm backends, each checked against the reference. */
async function computeNodeResults(): Promise<NodeResults> {
  const out = {} as NodeResults;
  for (const backend of NODE_BACKENDS) {
    if (!(await tf.setBackend(backend))) throw new Error(`node backend ${backend} failed to initialise`);
    await tf.ready();
    out[backend] = [];
    for (const c of TEST_CASES) {
      const { result } = await runCase(c);
      out[backend].push(result);
      const note = result.kernel ? 'kernel' : 'composite';
      check(`node ${backend} · ${c.name} · equals the element-wise reference`, referenceProblems(c, result), note);
    }
  }
  TEST_CASES.forEach((c, i) => check(`node wasm = node cpu · ${c.name}`, compareResults(out.wasm[i], out.cpu[i])));
  return out;
}

/** Every test that needs Chromium, for a run without it. */
function plannedBrowserTests(): string[] {
  const pages = VARIANTS.flatMap((v) => BROWSER_BACKENDS.flatMap((b) => plannedPageTests(v, b)));
  return [...pages, ...PROBE_BACKENDS.flatMap(plannedProbeTests), 'screenshot of the webgl page'];
}

async function runBrowserTests(node: NodeResults, cpuOps: OpResult[]): Promise<void> {
  const srcBundle = await buildDemoBundle();
  check(
    'bundle (package from src/) · one tfjs-core, one of each backend',
    bundleProblems(srcBundle, 'src/index.ts', false),
  );
  const built = await builtEsmEntry();
  const distBundle = await buildDemoBundle({ distEntry: built.entry });
  const distInput = path.relative(ROOT_DIR, built.entry);
  check(
    `bundle (package from the built ESM) · one tfjs-core, ${distInput}, no src/`,
    bundleProblems(distBundle, distInput, true),
    built.label,
  );
  const probeBundle = await buildDemoBundle({ entry: path.join(ROOT_DIR, 'test/browser/probe.ts') });

  // The bundles need no browser; everything from here on does.
  const missing = chromiumMissingReason();
  if (missing) {
    for (const name of plannedBrowserTests()) unavailable(name, missing);
    return;
  }

  let server: DemoServer | undefined;
  let browser: Chromium | undefined;
  try {
    server = await startDemoServer({ '': srcBundle, dist: distBundle, probe: probeBundle });
    browser = await launchChromium(LAUNCH_TIMEOUT_MS);
    const origin = new URL(server.url).origin;
    const external: string[] = [];
    await browser.context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    const adapter = await webgpuAdapter(browser, server);
    const noWebGPU = adapter.ok ? undefined : `no WebGPU adapter in this Chromium: ${adapter.info}`;
    console.log(
      `  (chromium ${browser.context.browser()?.version() ?? '?'}, pages on ${server.url}, WebGPU: ${adapter.info})`,
    );
    let screenshot = false;
    for (const variant of VARIANTS) {
      for (const backend of BROWSER_BACKENDS) {
        if (backend === 'webgpu' && noWebGPU) {
          for (const name of plannedPageTests(variant, backend)) unavailable(name, noWebGPU);
          continue;
        }
        const before = external.length;
        const shoot =
          variant.name === 'src' && backend === 'webgl'
            ? async (page: Page) => {
                mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
                await page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: PAGE_TIMEOUT_MS });
                screenshot = true;
              }
            : undefined;
        await testPage(browser, server, variant, backend, node, shoot);
        if (external.length > before) {
          report(testName(variant.name, backend, 'blocked requests'), 'fail', external.slice(before).join(', '));
        }
      }
    }
    for (const backend of PROBE_BACKENDS)
      await testProbe(browser, server, backend, cpuOps, backend === 'webgpu' ? noWebGPU : undefined);
    check(
      'screenshot of the webgl page',
      screenshot ? [] : ['not taken (the webgl page failed)'],
      path.relative(ROOT_DIR, SCREENSHOT),
    );
  } finally {
    await browser?.close().catch((e) => console.error(`closing chromium: ${errorText(e)}`));
    await server?.close();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const watchdog = setTimeout(() => {
    console.log(
      `browser: ${tally.pass} passed, ${tally.fail + 1} failed — the whole run exceeded ${WHOLE_RUN_TIMEOUT_MS / 60_000} min`,
    );
    process.exit(1);
  }, WHOLE_RUN_TIMEOUT_MS);
  watchdog.unref();
  try {
    console.log('browser tests: node references');
    const node = await computeNodeResults();
    const cpuOps = await cpuOpResults();
    console.log('browser tests: bundles and chromium');
    await runBrowserTests(node, cpuOps);
  } catch (error) {
    report('browser test run', 'fail', errorText(error));
  }
  console.log(`  (whole run ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const skipped = tally.skip > 0 ? `, ${tally.skip} skipped` : '';
  console.log(`browser: ${tally.pass} passed, ${tally.fail} failed${skipped}`);
  process.exitCode = tally.fail > 0 ? 1 : 0;
}

await main();

/**
 * `npm run test:browser`: the package in a real browser.
 *
 * 1. Node computes every case of docs/demo/cases.ts on cpu and on wasm, and checks each output element by
 *    element against an independent reference paste.
 * 2. esbuild bundles the demo page twice — the package from src/ and from the built ESM (dist/index.js) —
 *    and each bundle must hold exactly one copy of tfjs-core and of each backend.
 * 3. Debian's Chromium, headless, opens each page on cpu, wasm and webgl; the page runs the same cases and
 *    its λ, boxes, partners, output bytes and partner labels must equal Node's on cpu and on wasm. On the
 *    source page the cases run a second time with the backend's kernel unregistered (the stock-op
 *    composite). Any request that leaves the local server fails the run.
 * 4. A screenshot of the webgl page goes to docs/images/demo-page.png.
 *
 * Prints one line per test and closes with `browser: N passed, M failed[, K skipped]`; exits non-zero on
 * any failure. Without Chromium every browser test is reported skipped, with the reason.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { makeBatch, runCase, TEST_CASES, type CaseResult, type DemoCase } from '../../docs/demo/cases.js';
import type { DemoWindow } from '../../docs/demo/main.js';
import {
  buildDemoBundle,
  packagesInBundle,
  ROOT_DIR,
  startDemoServer,
  type DemoBundle,
  type DemoServer,
} from '../../docs/demo/server.js';
import { referencePaste } from '../support/reference.js';
import { chromiumMissingReason, launchChromium, type Chromium } from './chromium.js';
import { compareResults, decodeLabels, decodeOutput } from './compare.js';

const BROWSER_BACKENDS = ['cpu', 'wasm', 'webgl'] as const;
type BrowserBackend = (typeof BROWSER_BACKENDS)[number];
const NODE_BACKENDS = ['cpu', 'wasm'] as const;
type NodeBackend = (typeof NODE_BACKENDS)[number];

/** Page variants: the bundle's name on the server ('' is `/`) and whether its composite run is done. */
const VARIANTS = [
  { name: 'src', prefix: '', composite: true },
  { name: 'dist', prefix: 'dist', composite: false },
] as const;

const SCREENSHOT = path.join(ROOT_DIR, 'docs/images/demo-page.png');
const LAUNCH_TIMEOUT_MS = 60_000;
const PAGE_TIMEOUT_MS = 120_000;
const CASES_TIMEOUT_MS = 300_000;
const WHOLE_RUN_TIMEOUT_MS = 20 * 60_000;

type Status = 'pass' | 'fail' | 'skip';
const tally: Record<Status, number> = { pass: 0, fail: 0, skip: 0 };

function report(name: string, status: Status, detail?: string): void {
  tally[status]++;
  const tag = { pass: 'ok  ', fail: 'FAIL', skip: 'skip' }[status];
  const shown = detail && detail.length > 600 ? `${detail.slice(0, 600)}…` : detail;
  console.log(`  ${tag} ${name}${shown ? ` — ${shown}` : ''}`);
}

/** Records a test from its list of problems: none is a pass. */
function check(name: string, problems: string[], note?: string): void {
  if (problems.length === 0) report(name, 'pass', note);
  else report(name, 'fail', problems.join('; '));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n').slice(0, 6).join(' | ') : String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The element-wise reference for a case's output, given the λ/boxes/partners the package drew. */
function referenceProblems(c: DemoCase, result: CaseResult): string[] {
  const { values, labels, shape } = makeBatch(c);
  const expected = referencePaste(values, shape, result.partners, result.boxes, c.dataFormat);
  const typed = c.dtype === 'int32' ? Int32Array.from(expected) : Float32Array.from(expected);
  const actual = decodeOutput(result);
  const problems: string[] = [];
  const a = new Int32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Int32Array(typed.buffer);
  const first = a.length !== e.length ? 0 : a.findIndex((bits, i) => bits !== e[i]);
  if (a.length !== e.length || first >= 0) {
    problems.push(
      `output differs from the reference paste at flat index ${first}: ${actual[first]} vs ${typed[first]}`,
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
async function computeNodeResults(): Promise<Record<NodeBackend, CaseResult[]>> {
  const out = {} as Record<NodeBackend, CaseResult[]>;
  for (const backend of NODE_BACKENDS) {
    if (!(await tf.setBackend(backend))) throw new Error(`node backend ${backend} failed to initialise`);
    await tf.ready();
    out[backend] = [];
    for (const c of TEST_CASES) {
      const { result } = await runCase(c);
      out[backend].push(result);
      check(
        `node ${backend} · ${c.name} · equals the element-wise reference`,
        referenceProblems(c, result),
        result.kernel ? 'kernel' : 'composite',
      );
    }
  }
  TEST_CASES.forEach((c, i) => {
    check(`node wasm = node cpu · ${c.name}`, compareResults(out.wasm[i], out.cpu[i]));
  });
  return out;
}

/** Newest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The built ESM entry to bundle: dist/index.js from `npm run build` when it is newer than every source
 * file, else a fresh build with the same tsup config into .tmp/browser/dist (dist/ is left alone).
 */
function builtEsmEntry(): { entry: string; label: string } {
  const distEntry = path.join(ROOT_DIR, 'dist/index.js');
  if (existsSync(distEntry) && statSync(distEntry).mtimeMs >= newestMtime(path.join(ROOT_DIR, 'src'))) {
    return { entry: distEntry, label: 'dist/index.js (npm run build)' };
  }
  const outDir = path.join(ROOT_DIR, '.tmp/browser/dist');
  const built = spawnSync('npx', ['tsup', '--out-dir', outDir, '--silent'], {
    cwd: ROOT_DIR,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (built.status !== 0) {
    throw new Error(`tsup build failed (status ${built.status}): ${built.error?.message ?? ''} ${built.stderr}`);
  }
  return {
    entry: path.join(outDir, 'index.js'),
    label: `${path.relative(ROOT_DIR, outDir)}/index.js (fresh tsup build, the project's config)`,
  };
}

/** What must hold for a page bundle: one copy of tfjs-core and of each backend, and the expected package entry. */
function bundleProblems(bundle: DemoBundle, packageEntry: string, forbidSrc: boolean): string[] {
  const problems: string[] = [];
  const packages = packagesInBundle(bundle.metafile);
  for (const name of ['tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-backend-webgl']) {
    const copies = [...packages.keys()].filter((dir) => dir.endsWith(`@tensorflow/${name}`));
    if (copies.length !== 1) problems.push(`${copies.length} copies of @tensorflow/${name}: ${copies.join(', ')}`);
    for (const dir of copies) {
      // A prebuilt single-file bundle (tf-core.node.js, tf-backend-cpu.es2017.js, …) next to dist/index.js
      // would be a second copy of the same package.
      const prebuilt = (packages.get(dir) ?? []).filter((f) => /(^|\/)tf-[a-z-]+(\.[a-z0-9]+)*\.js$/.test(f));
      if (prebuilt.length > 0) problems.push(`@tensorflow/${name} also bundled as ${prebuilt.join(', ')}`);
    }
  }
  const inputs = Object.keys(bundle.metafile.inputs);
  if (!inputs.includes(packageEntry)) problems.push(`${packageEntry} is not in the bundle`);
  if (forbidSrc) {
    const fromSrc = inputs.filter((f) => f.startsWith('src/'));
    if (fromSrc.length > 0)
      problems.push(`source files bundled instead of the build: ${fromSrc.slice(0, 3).join(', ')}…`);
  }
  return problems;
}

function testName(variant: string, backend: string, what: string): string {
  return `chromium ${variant} page · ${backend} · ${what}`;
}

/** Every browser test by name, so that a run without Chromium can report each one skipped. */
function plannedBrowserTests(): string[] {
  const names: string[] = [];
  for (const v of VARIANTS) {
    for (const backend of BROWSER_BACKENDS) {
      names.push(testName(v.name, backend, 'page draws the demo, equal to node'));
      names.push(testName(v.name, backend, 'CutmixPaste kernel registered and used'));
      for (const c of TEST_CASES) names.push(testName(v.name, backend, c.name));
      if (v.composite) for (const c of TEST_CASES) names.push(testName(v.name, backend, `composite · ${c.name}`));
      names.push(testName(v.name, backend, 'no page errors, no request beyond the local server'));
    }
  }
  names.push('screenshot docs/images/demo-page.png');
  return names;
}

/** Compares a page's results for every case to Node's cpu and wasm results. */
function checkCases(
  variant: string,
  backend: BrowserBackend,
  results: CaseResult[],
  node: Record<NodeBackend, CaseResult[]>,
  composite: boolean,
): void {
  TEST_CASES.forEach((c, i) => {
    const name = testName(variant, backend, `${composite ? 'composite · ' : ''}${c.name}`);
    const r = results[i];
    if (!r) return report(name, 'fail', 'no result from the page');
    const problems: string[] = [];
    if (r.backend !== backend) problems.push(`ran on ${r.backend}, not ${backend}`);
    // Whether the kernel is there is its own test; here only a composite run that was not one fails.
    if (composite && r.kernel) problems.push('a CutmixPaste kernel ran, composite expected');
    for (const nb of NODE_BACKENDS) problems.push(...compareResults(r, node[nb][i]).map((p) => `vs node ${nb}: ${p}`));
    check(name, problems, `${r.kernel ? 'kernel' : 'composite'}, ${r.ms.toFixed(1)} ms`);
  });
}

/** Opens one page on one backend, checks its drawn demo, runs the cases (and the composite run). */
async function testPage(
  browser: Chromium,
  server: DemoServer,
  variant: (typeof VARIANTS)[number],
  backend: BrowserBackend,
  node: Record<NodeBackend, CaseResult[]>,
  afterCases?: (page: Page) => Promise<void>,
): Promise<void> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  const pending = plannedBrowserTests().filter((n) => n.startsWith(testName(variant.name, backend, '')));
  const done = new Set<string>();
  const mark = (name: string, status: Status, detail?: string) => {
    done.add(name);
    report(name, status, detail);
  };
  try {
    const url = `${server.url}${variant.prefix ? `${variant.prefix}/` : ''}?backend=${backend}`;
    await page.goto(url, { timeout: PAGE_TIMEOUT_MS });
    await page.waitForFunction(() => (window as unknown as DemoWindow).__cutmixReady === true, null, {
      timeout: PAGE_TIMEOUT_MS,
    });
    const shown = await page.evaluate(() => {
      const w = window as unknown as DemoWindow;
      return { error: w.__cutmixError, result: w.__cutmix };
    });
    // A page that did not draw fails every test of the page (in the catch below).
    if (shown.error || !shown.result) throw new Error(`the page did not draw: ${shown.error ?? 'no window.__cutmix'}`);
    {
      const drawName = testName(variant.name, backend, 'page draws the demo, equal to node');
      const problems = [...compareResults(shown.result, node.cpu[0]), ...compareResults(shown.result, node.wasm[0])];
      if (shown.result.backend !== backend) problems.push(`page runs on ${shown.result.backend}`);
      done.add(drawName);
      check(drawName, problems, shown.result.kernel ? 'kernel' : 'composite');
      const kernelName = testName(variant.name, backend, 'CutmixPaste kernel registered and used');
      done.add(kernelName);
      const kernelState = await page.evaluate(() => (window as unknown as DemoWindow).__cutmixKernelInfo?.());
      check(
        kernelName,
        shown.result.kernel
          ? []
          : [`tf.getKernel('CutmixPaste', '${backend}') is undefined after a paste; registered for: ${kernelState}`],
      );

      const runs = variant.composite ? [false, true] : [false];
      for (const composite of runs) {
        const results = await withTimeout(
          page.evaluate(
            ([cases, asComposite]) =>
              (window as unknown as DemoWindow).__cutmixRunCases!(cases as DemoCase[], {
                composite: asComposite as boolean,
              }),
            [TEST_CASES, composite] as const,
          ),
          CASES_TIMEOUT_MS,
          `${backend} cases`,
        );
        TEST_CASES.forEach((c) =>
          done.add(testName(variant.name, backend, `${composite ? 'composite · ' : ''}${c.name}`)),
        );
        checkCases(variant.name, backend, results, node, composite);
      }
      if (afterCases) await afterCases(page);
    }
  } catch (error) {
    for (const name of pending)
      if (!done.has(name) && !name.endsWith('request beyond the local server')) mark(name, 'fail', errorText(error));
  } finally {
    const hygiene = testName(variant.name, backend, 'no page errors, no request beyond the local server');
    check(hygiene, errors);
    await page.close().catch(() => undefined);
  }
}

async function runBrowserTests(node: Record<NodeBackend, CaseResult[]>): Promise<void> {
  const srcBundle = await buildDemoBundle();
  check(
    'bundle (package from src/) · one tfjs-core, one of each backend',
    bundleProblems(srcBundle, 'src/index.ts', false),
  );
  const built = builtEsmEntry();
  const distBundle = await buildDemoBundle({ distEntry: built.entry });
  const distInput = path.relative(ROOT_DIR, built.entry);
  check(
    `bundle (package from the built ESM) · one tfjs-core, ${distInput}, no src/`,
    bundleProblems(distBundle, distInput, true),
    built.label,
  );

  // The bundles need no browser; everything from here on does.
  const missing = chromiumMissingReason();
  if (missing) {
    for (const name of plannedBrowserTests()) report(name, 'skip', missing);
    return;
  }

  let server: DemoServer | undefined;
  let browser: Chromium | undefined;
  try {
    server = await startDemoServer({ '': srcBundle, dist: distBundle });
    browser = await launchChromium(LAUNCH_TIMEOUT_MS);
    const origin = new URL(server.url).origin;
    const external: string[] = [];
    await browser.context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    console.log(`  (chromium ${browser.context.browser()?.version() ?? '?'}, pages on ${server.url})`);
    let screenshot = false;
    for (const variant of VARIANTS) {
      for (const backend of BROWSER_BACKENDS) {
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
    check('screenshot docs/images/demo-page.png', screenshot ? [] : ['not taken (the webgl page failed)']);
  } finally {
    await browser?.close().catch((e) => console.error(`closing chromium: ${errorText(e)}`));
    await server?.close();
  }
}

async function main(): Promise<void> {
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
    console.log('browser tests: bundles and chromium');
    await runBrowserTests(node);
  } catch (error) {
    report('browser test run', 'fail', errorText(error));
  }
  const skipped = tally.skip > 0 ? `, ${tally.skip} skipped` : '';
  console.log(`browser: ${tally.pass} passed, ${tally.fail} failed${skipped}`);
  process.exitCode = tally.fail > 0 ? 1 : 0;
}

await main();

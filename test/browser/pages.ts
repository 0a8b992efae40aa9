/**
 * The demo page on one backend: it must draw the same mix as Node, have its kernel registered, and give
 * every test case byte for byte Node's cpu and wasm results, with the kernel and (on the source page)
 * with the stock-op composite.
 */
import type { Page } from 'playwright-core';
import { TEST_CASES, type CaseResult, type DemoCase } from '../../docs/demo/cases.js';
import type { DemoWindow } from '../../docs/demo/main.js';
import type { DemoServer } from '../../docs/demo/server.js';
import type { Chromium } from './chromium.js';
import { compareResults } from './compare.js';
import { check, errorText, report, withTimeout, type Status } from './report.js';

export const BROWSER_BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];
export const NODE_BACKENDS = ['cpu', 'wasm'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];
export type NodeResults = Record<NodeBackend, CaseResult[]>;

/** Page variants: the bundle's name on the server ('' is `/`) and whether its composite run is done. */
export const VARIANTS = [
  { name: 'src', prefix: '', composite: true },
  { name: 'dist', prefix: 'dist', composite: false },
] as const;
export type Variant = (typeof VARIANTS)[number];

const PAGE_TIMEOUT_MS = 120_000;
const CASES_TIMEOUT_MS = 300_000;

export function testName(variant: string, backend: string, what: string): string {
  return `chromium ${variant} page · ${backend} · ${what}`;
}

/** Every test of one page, so that a page that cannot run can report each one. */
export function plannedPageTests(variant: Variant, backend: BrowserBackend): string[] {
  const names = [
    testName(variant.name, backend, 'page draws the demo, equal to node'),
    testName(variant.name, backend, 'CutmixPaste kernel registered and used'),
    ...TEST_CASES.map((c) => testName(variant.name, backend, c.name)),
  ];
  if (variant.composite) names.push(...TEST_CASES.map((c) => testName(variant.name, backend, `composite · ${c.name}`)));
  names.push(testName(variant.name, backend, 'no page errors, no request beyond the local server'));
  return names;
}

/** Compares a page's results for every case to Node's cpu and wasm results. */
function checkCases(
  variant: string,
  backend: BrowserBackend,
  results: CaseResult[],
  node: NodeResults,
  composite: boolean,
) {
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

/** Collects page errors, console errors and failed requests of a page. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  return errors;
}

/** Opens one page on one backend, checks its drawn demo, runs the cases (and the composite run). */
export async function testPage(
  browser: Chromium,
  server: DemoServer,
  variant: Variant,
  backend: BrowserBackend,
  node: NodeResults,
  afterCases?: (page: Page) => Promise<void>,
): Promise<void> {
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
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

    for (const composite of variant.composite ? [false, true] : [false]) {
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
  } catch (error) {
    for (const name of plannedPageTests(variant, backend))
      if (!done.has(name) && !name.endsWith('request beyond the local server')) mark(name, 'fail', errorText(error));
  } finally {
    check(testName(variant.name, backend, 'no page errors, no request beyond the local server'), errors);
    await page.close().catch(() => undefined);
  }
}

/**
 * The demo page: mixes a generated batch with `cutmixBatch` on the chosen backend (cpu, wasm, webgl or
 * webgpu) and draws the originals and the mixed tiles with their labels, λ and box. webgpu is offered
 * greyed out, with the reason, when the browser has no WebGPU adapter.
 *
 * tfjs-core and the backends are the page's own dependencies; the package only imports tfjs-core, so a
 * bundler puts one copy of tfjs-core in the page. The wasm binaries are served by the demo server from
 * the backend package (`setWasmPaths('/wasm/')`): nothing is fetched from anywhere else.
 *
 * For the browser tests the page exposes `window.__cutmix` (the shown result), `window.__cutmixReady`,
 * `window.__cutmixError` and `window.__cutmixRunCases(cases)` (see {@link DemoWindow}).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { CUTMIX_PASTE } from '../../src/index.js';
import {
  CLASS_NAMES,
  DEMO_CASE,
  makeBatch,
  runCase,
  type CaseResult,
  type DemoCase,
  type MixedBatch,
} from './cases.js';

export const DEMO_BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
export type DemoBackend = (typeof DEMO_BACKENDS)[number];

/** What the page exposes on `window` for the browser tests. */
export interface DemoWindow {
  /** The result shown on the page, once it is drawn. */
  __cutmix?: CaseResult;
  /** Set once the first mix is drawn (or failed: then `__cutmixError` is set too). */
  __cutmixReady?: boolean;
  __cutmixError?: string;
  /**
   * Runs the given cases on the page's backend, in order, and returns their results. With
   * `composite: true` the backend's `CutmixPaste` kernel is unregistered for the run (and restored), so
   * the stock-op fallback is what runs.
   */
  __cutmixRunCases?: (cases: DemoCase[], options?: { composite?: boolean }) => Promise<CaseResult[]>;
  /** The page's backends that have a `CutmixPaste` kernel registered, comma-separated (for test reports). */
  __cutmixKernelInfo?: () => string;
}

const TILE_SCALE = 4;
const GAP = 12;
const CAPTION = 50;

setWasmPaths('/wasm/');

const page = window as unknown as DemoWindow;
const statusLine = document.getElementById('status') as HTMLDivElement;
const canvas = document.getElementById('canvas') as HTMLCanvasElement;
const backendSelect = document.getElementById('backend') as HTMLSelectElement;
const modeSelect = document.getElementById('mode') as HTMLSelectElement;
const seedInput = document.getElementById('seed') as HTMLInputElement;

/** An error whose message is the whole story for the reader (shown without a stack trace). */
class PageError extends Error {}

function readParams(): { backend: DemoBackend; mode: 'batch' | 'elem'; seed: number } {
  const params = new URLSearchParams(location.search);
  const backend = params.get('backend') ?? 'cpu';
  if (!(DEMO_BACKENDS as readonly string[]).includes(backend)) {
    // The menu must not claim a backend the page is not on.
    backendSelect.selectedIndex = -1;
    throw new PageError(`unknown backend '${backend}' in the URL; use one of ${DEMO_BACKENDS.join(', ')}`);
  }
  const mode = params.get('mode') === 'elem' ? 'elem' : 'batch';
  const seed = Number(params.get('seed') ?? DEMO_CASE.seed);
  return { backend: backend as DemoBackend, mode, seed: Number.isFinite(seed) ? seed : DEMO_CASE.seed };
}

/** Why the browser cannot run webgpu, or undefined when it has an adapter (asked once). */
const webgpuUnavailable: Promise<string | undefined> = (async () => {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return 'this browser has no WebGPU (navigator.gpu is missing)';
  const adapter = await gpu.requestAdapter().catch(() => null);
  return adapter ? undefined : 'this browser offers no WebGPU adapter';
})();

/** Greys out the webgpu entry of the menu, with the reason, when there is no adapter. */
async function markWebGPUOption(): Promise<void> {
  const reason = await webgpuUnavailable;
  const option = backendSelect.querySelector<HTMLOptionElement>('option[value="webgpu"]');
  if (!reason || !option) return;
  option.disabled = true;
  option.textContent = 'webgpu (unavailable)';
  option.title = reason;
}

async function useBackend(name: DemoBackend): Promise<void> {
  if (tf.getBackend() === name) return;
  const reason = name === 'webgpu' ? await webgpuUnavailable : undefined;
  if (reason) throw new PageError(`backend 'webgpu' cannot run here: ${reason}`);
  // setBackend resolves false (and logs) when a backend cannot initialise; never fall back silently.
  if (!(await tf.setBackend(name))) throw new PageError(`backend '${name}' failed to initialise in this browser`);
  await tf.ready();
}

/** Value of channel `ch` at (y, x) of sample `s`, scaled to 0..255 for display. */
function pixelByte(
  values: Float32Array | Int32Array,
  c: DemoCase,
  s: number,
  ch: number,
  y: number,
  x: number,
): number {
  const i = c.dataFormat === 'NCHW' ? ((s * c.c + ch) * c.h + y) * c.w + x : ((s * c.h + y) * c.w + x) * c.c + ch;
  const v = c.dtype === 'float32' ? values[i] * 255 : values[i];
  return Math.max(0, Math.min(255, Math.round(v)));
}

function drawTile(
  ctx: CanvasRenderingContext2D,
  values: Float32Array | Int32Array,
  c: DemoCase,
  s: number,
  left: number,
  top: number,
): void {
  const image = new ImageData(c.w, c.h);
  for (let y = 0; y < c.h; y++) {
    for (let x = 0; x < c.w; x++) {
      const o = 4 * (y * c.w + x);
      for (let ch = 0; ch < 3; ch++) image.data[o + ch] = pixelByte(values, c, s, Math.min(ch, c.c - 1), y, x);
      image.data[o + 3] = 255;
    }
  }
  const tile = document.createElement('canvas');
  tile.width = c.w;
  tile.height = c.h;
  (tile.getContext('2d') as CanvasRenderingContext2D).putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tile, left, top, c.w * TILE_SCALE, c.h * TILE_SCALE);
}

function draw(c: DemoCase, original: Float32Array | Int32Array, mixed: MixedBatch): void {
  const tileW = c.w * TILE_SCALE;
  const tileH = c.h * TILE_SCALE;
  canvas.width = GAP + c.n * (tileW + GAP);
  canvas.height = GAP + 2 * (tileH + CAPTION + GAP) + 4;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  const mixedTop = GAP + tileH + CAPTION + GAP;
  for (let s = 0; s < c.n; s++) {
    const left = GAP + s * (tileW + GAP);
    drawTile(ctx, original, c, s, left, GAP);
    ctx.fillStyle = '#1d2330';
    ctx.fillText(`#${s}  ${CLASS_NAMES[mixed.labelsA[s]]}`, left, GAP + tileH + 4);

    drawTile(ctx, mixed.images, c, s, left, mixedTop);
    const box = mixed.result.boxes[s];
    // A sample paired with itself pastes its own pixels: nothing changed, so no box and λ = 1.
    const self = mixed.result.partners[s] === s;
    if (!self && box.y2 > box.y1 && box.x2 > box.x1) {
      const bx = left + box.x1 * TILE_SCALE + 0.5;
      const by = mixedTop + box.y1 * TILE_SCALE + 0.5;
      const bw = (box.x2 - box.x1) * TILE_SCALE - 1;
      const bh = (box.y2 - box.y1) * TILE_SCALE - 1;
      ctx.lineWidth = 1;
      ctx.setLineDash([4, 3]);
      ctx.strokeStyle = '#000';
      ctx.strokeRect(bx, by, bw, bh);
      ctx.lineDashOffset = 4;
      ctx.strokeStyle = '#fff';
      ctx.strokeRect(bx, by, bw, bh);
      ctx.setLineDash([]);
      ctx.lineDashOffset = 0;
    }
    ctx.fillStyle = '#1d2330';
    ctx.fillText(`A: ${CLASS_NAMES[mixed.labelsA[s]]}`, left, mixedTop + tileH + 4);
    ctx.fillText(
      `B: ${CLASS_NAMES[mixed.labelsB[s]]} (from #${mixed.result.partners[s]})`,
      left,
      mixedTop + tileH + 18,
    );
    const lam = self ? 'λ = 1 (own partner)' : `λ = ${mixed.result.lam[s].toFixed(3)}`;
    ctx.fillText(lam, left, mixedTop + tileH + 32);
  }
}

async function backendDetails(name: DemoBackend): Promise<string> {
  if (name === 'wasm') return `SIMD ${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')}`;
  if (name === 'webgl') return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}`;
  return '';
}

async function mixAndDraw(): Promise<void> {
  const { backend, mode, seed } = readParams();
  backendSelect.value = backend;
  modeSelect.value = mode;
  seedInput.value = String(seed);
  statusLine.className = '';
  statusLine.textContent = `mixing on ${backend}…`;
  await useBackend(backend);
  const c: DemoCase = { ...DEMO_CASE, mode, seed, name: `demo: ${mode} NCHW float32 8×3×32×32` };
  const mixed = await runCase(c);
  draw(c, makeBatch(c).values, mixed);
  const r = mixed.result;
  const paste = r.kernel ? 'CutmixPaste kernel' : 'stock-op composite (no kernel for this backend)';
  const details = await backendDetails(backend);
  statusLine.textContent =
    `backend ${r.backend}${details ? ` (${details})` : ''} · paste: ${paste}\n` +
    `${r.shape.join('×')} ${c.dataFormat} ${r.dtype} · mode ${mode} · seed ${seed}`;
  // Timing stays off the page so that its screenshot is the same on every run.
  console.info(`cutmixBatch + readback on ${r.backend}: ${r.ms.toFixed(1)} ms`);
  page.__cutmix = r;
}

/** Reloads the page's state from the form through the URL, so a shared link reproduces the picture. */
function onSubmit(event: Event): void {
  event.preventDefault();
  const params = new URLSearchParams({ backend: backendSelect.value, mode: modeSelect.value, seed: seedInput.value });
  history.replaceState(null, '', `?${params}`);
  mixAndDraw().catch(showError);
}

function showError(error: unknown): void {
  // Expected failures say everything in their message; anything else keeps its stack for debugging.
  const message =
    error instanceof PageError || !(error instanceof Error)
      ? String(error instanceof Error ? error.message : error)
      : (error.stack ?? error.message);
  statusLine.className = 'error';
  statusLine.textContent = `error: ${message}`;
  page.__cutmixError = message;
  page.__cutmixReady = true;
}

page.__cutmixRunCases = async (cases: DemoCase[], options: { composite?: boolean } = {}) => {
  const backend = tf.getBackend();
  // The page's first mix has already registered the kernels (registration is lazy), so this finds it.
  const kernel = options.composite ? tf.getKernel(CUTMIX_PASTE, backend) : undefined;
  if (kernel) tf.unregisterKernel(CUTMIX_PASTE, backend);
  try {
    const results: CaseResult[] = [];
    for (const c of cases) results.push((await runCase(c)).result);
    return results;
  } finally {
    if (kernel) tf.registerKernel(kernel);
  }
};

page.__cutmixKernelInfo = () =>
  DEMO_BACKENDS.filter((b) => tf.getKernel(CUTMIX_PASTE, b) !== undefined).join(', ') || 'none';

(document.getElementById('controls') as HTMLFormElement).addEventListener('submit', onSubmit);
backendSelect.addEventListener('change', onSubmit);
modeSelect.addEventListener('change', onSubmit);

void markWebGPUOption();
mixAndDraw()
  .then(() => {
    page.__cutmixReady = true;
  })
  .catch(showError);

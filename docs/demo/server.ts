/**
 * Builds the demo page with esbuild (in memory) and serves it on 127.0.0.1, with the wasm backend's
 * binaries from node_modules: the page needs nothing from anywhere else. Used by `npm run demo:web`
 * (serve.ts) and by the browser tests (test/browser/run.ts).
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEMO_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT_DIR = path.resolve(DEMO_DIR, '../..');
const WASM_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')),
  'dist',
);
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** A bundled page script and esbuild's record of every input file that went into it. */
export interface DemoBundle {
  js: string;
  metafile: Metafile;
}

/**
 * Redirects the demo's imports of the package source (`../../src/index.js`) to a built ESM file, so the
 * same page runs against `dist/index.js` exactly as a user's bundler would see it.
 */
function packageFromDist(distEntry: string): Plugin {
  return {
    name: 'package-from-dist',
    setup(b) {
      b.onResolve({ filter: /\/src\/index\.js$/ }, (args) =>
        args.resolveDir === DEMO_DIR ? { path: distEntry } : undefined,
      );
    },
  };
}

/**
 * Bundles docs/demo/main.ts (or another page script, `entry`) for the browser (ESM, one file). With
 * `distEntry`, the package is taken from that built file instead of src/.
 */
export async function buildDemoBundle(options: { distEntry?: string; entry?: string } = {}): Promise<DemoBundle> {
  const result = await build({
    entryPoints: [options.entry ?? path.join(DEMO_DIR, 'main.ts')],
    absWorkingDir: ROOT_DIR,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    metafile: true,
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: options.distEntry ? [packageFromDist(options.distEntry)] : [],
  });
  return { js: result.outputFiles[0].text, metafile: result.metafile };
}

/**
 * Where each package in a bundle came from: package directory → the input files bundled from it. Used
 * to check that tfjs-core is in the page exactly once.
 */
export function packagesInBundle(metafile: Metafile): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(input);
    if (!match) continue;
    const files = byPackage.get(match[1]) ?? [];
    files.push(match[2]);
    byPackage.set(match[1], files);
  }
  return byPackage;
}

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the page on 127.0.0.1 (random port unless `port` is given): `/` is the page on the bundle
 * `bundles['']`, `/<name>/` the same page on `bundles[name]`, `/wasm/*.wasm` the backend's binaries.
 */
export async function startDemoServer(bundles: Record<string, DemoBundle>, port = 0): Promise<DemoServer> {
  const html = await readFile(path.join(DEMO_DIR, 'index.html'));
  const wasm = new Map<string, Buffer>();
  for (const name of WASM_FILES) wasm.set(name, await readFile(path.join(WASM_DIR, name)));

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const wasmMatch = /^\/wasm\/([^/]+)$/.exec(url.pathname);
    if (wasmMatch && wasm.has(wasmMatch[1]))
      return send(res, 200, 'application/wasm', wasm.get(wasmMatch[1]) as Buffer);
    const pageMatch = /^\/(?:([a-z0-9-]+)\/)?(index\.html|main\.js)?$/.exec(url.pathname);
    const bundle = pageMatch ? bundles[pageMatch[1] ?? ''] : undefined;
    if (pageMatch && bundle) {
      if (pageMatch[2] === 'main.js') return send(res, 200, 'text/javascript; charset=utf-8', bundle.js);
      return send(res, 200, 'text/html; charset=utf-8', html);
    }
    // No icon: answer the browser's automatic request without a 404 in the console.
    if (url.pathname === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    send(res, 404, 'text/plain; charset=utf-8', `not found: ${url.pathname}`);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actualPort}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

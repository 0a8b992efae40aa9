/**
 * The page bundles the browser run serves, and what must hold for them: one copy of tfjs-core and of
 * each backend, and the package entry they were built from.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'tsup';
import { packagesInBundle, ROOT_DIR, type DemoBundle } from '../../docs/demo/server.js';

export const TFJS_PACKAGES = [
  'tfjs-core',
  'tfjs-backend-cpu',
  'tfjs-backend-wasm',
  'tfjs-backend-webgl',
  'tfjs-backend-webgpu',
];

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
 * file, else a fresh build with the project's tsup config into .tmp/browser/dist (dist/ is left alone),
 * ESM only and without declarations: the page needs the JavaScript, and `npm run build` checks the types.
 */
export async function builtEsmEntry(): Promise<{ entry: string; label: string }> {
  const distEntry = path.join(ROOT_DIR, 'dist/index.js');
  if (existsSync(distEntry) && statSync(distEntry).mtimeMs >= newestMtime(path.join(ROOT_DIR, 'src'))) {
    return { entry: distEntry, label: 'dist/index.js (npm run build)' };
  }
  const outDir = path.join(ROOT_DIR, '.tmp/browser/dist');
  const config = (await import('../../tsup.config.js')).default as Record<string, unknown>;
  await build({ ...config, format: ['esm'], dts: false, sourcemap: false, outDir, silent: true });
  return {
    entry: path.join(outDir, 'index.js'),
    label: `${path.relative(ROOT_DIR, outDir)}/index.js (fresh tsup build, the project's config, ESM only)`,
  };
}

/** What must hold for a page bundle: one copy of tfjs-core and of each backend, and the expected package entry. */
export function bundleProblems(bundle: DemoBundle, packageEntry: string, forbidSrc: boolean): string[] {
  const problems: string[] = [];
  const packages = packagesInBundle(bundle.metafile);
  for (const name of TFJS_PACKAGES) {
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

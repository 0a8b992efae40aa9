// ESM consumer: loads the installed tarball with `import`, as a user's ES module does, and runs the checks.
// The tfjs modules to load come from consumer.json (written by scripts/test-package.ts), so the same script
// runs against tfjs-core + backends or the @tensorflow/tfjs union package.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import * as lib from 'tfjs-cutmix';
import * as libData from 'tfjs-cutmix/data';
import * as libWasmGrad from 'tfjs-cutmix/wasm-grad';
import checks from './checks.cjs';

const config = JSON.parse(readFileSync(new URL('./consumer.json', import.meta.url), 'utf8'));
// A CommonJS module's whole exports object is its default export under `import()`.
const load = async (name) => {
  const m = await import(name);
  return m.default ?? m;
};
const tf = await load(config.tf);
for (const name of config.imports) await load(name);
// config.data: a tf.data module, 'union' (the union package's tf.data) or null (not installed).
const data = config.data === 'union' ? tf.data : config.data ? await load(config.data) : null;
const layers = config.layers === 'union' ? tf : await load(config.layers);

const { passed, skipped, failures } = await checks.runChecks({
  tf,
  data,
  layers,
  lib,
  libData,
  libWasmGrad,
  backends: config.backends,
});
for (const f of failures) console.error(f);
console.log(
  `esm consumer (tfjs-core ${tf.version_core}): ${passed} checks passed, ${failures.length} failed, ${skipped} skipped`,
);
process.exitCode = failures.length ? 1 : 0;

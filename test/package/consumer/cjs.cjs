// CommonJS consumer: loads the installed tarball with `require`, as a user's CommonJS module does, and runs
// the checks. The tfjs modules to load come from consumer.json (written by scripts/test-package.ts).
'use strict';
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- requiring the package is what this file tests */
const lib = require('tfjs-cutmix');
const libData = require('tfjs-cutmix/data');
const libWasmGrad = require('tfjs-cutmix/wasm-grad');
const { runChecks } = require('./checks.cjs');
const config = require('./consumer.json');

const tf = require(config.tf);
for (const name of config.imports) require(name);
// config.data: a tf.data module, 'union' (the union package's tf.data) or null (not installed).
const data = config.data === 'union' ? tf.data : config.data ? require(config.data) : null;
const layers = config.layers === 'union' ? tf : require(config.layers);

runChecks({ tf, data, layers, lib, libData, libWasmGrad, backends: config.backends }).then(
  ({ passed, skipped, failures }) => {
    for (const f of failures) console.error(f);
    console.log(
      `cjs consumer (tfjs-core ${tf.version_core}): ${passed} checks passed, ${failures.length} failed, ${skipped} skipped`,
    );
    process.exitCode = failures.length ? 1 : 0;
  },
);

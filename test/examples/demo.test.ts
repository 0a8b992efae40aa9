import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../docs/examples/demo.js';
import { score } from '../../docs/examples/demo/metrics.js';
import { caption } from '../../docs/examples/demo/picture.js';
import { registerWasmConv2dFilterGrad } from '../../docs/examples/demo/wasm_conv2d_filter_grad.js';
import { seededRng } from 'tfjs-cutmix';
import { useBackend } from '../support/backends.js';

const outDir = mkdtempSync(join(tmpdir(), 'tfjs-cutmix-demo-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run demo -- --quick', () => {
  it('trains both runs on wasm, scores them, writes the picture and releases every tensor', async () => {
    const result = await main({ quick: true, outDir, log: false });
    expect(tf.getBackend()).toBe('wasm');
    expect(result.runs.map((r) => r.name)).toEqual(['plain', 'cutmix']);
    expect(result.trainSize).toBe(300);
    expect(result.testSize).toBe(1000);
    for (const run of result.runs) {
      for (const s of [run.train, run.test]) {
        expect(s.accuracy).toBeGreaterThan(0.2); // ten classes: chance is 0.1
        expect(s.accuracy).toBeLessThanOrEqual(1);
        expect(Number.isFinite(s.loss) && s.loss > 0).toBe(true);
        expect(s.ece >= 0 && s.ece <= 1).toBe(true);
      }
      expect(Number.isFinite(run.lastEpochObjective)).toBe(true);
    }
    // Same data, order and initial weights: the two runs differ only because CutMix changed the batches.
    expect(result.runs[0].lastEpochObjective).not.toBe(result.runs[1].lastEpochObjective);
    expect(result.numTensorsAfter).toBe(result.numTensorsBefore);

    // Decoded with the same canvas library the demo draws with.
    const image = await loadImage(readFileSync(result.imagePath as string));
    const canvas = createCanvas(image.width, image.height);
    canvas.getContext('2d').drawImage(image, 0, 0);
    const png = {
      width: image.width,
      height: image.height,
      data: canvas.getContext('2d').getImageData(0, 0, image.width, image.height).data,
    };
    expect([png.width, png.height]).toEqual([16 + 3 * (224 + 16), 16 + 3 * (224 + 28 + 16)]);
    // Each tile is grey digits on black with an orange outline: some pixels of each kind, in the first tile.
    const colours = new Set<string>();
    for (let y = 16; y < 16 + 224; y++) {
      for (let x = 16; x < 16 + 224; x++) {
        const i = 4 * (y * png.width + x);
        const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
        colours.add(r === g && g === b ? (r === 0 ? 'black' : 'grey') : 'outline');
      }
    }
    expect(colours).toEqual(new Set(['black', 'grey', 'outline']));
    // The caption under the first tile is drawn in the font the demo ships (dark ink on the white strip).
    let ink = 0;
    for (let y = 16 + 224; y < 16 + 224 + 28; y++) {
      for (let x = 16; x < 16 + 224; x++) if (png.data[4 * (y * png.width + x)] < 128) ink++;
    }
    expect(ink).toBeGreaterThan(100);
  });
});

describe('npm run demo (the command line)', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  // 'tfjs-cutmix' resolves to the source here, as in vitest.config.ts (npm run demo itself uses the build).
  const demo = (...args: string[]) =>
    spawnSync(process.execPath, [tsx, '--tsconfig', 'test/setup/tsconfig.src.json', 'docs/examples/demo.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('--quick exits 0, prints the table and progress, and writes its PNG to .tmp/demo, not over the README picture', () => {
    const committed = readFileSync(join(root, 'docs/images/cutmix-batch.png'));
    const started = Date.now();
    const run = demo('--quick');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /\| run +\| train objective +\| train loss +\| train acc +\| test acc +\| test loss +\| ECE \(15 bins\) +\| wall time +\|/,
    );
    expect(run.stdout).toMatch(/\| plain +\| \d+\.\d{4} /);
    expect(run.stdout).toMatch(/\| cutmix +\| \d+\.\d{4} /);
    expect(run.stderr).toMatch(/cutmix +\S+ 20\/20 steps {2}loss \d+\.\d{4} {2}elapsed \S+ {2}ETA \S+/);
    const png = join(root, '.tmp/demo/cutmix-batch.png');
    expect(statSync(png).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    expect(readFileSync(join(root, 'docs/images/cutmix-batch.png')).equals(committed)).toBe(true);
  });

  it('--help lists the flags; a bad command line is one line on stderr and exit code 2', () => {
    const help = demo('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run demo/);
    for (const flag of [
      '--quick',
      '--write',
      '--epochs N',
      '--seed N',
      '--cutmix-prob P',
      '--out-dir DIR',
      '--no-image',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    const cases: [string[], string][] = [
      [['--fast'], "demo: Unknown option '--fast' (see --help)"],
      [['--quick', '--write'], 'demo: --write takes a full run: a quick picture is not committed (see --help)'],
      [['--epochs', '0'], "demo: --epochs must be a positive integer, but got '0' (see --help)"],
      [['--backend', 'webgl'], "demo: --backend must be 'wasm' or 'cpu', but got 'webgl' (see --help)"],
    ];
    for (const [args, message] of cases) {
      const bad = demo(...args);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr.trim()).toBe(message);
    }
  });
});

describe('demo helpers', () => {
  it('captions give the two labels and weights that sum to 1', () => {
    expect(caption({ labelA: 7, labelB: 3, lam: 0.62 })).toBe('7 ·0.62 + 3 ·0.38');
    expect(caption({ labelA: 1, labelB: 1, lam: 1 })).toBe('1 ·1.00 + 1 ·0.00');
    expect(caption({ labelA: 0, labelB: 9, lam: 0.125 })).toBe('0 ·0.13 + 9 ·0.87');
  });

  it('score: accuracy, NLL and 15-bin ECE on hand-checked cases', () => {
    // Two samples, both predicted with confidence 0.8; one right, one wrong: one bin, |0.5 − 0.8| = 0.3.
    const probs = new Float32Array([0.8, 0.2, 0.8, 0.2]);
    const s = score(probs, new Int32Array([0, 1]), 2);
    expect(s.accuracy).toBe(0.5);
    expect(s.loss).toBeCloseTo((-Math.log(0.8) - Math.log(0.2)) / 2, 6);
    expect(s.ece).toBeCloseTo(0.3, 6);
    // Always right with confidence 1: calibrated.
    const sure = score(new Float32Array([0, 1, 1, 0]), new Int32Array([1, 0]), 2);
    expect([sure.accuracy, sure.ece]).toEqual([1, 0]);
    // Two bins: confidence 0.6 (right) and 0.95 (wrong) → (|1 − 0.6| + |0 − 0.95|) / 2.
    const two = score(new Float32Array([0.6, 0.4, 0.05, 0.95]), new Int32Array([0, 0]), 2);
    expect(two.ece).toBeCloseTo((0.4 + 0.95) / 2, 6);
  });

  it("the demo's wasm Conv2DBackpropFilter kernel matches the cpu backend's", async () => {
    registerWasmConv2dFilterGrad();
    type Shape4 = [number, number, number, number];
    const cases: { x: Shape4; filter: Shape4; strides: number; pad: 'valid' | 'same' }[] = [
      { x: [2, 9, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
      { x: [3, 7, 7, 2], filter: [3, 2, 2, 5], strides: 2, pad: 'same' },
      { x: [1, 28, 28, 1], filter: [3, 3, 1, 8], strides: 1, pad: 'valid' },
    ];
    for (const c of cases) {
      const results: Float32Array[] = [];
      for (const backend of ['cpu', 'wasm'] as const) {
        await useBackend(backend);
        const rng = seededRng(c.x[1]);
        const x = tf.tensor4d(
          Float32Array.from({ length: c.x.reduce((a, b) => a * b) }, () => (rng() < 0.3 ? 0 : rng() - 0.5)),
          c.x,
        );
        const filter = tf.zeros(c.filter) as tf.Tensor4D;
        // The filter gradient of Σ conv(x, f) · w, through the gradient machinery that training uses.
        const y = tf.conv2d(x, filter, c.strides, c.pad);
        const w = tf.tensor4d(
          Float32Array.from({ length: y.size }, () => rng() - 0.5),
          y.shape as [number, number, number, number],
        );
        const dW = tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.strides, c.pad), w)))(filter);
        results.push(dW.dataSync() as Float32Array);
        tf.dispose([x, filter, y, w, dW]);
      }
      expect(results[1].length).toBe(results[0].length);
      for (let i = 0; i < results[0].length; i++) expect(results[1][i]).toBeCloseTo(results[0][i], 4);
    }
  });
});

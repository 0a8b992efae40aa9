import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GRIDS, main, type DemoResult } from '../../docs/examples/demo.js';
import { demoOptions } from '../../docs/examples/demo/args.js';
import { ARMS } from '../../docs/examples/demo/train.js';
import { useBackend } from '../support/backends.js';

const outDir = mkdtempSync(join(tmpdir(), 'tfjs-cutmix-demo-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** RGBA pixels of a PNG, decoded with the canvas library the demo draws with. */
async function decode(path: string): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const image = await loadImage(readFileSync(path));
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext('2d').drawImage(image, 0, 0);
  return {
    width: image.width,
    height: image.height,
    data: canvas.getContext('2d').getImageData(0, 0, image.width, image.height).data,
  };
}

describe('npm run demo -- --quick (in process)', () => {
  let result: DemoResult;
  beforeAll(async () => {
    await useBackend('cpu'); // main must switch to wasm itself
    result = await main({ quick: true, outDir, log: false });
  });

  it('trains every arm for every seed on wasm and releases every tensor', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(result.seeds).toEqual([1, 2]);
    expect(result.runs.map((r) => `${r.arm}/${r.seed}`)).toEqual([
      'plain/1',
      'mixup/1',
      'cutmix/1',
      'plain/2',
      'mixup/2',
      'cutmix/2',
    ]);
    expect([result.trainSize, result.testSize, result.robustSize, result.stepsPerRun]).toEqual([300, 1000, 200, 20]);
    expect(result.numTensorsAfter).toBe(result.numTensorsBefore);
    for (const run of result.runs) {
      for (const s of [run.train, run.test]) {
        expect(s.accuracy).toBeGreaterThan(0.2); // ten classes: chance is 0.1
        expect(s.accuracy).toBeLessThanOrEqual(1);
        expect(Number.isFinite(s.loss) && s.loss > 0).toBe(true);
        expect(s.ece >= 0 && s.ece <= 1).toBe(true);
      }
    }
    // Same weights and batches: the arms of one seed differ only because MixUp and CutMix changed the batches.
    const objectives = result.runs.filter((r) => r.seed === 1).map((r) => r.lastEpochObjective);
    expect(new Set(objectives).size).toBe(3);
  });

  it('curves: one accuracy per grid point, and the points that show the same images agree exactly', () => {
    const last = GRIDS.sizes.length - 1;
    expect(GRIDS.sizes[0]).toBe(0);
    expect(GRIDS.sizes[last]).toBe(28);
    expect(GRIDS.epsilons[0]).toBe(0);
    for (const { robustness: r } of result.runs) {
      expect([r.centre.length, r.boundary.length, r.fgsm.length]).toEqual([
        GRIDS.sizes.length,
        GRIDS.sizes.length,
        GRIDS.epsilons.length,
      ]);
      for (const a of [...r.centre, ...r.boundary, ...r.fgsm]) expect(a >= 0 && a <= 1).toBe(true);
      // No hole, the whole square kept and ε = 0 are all the clean images; a 28×28 hole and a 0×0 square both blank.
      expect(r.boundary[last]).toBe(r.centre[0]);
      expect(r.fgsm[0]).toBe(r.centre[0]);
      expect(r.boundary[0]).toBe(r.centre[last]);
      // A blank image gets one class for every digit: about a tenth right, never most.
      expect(r.centre[last]).toBeLessThan(0.2);
      expect(r.fgsm.at(-1)!).toBeLessThan(r.fgsm[0]);
    }
  });

  it('summary: the paired differences are the means of the per-seed differences', () => {
    const { summary } = result;
    for (const arm of ARMS) {
      const iv = summary.arms[arm].scalars.testAccuracy;
      const values = result.runs.filter((r) => r.arm === arm).map((r) => r.test.accuracy);
      expect(iv.mean).toBeCloseTo((values[0] + values[1]) / 2, 12);
      expect(iv.low).toBeLessThanOrEqual(iv.mean);
      expect(iv.high).toBeGreaterThanOrEqual(iv.mean);
    }
    const acc = (arm: string, seed: number) => result.runs.find((r) => r.arm === arm && r.seed === seed)!.test.accuracy;
    const diffs = [1, 2].map((seed) => acc('cutmix', seed) - acc('plain', seed));
    expect(summary.cutmixMinusPlain.scalars.testAccuracy.mean).toBeCloseTo((diffs[0] + diffs[1]) / 2, 12);
    const vsMixup = [1, 2].map((seed) => acc('cutmix', seed) - acc('mixup', seed));
    expect(summary.cutmixMinusMixup.scalars.testAccuracy.mean).toBeCloseTo((vsMixup[0] + vsMixup[1]) / 2, 12);
    const fgsm = (arm: string, seed: number) =>
      result.runs.find((r) => r.arm === arm && r.seed === seed)!.robustness.fgsm[1];
    expect(summary.cutmixMinusMixup.curves.fgsm[1].mean).toBeCloseTo(
      (fgsm('cutmix', 1) - fgsm('mixup', 1) + fgsm('cutmix', 2) - fgsm('mixup', 2)) / 2,
      12,
    );
  });

  it('writes the occlusion and FGSM curves and the mixed batch, with every arm drawn and text in the font', async () => {
    expect(result.images.map((p) => p.slice(outDir.length + 1))).toEqual([
      'demo-occlusion.png',
      'demo-fgsm.png',
      'cutmix-batch.png',
    ]);
    // Okabe–Ito: plain grey, MixUp orange, CutMix blue.
    const arms = { plain: [0x55, 0x55, 0x55], mixup: [0xe6, 0x9f, 0x00], cutmix: [0x00, 0x72, 0xb2] };
    for (const [name, width] of [
      ['demo-occlusion.png', 1120],
      ['demo-fgsm.png', 640],
    ] as const) {
      const png = await decode(join(outDir, name));
      expect(png.width).toBe(width);
      for (const [arm, [r, g, b]] of Object.entries(arms)) {
        let count = 0;
        for (let i = 0; i < png.data.length; i += 4) {
          if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) count++;
        }
        expect(count, `${name}: ${arm}`).toBeGreaterThan(50); // at least its legend entry
      }
      // The title strip is white with dark text.
      let ink = 0;
      for (let y = 0; y < 60; y++)
        for (let x = 0; x < png.width; x++) if (png.data[4 * (y * png.width + x)] < 100) ink++;
      expect(ink, name).toBeGreaterThan(300);
    }
    const grid = await decode(join(outDir, 'cutmix-batch.png'));
    expect([grid.width, grid.height]).toEqual([16 + 3 * (224 + 16), 16 + 3 * (224 + 28 + 16)]);
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
  const committed = ['cutmix-batch.png', 'demo-occlusion.png', 'demo-fgsm.png'].map((f) =>
    join(root, 'docs/images', f),
  );
  const fullRun = committed.map((f) => join(root, '.tmp/demo', f.split('/').at(-1)!));

  it('--quick prints the tables and progress, writes to .tmp/demo/quick, and touches neither docs/images nor the full run', () => {
    const before = committed.map((f) => (existsSync(f) ? readFileSync(f) : undefined));
    const fullBefore = fullRun.map((f) => (existsSync(f) ? statSync(f).mtimeMs : undefined));
    const started = Date.now();
    const run = demo('--quick');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /\| arm +\| test accuracy +\| test loss +\| ECE \(15 bins\) +\| train accuracy \(clean\) +\|/,
    );
    for (const arm of ['plain', 'MixUp', 'CutMix']) {
      expect(run.stdout).toMatch(
        new RegExp(`\\| ${arm} +\\| \\d+\\.\\d\\d % \\[−?\\d+\\.\\d\\d, \\d+\\.\\d\\d\\] +\\| \\d\\.\\d{4} \\[`),
      );
    }
    expect(run.stdout).toMatch(/\| CutMix − plain +\| [+−]\d+\.\d\d pt \[[+−]\d+\.\d\d, [+−]\d+\.\d\d\] /);
    expect(run.stdout).toMatch(/\| CutMix − MixUp +\| [+−]\d+\.\d\d pt \[/);
    expect(run.stdout).toMatch(/\| centre hole 12×12 +\| \d+\.\d % \[/);
    expect(run.stdout).toMatch(/\| boundary, 16×16 kept +\| /);
    expect(run.stdout).toMatch(/\| FGSM ε = 0\.1 +\| /);
    expect(run.stdout).toMatch(/MixUp α = 1, prob = 0\.5; CutMix α = 1, prob = 0\.5/);
    expect(run.stdout).toMatch(/load average \d+\.\d\d at the start/);
    expect(run.stderr).toMatch(
      /cutmix seed 2\/2 +\S+ 120\/120 steps {2}loss \d+\.\d{4} {2}elapsed \S+ {2}ETA \d+:\d\d/,
    );
    for (const name of ['demo-occlusion.png', 'demo-fgsm.png', 'cutmix-batch.png']) {
      expect(statSync(join(root, '.tmp/demo/quick', name)).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    }
    committed.forEach((f, i) => expect(existsSync(f) ? readFileSync(f) : undefined, f).toEqual(before[i]));
    fullRun.forEach((f, i) => expect(existsSync(f) ? statSync(f).mtimeMs : undefined).toBe(fullBefore[i]));
  });

  it('--help lists the flags; an unknown flag is one line on stderr and exit code 2', () => {
    const help = demo('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run demo/);
    for (const flag of [
      '--quick',
      '--write',
      '--seeds N',
      '--seed N',
      '--model M',
      '--epochs N',
      '--train-per-class N',
      '--mixup-alpha A',
      '--mixup-prob P',
      '--cutmix-alpha A',
      '--cutmix-prob P',
      '--validation',
      '--backend B',
      '--out-dir DIR',
      '--no-image',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    const bad = demo('--fast');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("demo: Unknown option '--fast' (see --help)");
  });

  it('bad values: one line naming the flag and what it must be, exit code 2 (in process)', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const cases: [string[], string][] = [
      [['--quick', '--write'], 'demo: --write takes a full run: a quick picture is not committed (see --help)'],
      [['--write', '--validation'], 'demo: --write publishes test-set figures, not --validation ones (see --help)'],
      [['--write', '--out-dir', 'x'], 'demo: --write and --out-dir name two places (see --help)'],
      [['--epochs', '0'], "demo: --epochs must be a positive integer, but got '0' (see --help)"],
      [['--seeds', '1'], "demo: --seeds must be an integer ≥ 2 (an interval needs two), but got '1' (see --help)"],
      [['--seed=-1'], "demo: --seed must be a non-negative integer, but got '-1' (see --help)"],
      // parseArgs's own message runs over three lines; the command line prints its first sentence.
      [['--seed', '-1'], "demo: Option '--seed' argument is ambiguous (see --help)"],
      [['--mixup-prob', '1.5'], "demo: --mixup-prob must be in [0, 1], but got '1.5' (see --help)"],
      [['--cutmix-prob', 'x'], "demo: --cutmix-prob must be in [0, 1], but got 'x' (see --help)"],
      [['--mixup-alpha=-1'], "demo: --mixup-alpha must be a positive number, but got '-1' (see --help)"],
      [['--cutmix-alpha', '0'], "demo: --cutmix-alpha must be a positive number, but got '0' (see --help)"],
      [
        ['--train-per-class', '101'],
        "demo: --train-per-class must be an integer in [1, 100], but got '101' (see --help)",
      ],
      [['--backend', 'webgl'], "demo: --backend must be 'wasm' or 'cpu', but got 'webgl' (see --help)"],
      [['--model', 'resnet'], "demo: --model must be 'strided' or 'pooled', but got 'resnet' (see --help)"],
    ];
    try {
      for (const [args, message] of cases) {
        error.mockClear();
        expect(() => demoOptions(args, '/committed'), args.join(' ')).toThrow('exit 2');
        expect(error.mock.calls, args.join(' ')).toEqual([[message]]);
      }
      // Good values map onto the options; --write sends the pictures to the committed folder.
      expect(
        demoOptions(['--write', '--seeds', '12', '--mixup-alpha', '0.4', '--cutmix-prob', '1'], '/committed'),
      ).toMatchObject({
        seeds: 12,
        mixupAlpha: 0.4,
        cutmixProb: 1,
        outDir: '/committed',
        image: true,
      });
      expect(demoOptions(['--quick'], '/committed').outDir).toBeUndefined();
    } finally {
      exit.mockRestore();
      error.mockRestore();
    }
  });
});

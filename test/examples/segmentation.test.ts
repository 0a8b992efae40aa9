import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../docs/examples/segmentation.js';
import { agreement, classesFromPixels, makeScenes, NUM_CLASSES } from '../../docs/examples/segmentation/data.js';
import { PALETTE, mixCaption } from '../../docs/examples/segmentation/picture.js';
import { seededRng } from 'tfjs-cutmix';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'tfjs-cutmix-segmentation-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** `git status --porcelain` of the repository (undefined outside a git checkout). */
function gitStatus(): string | undefined {
  const run = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
  return run.status === 0 ? run.stdout : undefined;
}

const hex = (rgb: ArrayLike<number>) => '#' + Array.from(rgb, (v) => v.toString(16).padStart(2, '0')).join('');

describe('npm run example:segmentation (core)', () => {
  it('--quick on wasm: mixed masks agree with the mixed images on every pixel, losses finite, no leak, picture where told', async () => {
    const statusBefore = gitStatus();
    const result = await main({ quick: true, outDir, log: false });
    expect(tf.getBackend()).toBe('wasm');
    expect(result.steps).toHaveLength(10);
    for (const s of result.steps) {
      expect(s.agree.share).toBe(1);
      expect(s.agree.same).toBe(16 * 32 * 32);
      expect(Number.isFinite(s.loss) && s.loss > 0).toBe(true);
    }
    expect(result.pictureAgree).toEqual({ same: 4 * 32 * 32, total: 4 * 32 * 32, share: 1 });
    expect(result.allAgree).toBe(true);
    // The check is not vacuous: the masks left unmixed disagree with the mixed images where a box was pasted.
    expect(Math.min(...result.steps.map((s) => s.unmixed.share))).toBeLessThan(0.95);
    expect(result.heldOut.accuracy).toBeGreaterThan(0);
    expect(result.heldOut.accuracy).toBeLessThanOrEqual(1);
    expect(result.numTensorsAfter).toBe(result.numTensorsBefore);
    expect(result.imagePath).toBe(join(outDir, 'cutmix-segmentation.png'));
    expect(gitStatus()).toBe(statusBefore);

    const image = await loadImage(readFileSync(result.imagePath as string));
    const canvas = createCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    const data = ctx.getImageData(0, 0, image.width, image.height).data;
    // Four columns of 192-pixel tiles; a header, four rows of tile + caption, a legend.
    expect([image.width, image.height]).toEqual([16 + 4 * 208, 30 + 4 * (192 + 30 + 16) + 44]);
    const colours = (x0: number, y0: number, w: number, h: number) => {
      const seen = new Set<string>();
      for (let y = y0; y < y0 + h; y++) {
        for (let x = x0; x < x0 + w; x++)
          seen.add(hex(data.subarray(4 * (y * image.width + x), 4 * (y * image.width + x) + 3)));
      }
      return seen;
    };
    // Every mask tile is drawn in the palette and the outline only, and the outline is there.
    for (let r = 0; r < 4; r++) {
      const mask = colours(16 + 3 * 208, 30 + r * 238, 192, 192);
      for (const c of mask) expect([...PALETTE, '#39ff14']).toContain(c);
      expect(mask.has('#39ff14')).toBe(true);
    }
    // The caption under the first row's mixed image and mask is drawn (dark ink on white).
    let ink = 0;
    for (let y = 30 + 192; y < 30 + 192 + 30; y++) {
      for (let x = 16 + 2 * 208; x < 16 + 4 * 208; x++) if (data[4 * (y * image.width + x)] < 128) ink++;
    }
    expect(ink).toBeGreaterThan(200);
  });

  it('trains on cpu too: the same agreement, no leak, and no picture when told not to draw one', async () => {
    const result = await main({ steps: 2, batchSize: 4, backend: 'cpu', image: false, log: false });
    expect(tf.getBackend()).toBe('cpu');
    expect(result.allAgree).toBe(true);
    expect(result.steps.every((s) => s.agree.share === 1 && Number.isFinite(s.loss))).toBe(true);
    expect(result.imagePath).toBeUndefined();
    expect(result.numTensorsAfter).toBe(result.numTensorsBefore);
  });
});

describe('segmentation helpers', () => {
  it('a generated scene decodes to exactly its mask; every class and each scene label occur', () => {
    const scenes = makeScenes(24, seededRng(3));
    expect(classesFromPixels(scenes.pixels)).toEqual(scenes.masks);
    expect(new Set(scenes.masks)).toEqual(new Set(Array.from({ length: NUM_CLASSES }, (_, k) => k)));
    for (let i = 0; i < scenes.n; i++) {
      const own = new Set(scenes.masks.subarray(i * 1024, (i + 1) * 1024));
      expect(own).toEqual(new Set([0, scenes.labels[i]]));
    }
  });

  it('agreement counts equal positions; a decoded pixel that matches no class is −1', () => {
    expect(agreement([0, 1, 2, 3], [0, 1, 3, 3])).toEqual({ same: 3, total: 4, share: 0.75 });
    expect(agreement([], [])).toEqual({ same: 0, total: 0, share: 1 });
    // red + blue high (0.9, 0.1, 0.9) is no class's signature; green alone neither.
    expect(Array.from(classesFromPixels([0.1, 0.2, 0.3, 0.9, 0.1, 0.9, 0.1, 0.7, 0.2, 0.6, 0.6, 0.1]))).toEqual([
      0, -1, -1, 2,
    ]);
  });

  it('captions give both labels and weights that sum to 1', () => {
    expect(mixCaption({ labelA: 1, labelB: 2, lam: 0.625 })).toBe('disc ·0.63 + bar ·0.37');
    expect(mixCaption({ labelA: 3, labelB: 3, lam: 1 })).toBe('square ·1.00 + square ·0.00');
  });
});

describe('npm run example:segmentation (the command line)', () => {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  // 'tfjs-cutmix' resolves to the source here, as in vitest.config.ts (the npm script itself uses the build).
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [tsx, '--tsconfig', 'test/setup/tsconfig.src.json', 'docs/examples/segmentation.ts', ...args],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );

  it('--quick prints a line per step with the agreement and exits 0; --help and bad flags as every script', () => {
    const quick = run('--quick', '--out-dir', outDir);
    expect(quick.status, quick.stderr).toBe(0);
    const lines = quick.stdout.split('\n').filter((l) => l.startsWith('step'));
    expect(lines).toHaveLength(10);
    for (const line of lines) expect(line).toMatch(/loss \d+\.\d{4} .* 16384\/16384 px = 1 /);
    expect(quick.stdout).toMatch(/held-out: 64 unmixed scenes, pixel accuracy \d+\.\d\d %/);

    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run example:segmentation/);
    for (const flag of ['--quick', '--write', '--steps N', '--seed N', '--backend B', '--out-dir DIR'])
      expect(help.stdout).toContain(flag);
    const cases: [string[], string][] = [
      [['--fast'], "example:segmentation: Unknown option '--fast' (see --help)"],
      [
        ['--quick', '--write'],
        'example:segmentation: --write takes a full run: a quick picture is not committed (see --help)',
      ],
      [['--steps', '0'], "example:segmentation: --steps must be a positive integer, but got '0' (see --help)"],
      [['--backend', 'webgl'], "example:segmentation: --backend must be 'wasm' or 'cpu', but got 'webgl' (see --help)"],
    ];
    for (const [args, message] of cases) {
      const bad = run(...args);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr.trim()).toBe(message);
    }
  });
});

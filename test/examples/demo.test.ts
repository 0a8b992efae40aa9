import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRIDS, main, type DemoResult } from '../../docs/examples/demo.js';
import { cleanTable, robustnessTable } from '../../docs/examples/demo/table.js';
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
      // The curve digits are the first 200 test digits: their clean accuracy is close to the whole test set's.
      expect(Math.abs(r.centre[0] - result.runs.find((x) => x.robustness === r)!.test.accuracy)).toBeLessThan(0.1);
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

  it('the printed tables carry the summary: each row its own arm or difference', () => {
    const pct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(2)} pt`;
    const rows = cleanTable(result).split('\n');
    const { cutmixMinusPlain, cutmixMinusMixup, arms } = result.summary;
    expect(rows.find((r) => r.startsWith('| CutMix − plain'))).toContain(
      pct(cutmixMinusPlain.scalars.testAccuracy.mean),
    );
    expect(rows.find((r) => r.startsWith('| CutMix − MixUp'))).toContain(
      pct(cutmixMinusMixup.scalars.testAccuracy.mean),
    );
    expect(rows.find((r) => r.startsWith('| MixUp '))).toContain(
      `${(100 * arms.mixup.scalars.testAccuracy.mean).toFixed(2)} %`,
    );
    const robust = robustnessTable(result).split('\n');
    const centre8 = robust.find((r) => r.startsWith('| centre hole 8×8'))!.split('|');
    expect(centre8[3].trim()).toMatch(new RegExp(`^${(100 * arms.mixup.curves.centre[2].mean).toFixed(1)} %`));
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

/**
 * Draws a grid of mixed digits as a PNG with @napi-rs/canvas: each tile is one mixed image, upscaled, with
 * the pasted box outlined and a caption `a ·λ + b ·(1−λ)` below it in DejaVu Sans (the font file comes from
 * the @fontsource/dejavu-sans package, so the picture looks the same on every machine).
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import * as tf from '@tensorflow/tfjs-core';
import { cutmixBatch, type Box } from 'tfjs-cutmix';
import { FONT_FAMILY, registerFont } from '../font.js';
import { batchOf, PIXELS, type Digits } from './mnist.js';

export interface Tile {
  /** side×side grey values in [0, 1], row-major. */
  pixels: Float32Array;
  labelA: number;
  labelB: number;
  /** Share of the tile that is its own image (the weight of labelA). */
  lam: number;
  /** Region pasted from the partner, in image pixels (empty: nothing pasted). */
  box: Box;
}

const SCALE = 8;
const GAP = 16;
const CAPTION_HEIGHT = 28;
const FONT_SIZE = 20;
const OUTLINE = '#ff8c00';

/**
 * The caption of a tile, e.g. `7 ·0.62 + 3 ·0.38` (weights rounded to two decimals, summing to 1).
 * @param tile The tile's own label, its partner's label and λ.
 */
export function caption(tile: Pick<Tile, 'labelA' | 'labelB' | 'lam'>): string {
  const own = Math.round(tile.lam * 100) / 100;
  return `${tile.labelA} ·${own.toFixed(2)} + ${tile.labelB} ·${(1 - own).toFixed(2)}`;
}

/** One digit at (left, top): white on black as MNIST stores it, each pixel a SCALE×SCALE square. */
function drawDigit(ctx: SKRSContext2D, tile: Tile, side: number, left: number, top: number): void {
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, tile.pixels[y * side + x])));
      ctx.fillStyle = `rgb(${v}, ${v}, ${v})`;
      ctx.fillRect(left + x * SCALE, top + y * SCALE, SCALE, SCALE);
    }
  }
  const { y1, x1, y2, x2 } = tile.box;
  if (y2 <= y1 || x2 <= x1) return;
  // A 2-pixel outline just inside the pasted region's edge, as four filled strips (crisp, no anti-aliasing).
  const [bx, by, bw, bh] = [left + x1 * SCALE, top + y1 * SCALE, (x2 - x1) * SCALE, (y2 - y1) * SCALE];
  ctx.fillStyle = OUTLINE;
  ctx.fillRect(bx, by, bw, 2);
  ctx.fillRect(bx, by + bh - 2, bw, 2);
  ctx.fillRect(bx, by, 2, bh);
  ctx.fillRect(bx + bw - 2, by, 2, bh);
}

/**
 * Encodes `tiles` (row-major, `columns` per row) of `side`×`side` digits as a PNG.
 * @param tiles The mixed images with their labels, λ and box.
 * @param side Height and width of each image in pixels.
 * @param columns Tiles per row.
 * @returns The PNG file's bytes.
 */
export function renderGrid(tiles: Tile[], side: number, columns: number): Buffer {
  registerFont();
  const tileSize = side * SCALE;
  const rows = Math.ceil(tiles.length / columns);
  const canvas = createCanvas(GAP + columns * (tileSize + GAP), GAP + rows * (tileSize + CAPTION_HEIGHT + GAP));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = `${FONT_SIZE}px "${FONT_FAMILY}"`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  tiles.forEach((tile, t) => {
    const left = GAP + (t % columns) * (tileSize + GAP);
    const top = GAP + Math.floor(t / columns) * (tileSize + CAPTION_HEIGHT + GAP);
    drawDigit(ctx, tile, side, left, top);
    ctx.fillStyle = '#141414';
    ctx.fillText(caption(tile), left + tileSize / 2, top + tileSize + CAPTION_HEIGHT);
  });
  return canvas.toBuffer('image/png');
}

/**
 * The first nine digits of `data` mixed by one `cutmixBatch` call, as tiles with their labels and weights.
 * @param data Training digits.
 * @param seed The call's seed.
 */
export function mixedTiles(data: Digits, seed: number): Tile[] {
  const { xs, ys } = batchOf(data, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  // 'elem' mode so that each tile shows its own box and λ (training uses the paper's per-batch mode).
  const mixed = cutmixBatch(xs, ys, { seed, mode: 'elem', dataFormat: 'NHWC' });
  try {
    const pixels = mixed.images.dataSync() as Float32Array;
    const [a, b] = [mixed.labelsA.dataSync(), mixed.labelsB.dataSync()];
    return Array.from({ length: 9 }, (_, i) => ({
      pixels: pixels.slice(i * PIXELS, (i + 1) * PIXELS),
      labelA: a[i],
      labelB: b[i],
      lam: mixed.lam[i],
      box: mixed.boxes[i],
    }));
  } finally {
    tf.dispose([xs, ys, mixed.images, mixed.labelsA, mixed.labelsB]);
  }
}

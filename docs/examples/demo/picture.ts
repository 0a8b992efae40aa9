/**
 * Draws a grid of mixed digits as a PNG (pngjs; Node has no canvas): each tile is one mixed image,
 * upscaled, with the pasted box outlined and a caption `a ·λ + b ·(1−λ)` below it.
 */
import { PNG } from 'pngjs';
import type { Box } from '../../../src/index.js';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';

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
const TEXT_SCALE = 2;
const GAP = 16;
const CAPTION_HEIGHT = GLYPH_HEIGHT * TEXT_SCALE + 14;
const BACKGROUND: [number, number, number] = [255, 255, 255];
const INK: [number, number, number] = [20, 20, 20];
const OUTLINE: [number, number, number] = [255, 140, 0];

/**
 * The caption of a tile, e.g. `7 ·0.62 + 3 ·0.38` (weights rounded to two decimals, summing to 1).
 * @param tile The tile's own label, its partner's label and λ.
 */
export function caption(tile: Pick<Tile, 'labelA' | 'labelB' | 'lam'>): string {
  const own = Math.round(tile.lam * 100) / 100;
  return `${tile.labelA} ·${own.toFixed(2)} + ${tile.labelB} ·${(1 - own).toFixed(2)}`;
}

/**
 * Encodes `tiles` (row-major, `columns` per row) of `side`×`side` digits as a PNG.
 * @param tiles The mixed images with their labels, λ and box.
 * @param side Height and width of each image in pixels.
 * @param columns Tiles per row.
 * @returns The PNG file's bytes.
 */
export function renderGrid(tiles: Tile[], side: number, columns: number): Buffer {
  const tileSize = side * SCALE;
  const rows = Math.ceil(tiles.length / columns);
  const width = GAP + columns * (tileSize + GAP);
  const height = GAP + rows * (tileSize + CAPTION_HEIGHT + GAP);
  const png = new PNG({ width, height });
  const put = (x: number, y: number, [r, g, b]: readonly number[]) => {
    const i = 4 * (y * width + x);
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) put(x, y, BACKGROUND);

  tiles.forEach((tile, t) => {
    const left = GAP + (t % columns) * (tileSize + GAP);
    const top = GAP + Math.floor(t / columns) * (tileSize + CAPTION_HEIGHT + GAP);
    for (let y = 0; y < tileSize; y++) {
      for (let x = 0; x < tileSize; x++) {
        // White digits on black, as MNIST is stored.
        const v = Math.round(
          255 * Math.min(1, Math.max(0, tile.pixels[Math.floor(y / SCALE) * side + Math.floor(x / SCALE)])),
        );
        put(left + x, top + y, [v, v, v]);
      }
    }
    const { y1, x1, y2, x2 } = tile.box;
    if (y2 > y1 && x2 > x1) {
      // A 2-pixel outline just inside the pasted region's edge.
      for (let y = y1 * SCALE; y < y2 * SCALE; y++) {
        for (let x = x1 * SCALE; x < x2 * SCALE; x++) {
          const edge = y < y1 * SCALE + 2 || y >= y2 * SCALE - 2 || x < x1 * SCALE + 2 || x >= x2 * SCALE - 2;
          if (edge) put(left + x, top + y, OUTLINE);
        }
      }
    }
    const text = caption(tile);
    const textLeft = left + Math.floor((tileSize - textWidth(text) * TEXT_SCALE) / 2);
    drawText(text, TEXT_SCALE, (x, y) => put(textLeft + x, top + tileSize + 8 + y, INK));
  });
  return PNG.sync.write(png);
}

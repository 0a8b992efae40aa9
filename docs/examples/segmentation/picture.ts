/**
 * Draws the segmentation example's picture with @napi-rs/canvas: one row per sample with its image, its
 * partner, the mixed image and the mixed mask (in a palette), the cut box outlined, and the labels and λ
 * written in DejaVu Sans (from the @fontsource/dejavu-sans package, so the picture is the same on every
 * machine).
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { FONT_FAMILY, registerFont } from '../font.js';
import type { Box } from 'tfjs-cutmix';
import { CHANNELS, CLASS_NAMES, SIDE } from './data.js';

export interface Row {
  /** The sample's own image, its partner's and the mixed one: NHWC pixels of one image, values in [0, 1]. */
  image: Float32Array;
  partner: Float32Array;
  mixed: Float32Array;
  /** The mixed mask: one class per pixel, row-major. */
  mask: Int32Array;
  labelA: number;
  labelB: number;
  /** Share of the mixed image that is the sample's own. */
  lam: number;
  /** The region pasted from the partner (empty: nothing pasted). */
  box: Box;
}

const SCALE = 6;
const TILE = SIDE * SCALE;
const GAP = 16;
const HEADER = 30;
const CAPTION = 30;
const LEGEND = 44;
const OUTLINE = '#39ff14';
const INK = '#141414';
/** Mask colours by class: background, disc, bar, square (the images' own hues, flat). */
export const PALETTE = ['#262626', '#e53935', '#fdd835', '#1e88e5'];
const COLUMNS = ['image', 'partner', 'mixed image', 'mixed mask'];

/** The caption of a mixed sample, e.g. `disc ·0.62 + bar ·0.38` (weights rounded to two decimals, summing to 1). */
export function mixCaption(row: Pick<Row, 'labelA' | 'labelB' | 'lam'>): string {
  const own = Math.round(row.lam * 100) / 100;
  return `${CLASS_NAMES[row.labelA]} ·${own.toFixed(2)} + ${CLASS_NAMES[row.labelB]} ·${(1 - own).toFixed(2)}`;
}

function drawImage(ctx: SKRSContext2D, pixels: Float32Array, left: number, top: number): void {
  const byte = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  for (let p = 0; p < SIDE * SIDE; p++) {
    const [r, g, b] = [0, 1, 2].map((c) => byte(pixels[p * CHANNELS + c]));
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.fillRect(left + (p % SIDE) * SCALE, top + Math.floor(p / SIDE) * SCALE, SCALE, SCALE);
  }
}

function drawMask(ctx: SKRSContext2D, mask: Int32Array, left: number, top: number): void {
  for (let p = 0; p < SIDE * SIDE; p++) {
    ctx.fillStyle = PALETTE[mask[p]] ?? '#ff00ff';
    ctx.fillRect(left + (p % SIDE) * SCALE, top + Math.floor(p / SIDE) * SCALE, SCALE, SCALE);
  }
}

/** The box's outline just inside its edge: solid 3-pixel strips, or a thin dashed line (`dashed`). */
function outline(ctx: SKRSContext2D, box: Box, left: number, top: number, dashed = false): void {
  const { y1, x1, y2, x2 } = box;
  if (y2 <= y1 || x2 <= x1) return;
  const [bx, by, bw, bh] = [left + x1 * SCALE, top + y1 * SCALE, (x2 - x1) * SCALE, (y2 - y1) * SCALE];
  if (dashed) {
    ctx.strokeStyle = OUTLINE;
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.strokeRect(bx + 1, by + 1, bw - 2, bh - 2);
    ctx.setLineDash([]);
    return;
  }
  ctx.fillStyle = OUTLINE;
  for (const [x, y, w, h] of [
    [bx, by, bw, 3],
    [bx, by + bh - 3, bw, 3],
    [bx, by, 3, bh],
    [bx + bw - 3, by, 3, bh],
  ]) {
    ctx.fillRect(x, y, w, h);
  }
}

/** Left edge of column `c`. */
const columnLeft = (c: number) => GAP + c * (TILE + GAP);

/**
 * Encodes the rows as a PNG: a header, one row per sample, and a legend of the mask's palette.
 * @returns The PNG file's bytes.
 */
export function renderRows(rows: Row[]): Buffer {
  registerFont();
  const rowHeight = TILE + CAPTION + GAP;
  const canvas = createCanvas(columnLeft(COLUMNS.length), HEADER + rows.length * rowHeight + LEGEND);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const text = (s: string, x: number, y: number, size: number, align: CanvasTextAlign = 'center') => {
    ctx.font = `${size}px "${FONT_FAMILY}"`;
    ctx.textAlign = align;
    ctx.fillStyle = INK;
    ctx.fillText(s, x, y);
  };
  ctx.textBaseline = 'alphabetic';
  COLUMNS.forEach((title, c) => text(title, columnLeft(c) + TILE / 2, HEADER - 8, 18));

  rows.forEach((row, r) => {
    const top = HEADER + r * rowHeight;
    drawImage(ctx, row.image, columnLeft(0), top);
    drawImage(ctx, row.partner, columnLeft(1), top);
    outline(ctx, row.box, columnLeft(1), top, true); // where the pasted region comes from
    drawImage(ctx, row.mixed, columnLeft(2), top);
    outline(ctx, row.box, columnLeft(2), top);
    drawMask(ctx, row.mask, columnLeft(3), top);
    outline(ctx, row.box, columnLeft(3), top);
    const base = top + TILE + 22;
    text(CLASS_NAMES[row.labelA], columnLeft(0) + TILE / 2, base, 18);
    text(CLASS_NAMES[row.labelB], columnLeft(1) + TILE / 2, base, 18);
    // One caption under the mixed image and its mask: both labels with their weights, and λ.
    const under = (columnLeft(2) + columnLeft(3) + TILE) / 2;
    text(`${mixCaption(row)}   (λ = ${row.lam.toFixed(2)})`, under, base, 18);
  });

  // Legend: the mask's palette and the outline.
  const y = HEADER + rows.length * rowHeight + 8;
  let x = GAP;
  ctx.font = `16px "${FONT_FAMILY}"`;
  for (const [k, name] of CLASS_NAMES.entries()) {
    ctx.fillStyle = PALETTE[k];
    ctx.fillRect(x, y, 18, 18);
    text(name, x + 24, y + 15, 16, 'left');
    x += 24 + ctx.measureText(name).width + 22;
  }
  ctx.fillStyle = OUTLINE;
  ctx.fillRect(x, y + 6, 28, 5);
  text('the cut (dashed: its source in the partner)', x + 36, y + 15, 16, 'left');
  return canvas.toBuffer('image/png');
}

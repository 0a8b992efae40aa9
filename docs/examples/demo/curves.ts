/**
 * The robustness curves as PNG, drawn with @napi-rs/canvas in DejaVu Sans (../font.ts), like the mixed-batch
 * picture: accuracy against hole size (centre and boundary occlusion side by side) and against FGSM's ε,
 * one line per arm with its mean over seeds and a shaded 95 % t-interval.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { FONT_FAMILY, registerFont } from '../font.js';
import { occlusionMask, type Grids, type Occlusion } from './evaluate.js';
import type { Interval } from './stats.js';
import type { CurveName, Summary } from './summary.js';
import { ARM_LABEL, ARMS, type Arm } from './train.js';

/** Okabe–Ito colours (distinguishable with colour-vision deficiencies); a marker shape per arm as well. */
const COLOUR: Record<Arm, string> = { plain: '#555555', mixup: '#e69f00', cutmix: '#0072b2' };
const MARKER: Record<Arm, 'circle' | 'square' | 'triangle'> = { plain: 'circle', mixup: 'square', cutmix: 'triangle' };
const INK = '#141414';
const GRID = '#dddddd';
const PANEL = { width: 560, height: 420 };
const MARGIN = { left: 72, right: 34, top: 44, bottom: 60 };
const HEADER = 64;
const LEGEND = 40;
/** Height of the strip of example digits under an occlusion panel's axis (one 28×28 digit at 2×). */
const THUMBS = 62;
const THUMB_SCALE = 2;

interface Panel {
  title: string;
  xLabel: string;
  xs: number[];
  xTicks: string[];
  curve: CurveName;
  /** One 28×28 grey image per x, drawn under its tick (the occluded example digit). */
  thumbnails?: Float32Array[];
}

const font = (px: number) => `${px}px "${FONT_FAMILY}"`;

function marker(ctx: SKRSContext2D, kind: (typeof MARKER)[Arm], x: number, y: number): void {
  ctx.beginPath();
  if (kind === 'circle') ctx.arc(x, y, 4.5, 0, 2 * Math.PI);
  if (kind === 'square') ctx.rect(x - 4, y - 4, 8, 8);
  if (kind === 'triangle') {
    ctx.moveTo(x, y - 5.5);
    ctx.lineTo(x + 5, y + 3.5);
    ctx.lineTo(x - 5, y + 3.5);
    ctx.closePath();
  }
  ctx.fill();
}

/** One panel at (left, top): axes, grid, and per arm a band (interval) under a line (mean) with markers. */
function drawPanel(ctx: SKRSContext2D, left: number, top: number, panel: Panel, summary: Summary): void {
  const plot = {
    x: left + MARGIN.left,
    y: top + MARGIN.top,
    w: PANEL.width - MARGIN.left - MARGIN.right,
    h: PANEL.height - MARGIN.top - MARGIN.bottom,
  };
  const strip = panel.thumbnails ? THUMBS : 0;
  const [x0, x1] = [panel.xs[0], panel.xs.at(-1)!];
  const px = (v: number) => plot.x + ((v - x0) / (x1 - x0)) * plot.w;
  const py = (accuracy: number) => plot.y + (1 - Math.min(1, Math.max(0, accuracy))) * plot.h;

  ctx.fillStyle = INK;
  ctx.font = font(18);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(panel.title, plot.x + plot.w / 2, top + 28);

  ctx.font = font(14);
  ctx.lineWidth = 1;
  for (let a = 0; a <= 100; a += 20) {
    ctx.strokeStyle = GRID;
    ctx.beginPath();
    ctx.moveTo(plot.x, py(a / 100));
    ctx.lineTo(plot.x + plot.w, py(a / 100));
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(`${a}`, plot.x - 8, py(a / 100));
  }
  panel.xs.forEach((v, i) => {
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(panel.xTicks[i], px(v), plot.y + plot.h + 8);
  });
  panel.thumbnails?.forEach((pixels, i) => drawDigit(ctx, pixels, px(panel.xs[i]), plot.y + plot.h + 30));
  ctx.fillText(panel.xLabel, plot.x + plot.w / 2, plot.y + plot.h + 32 + strip);
  ctx.save();
  ctx.translate(left + 20, plot.y + plot.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText('accuracy (%)', 0, 0);
  ctx.restore();
  ctx.strokeStyle = INK;
  ctx.strokeRect(plot.x, plot.y, plot.w, plot.h);

  for (const arm of ARMS) {
    const points: Interval[] = summary.arms[arm].curves[panel.curve];
    const low = (iv: Interval) => (Number.isNaN(iv.low) ? iv.mean : iv.low);
    const high = (iv: Interval) => (Number.isNaN(iv.high) ? iv.mean : iv.high);
    ctx.globalAlpha = 0.18;
    ctx.fillStyle = COLOUR[arm];
    ctx.beginPath();
    points.forEach((iv, i) => ctx.lineTo(px(panel.xs[i]), py(high(iv))));
    [...points].reverse().forEach((iv, i) => ctx.lineTo(px(panel.xs[points.length - 1 - i]), py(low(iv))));
    ctx.closePath();
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = COLOUR[arm];
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    points.forEach((iv, i) => ctx.lineTo(px(panel.xs[i]), py(iv.mean)));
    ctx.stroke();
    points.forEach((iv, i) => marker(ctx, MARKER[arm], px(panel.xs[i]), py(iv.mean)));
  }
}

/** A 28×28 digit (white on black, as MNIST stores it) centred on x, its top at y, with a grey frame. */
function drawDigit(ctx: SKRSContext2D, pixels: Float32Array, x: number, y: number): void {
  const side = 28 * THUMB_SCALE;
  const left = Math.round(x - side / 2);
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, pixels[r * 28 + c])));
      ctx.fillStyle = `rgb(${v}, ${v}, ${v})`;
      ctx.fillRect(left + c * THUMB_SCALE, y + r * THUMB_SCALE, THUMB_SCALE, THUMB_SCALE);
    }
  }
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  ctx.strokeRect(left - 0.5, y - 0.5, side + 1, side + 1);
}

/** Title and subtitle across the top, legend across the bottom. */
function frame(ctx: SKRSContext2D, width: number, height: number, title: string, subtitle: string): void {
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = INK;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.font = font(20);
  ctx.fillText(title, width / 2, 28);
  ctx.font = font(14);
  ctx.fillText(subtitle, width / 2, 52);
  const entry = 150;
  let x = width / 2 - (entry * ARMS.length) / 2;
  const y = height - LEGEND / 2;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.font = font(16);
  for (const arm of ARMS) {
    ctx.strokeStyle = COLOUR[arm];
    ctx.fillStyle = COLOUR[arm];
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 36, y);
    ctx.stroke();
    marker(ctx, MARKER[arm], x + 18, y);
    ctx.fillStyle = INK;
    ctx.fillText(ARM_LABEL[arm], x + 46, y);
    x += entry;
  }
}

export interface CurveContext {
  seeds: number;
  robustSize: number;
  scoredOn: string;
  /** A test digit (28×28 grey values) to show occluded under each hole size. */
  example: Float32Array;
}

/**
 * @param summary The study's intervals.
 * @param grids The hole sizes and ε the curves were measured at.
 * @param context What the subtitle states: seeds and digits.
 * @returns PNG bytes by file name: `demo-occlusion.png` (centre and boundary), `demo-fgsm.png`.
 */
export function drawCurves(summary: Summary, grids: Grids, context: CurveContext): Record<string, Buffer> {
  registerFont();
  const subtitle =
    `mean and 95 % t-interval over ${context.seeds} seeds; ${context.robustSize} ${context.scoredOn} digits; ` +
    'occluded pixels set to 0 (the background)';
  const sizes = { xs: grids.sizes, xTicks: grids.sizes.map(String) };
  const occluded = (kind: Occlusion) =>
    grids.sizes.map((s) => {
      const mask = occlusionMask(kind, s);
      return context.example.map((v, i) => v * mask[i]);
    });
  const occlusion = createCanvas(2 * PANEL.width, HEADER + PANEL.height + THUMBS + LEGEND);
  const ctx = occlusion.getContext('2d');
  frame(ctx, occlusion.width, occlusion.height, 'Occlusion: accuracy vs the size of the centred square', subtitle);
  const panels: [Occlusion, string, string][] = [
    ['centre', 'centre hole zeroed', 'hole side s (pixels of 28)'],
    ['boundary', 'boundary zeroed', 'side s of the square kept (pixels of 28)'],
  ];
  panels.forEach(([curve, title, xLabel], k) =>
    drawPanel(ctx, k * PANEL.width, HEADER, { title, xLabel, curve, thumbnails: occluded(curve), ...sizes }, summary),
  );

  const fgsm = createCanvas(PANEL.width + 80, HEADER + PANEL.height + LEGEND);
  const f = fgsm.getContext('2d');
  frame(
    f,
    fgsm.width,
    fgsm.height,
    'FGSM: accuracy vs ε',
    subtitle.replace('; occluded pixels set to 0 (the background)', ''),
  );
  const epsilons = { xs: grids.epsilons, xTicks: grids.epsilons.map(String) };
  drawPanel(
    f,
    40,
    HEADER,
    {
      title: "x' = clip(x + ε·sign(∇ₓ loss), 0, 1)",
      xLabel: 'ε (pixel values run from 0 to 1)',
      curve: 'fgsm',
      ...epsilons,
    },
    summary,
  );
  return { 'demo-occlusion.png': occlusion.toBuffer('image/png'), 'demo-fgsm.png': fgsm.toBuffer('image/png') };
}

/**
 * The segmentation example's generated data: 32×32 RGB scenes (NHWC) of one kind of shape — discs, bars or
 * squares — on dark noise, each with its per-pixel class mask. Everything comes from a seeded generator.
 *
 * Every class has its own channel signature, so a pixel's class can be read back from its values alone:
 * a channel is "high" when its value is ≥ 0.5 and "low" when it is < 0.5, with the high set per class
 *
 *   background: none   disc: red   bar: red + green (yellow)   square: blue
 *
 * High values are drawn in [0.55, 1), low ones in [0, 0.45). {@link classesFromPixels} is that decoder; it
 * needs no mask, which is what makes it an independent check of a mixed mask.
 */
import type { Rng } from 'tfjs-cutmix';

export const SIDE = 32;
export const CHANNELS = 3;
export const PIXELS = SIDE * SIDE;
export const NUM_CLASSES = 4;
export const CLASS_NAMES = ['background', 'disc', 'bar', 'square'] as const;
/** Channels that are high for each class, as a bit set (bit c: channel c). */
const SIGNATURE = [0b000, 0b001, 0b011, 0b100];
const CLASS_OF_SIGNATURE = new Map(SIGNATURE.map((bits, k) => [bits, k]));

/** A batch of scenes: NHWC pixels, int32 masks `[n, H, W]` (one class per pixel), the shape class per scene. */
export interface Scenes {
  n: number;
  pixels: Float32Array;
  masks: Int32Array;
  /** Each scene's shape class (1 disc, 2 bar, 3 square): its image-level label. */
  labels: Int32Array;
}

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** Marks 1–3 shapes of class `label` in `mask` (one scene, row-major); later shapes cover earlier ones. */
function drawShapes(mask: Int32Array, label: number, rng: Rng): void {
  const count = int(rng, 1, 3);
  for (let s = 0; s < count; s++) {
    const cy = int(rng, 4, SIDE - 5);
    const cx = int(rng, 4, SIDE - 5);
    let inside: (y: number, x: number) => boolean;
    if (label === 1) {
      const r = int(rng, 3, 7);
      inside = (y, x) => (y - cy) ** 2 + (x - cx) ** 2 <= r * r;
    } else if (label === 2) {
      const [half, thick] = [int(rng, 6, 13), int(rng, 1, 2)];
      const [hy, hx] = rng() < 0.5 ? [thick, half] : [half, thick]; // horizontal or vertical
      inside = (y, x) => Math.abs(y - cy) <= hy && Math.abs(x - cx) <= hx;
    } else {
      const half = int(rng, 3, 6);
      inside = (y, x) => Math.abs(y - cy) <= half && Math.abs(x - cx) <= half;
    }
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) if (inside(y, x)) mask[y * SIDE + x] = label;
  }
}

/**
 * `n` scenes. Each scene's label is drawn uniformly from the three shape classes unless `labels` gives them.
 * @param rng The data's random stream (advanced).
 */
export function makeScenes(n: number, rng: Rng, labels?: ArrayLike<number>): Scenes {
  const pixels = new Float32Array(n * PIXELS * CHANNELS);
  const masks = new Int32Array(n * PIXELS);
  const sceneLabels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    sceneLabels[i] = labels ? labels[i] : int(rng, 1, NUM_CLASSES - 1);
    const mask = masks.subarray(i * PIXELS, (i + 1) * PIXELS);
    drawShapes(mask, sceneLabels[i], rng);
    for (let p = 0; p < PIXELS; p++) {
      const bits = SIGNATURE[mask[p]];
      for (let c = 0; c < CHANNELS; c++) {
        const high = (bits >> c) & 1;
        pixels[(i * PIXELS + p) * CHANNELS + c] = high ? 0.55 + 0.45 * rng() : 0.45 * rng();
      }
    }
  }
  return { n, pixels, masks, labels: sceneLabels };
}

/**
 * Each pixel's class read back from its values alone (NHWC, `CHANNELS` per pixel); −1 where the values
 * match no class (never for generated scenes or any CutMix of them).
 */
export function classesFromPixels(pixels: ArrayLike<number>): Int32Array {
  const out = new Int32Array(pixels.length / CHANNELS);
  for (let p = 0; p < out.length; p++) {
    let bits = 0;
    for (let c = 0; c < CHANNELS; c++) if (pixels[p * CHANNELS + c] >= 0.5) bits |= 1 << c;
    out[p] = CLASS_OF_SIGNATURE.get(bits) ?? -1;
  }
  return out;
}

/** How many positions of `a` and `b` hold the same class, out of how many (`share` is 1 exactly when all do). */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): { same: number; total: number; share: number } {
  if (a.length !== b.length) throw new Error(`agreement: lengths differ (${a.length} vs ${b.length})`);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return { same, total: a.length, share: a.length === 0 ? 1 : same / a.length };
}

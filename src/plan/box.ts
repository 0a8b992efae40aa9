import { describeValue, fail } from '../common/validate.js';

/** A cut along one axis (1-D signals): integers, half-open, positions `[x1, x2)` along the width. */
export interface Box1D {
  /** First position of the cut (inclusive), in [0, W]. */
  x1: number;
  /** Position after the last one (exclusive), in [x1, W]. */
  x2: number;
}

/**
 * A paste box in pixel coordinates: integers, half-open, rows `[y1, y2)` and columns `[x1, x2)`.
 * `y` always indexes the height axis and `x` the width axis, whatever the layout.
 * An empty box (`y1 === y2` or `x1 === x2`) pastes nothing.
 */
export interface Box {
  /** First row of the box (inclusive), in [0, H]. */
  y1: number;
  /** First column of the box (inclusive), in [0, W]. */
  x1: number;
  /** Row after the last one (exclusive), in [y1, H]. */
  y2: number;
  /** Column after the last one (exclusive), in [x1, W]. */
  x2: number;
}

/** A cut in a volume: integers, half-open, slices `[z1, z2)` (depth), rows `[y1, y2)`, columns `[x1, x2)`. */
export interface Box3D {
  /** First slice (inclusive), in [0, D]. */
  z1: number;
  /** First row (inclusive), in [0, H]. */
  y1: number;
  /** First column (inclusive), in [0, W]. */
  x1: number;
  /** Slice after the last one (exclusive), in [z1, D]. */
  z2: number;
  /** Row after the last one (exclusive), in [y1, H]. */
  y2: number;
  /** Column after the last one (exclusive), in [x1, W]. */
  x2: number;
}

/** A box of any rank, for code that handles 1-D, 2-D and 3-D batches alike. */
export type AnyBox = Box1D | Box | Box3D;

/** A drawn box and the λ that exactly matches it. */
export interface BoxSample<B extends AnyBox = Box> {
  /** The box (integers, half-open). */
  box: B;
  /** `1 − box volume / total volume`: the share of positions kept from the original. */
  lam: number;
}

/** Where a box may lie: the paper's centre-and-clip, or always fully inside the batch. */
export type Placement = 'center-clip' | 'inside';

export const PLACEMENTS: readonly Placement[] = ['center-clip', 'inside'];

/** Coordinate names of a box with `d` spatial axes: the starts, outermost first, then the ends. */
const COORDS = [
  ['x1', 'x2'],
  ['y1', 'x1', 'y2', 'x2'],
  ['z1', 'y1', 'x1', 'z2', 'y2', 'x2'],
] as const;
const ALL_COORDS: readonly string[] = COORDS[2];

/** Builds a box of `lo.length` axes from its starts and ends, outermost axis first. */
export function makeBox(lo: readonly number[], hi: readonly number[]): AnyBox {
  if (lo.length === 1) return { x1: lo[0], x2: hi[0] };
  if (lo.length === 2) return { y1: lo[0], x1: lo[1], y2: hi[0], x2: hi[1] };
  return { z1: lo[0], y1: lo[1], x1: lo[2], z2: hi[0], y2: hi[1], x2: hi[2] };
}

/** The empty box of a batch with `d` spatial axes. */
export function emptyBox(d: number): AnyBox {
  const zeros = new Array<number>(d).fill(0);
  return makeBox(zeros, zeros);
}

// A box's rank comes from its own keys: `in` would see a polluted Object.prototype.z1 and read every box as 3-D.
const is3D = (box: AnyBox): box is Box3D => Object.hasOwn(box, 'z1');
const is2D = (box: Box | Box1D): box is Box => Object.hasOwn(box, 'y1');

/** A fresh copy of a box the package made. */
export function cloneBox(box: AnyBox): AnyBox {
  if (is3D(box)) return { z1: box.z1, y1: box.y1, x1: box.x1, z2: box.z2, y2: box.y2, x2: box.x2 };
  if (is2D(box)) return { y1: box.y1, x1: box.x1, y2: box.y2, x2: box.x2 };
  return { x1: box.x1, x2: box.x2 };
}

/** A box's starts and ends as a 3-D box, a missing axis as [0, 1). */
function asBox3D(box: AnyBox): Box3D {
  if (is3D(box)) return box;
  if (is2D(box)) return { z1: 0, y1: box.y1, x1: box.x1, z2: 1, y2: box.y2, x2: box.x2 };
  return { z1: 0, y1: 0, x1: box.x1, z2: 1, y2: 1, x2: box.x2 };
}

/** λ that exactly matches a box: the share of the batch's positions left untouched. */
export function lamOfBox(box: AnyBox, spatial: readonly number[]): number {
  const { z1, y1, x1, z2, y2, x2 } = asBox3D(box);
  const total = spatial.reduce((a, b) => a * b, 1);
  return 1 - ((z2 - z1) * (y2 - y1) * (x2 - x1)) / total;
}

/** Boxes in the kernels' flat form: z1, y1, x1, z2, y2, x2 per box, missing axes as [0, 1). */
export function kernelBoxes(boxes: readonly AnyBox[]): Int32Array {
  const flat = new Int32Array(boxes.length * 6);
  for (let i = 0, at = 0; i < boxes.length; i++, at += 6) {
    const box = boxes[i];
    if (is3D(box)) [flat[at], flat[at + 1], flat[at + 3], flat[at + 4]] = [box.z1, box.y1, box.z2, box.y2];
    else if (is2D(box)) [flat[at + 1], flat[at + 3], flat[at + 4]] = [box.y1, 1, box.y2];
    else [flat[at + 3], flat[at + 4]] = [1, 1];
    [flat[at + 2], flat[at + 5]] = [box.x1, box.x2];
  }
  return flat;
}

/** How a box was given, for messages: `{y1: 0, x1: 2, y2: 5, x2: 9}`. */
function describeBox(record: Record<string, unknown>): string {
  const shown = Object.keys(record).map((k) => `${k}: ${describeValue(record[k])}`);
  return `{${shown.join(', ')}}`;
}

/**
 * Copies a user's box once (its own enumerable coordinate keys, each read once) without judging it: the
 * batch it belongs to is not known yet. {@link checkBox} judges the copy.
 */
export function copyBox(fn: string, arg: string, value: unknown): Readonly<Record<string, unknown>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(fn, arg, 'a box object', describeValue(value));
  }
  // No prototype: a coordinate the user left out must not be found on a polluted Object.prototype.
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) {
    if (ALL_COORDS.includes(key)) copy[key] = (value as Record<string, unknown>)[key];
  }
  return Object.freeze(copy);
}

/**
 * Checks a copied box against a batch's spatial sizes: exactly the coordinates of that rank (no `z1` on a
 * 2-D batch), integers with 0 ≤ start ≤ end ≤ size on every axis. Returns a fresh plain box.
 */
export function checkBox(
  fn: string,
  arg: string,
  copy: Readonly<Record<string, unknown>>,
  spatial: readonly number[],
): AnyBox {
  const box = fitBox(copy, spatial);
  if (box === undefined) {
    const d = spatial.length;
    const names = COORDS[d - 1];
    const bounds = spatial.map((size, i) => `0 ≤ ${names[i]} ≤ ${names[i + d]} ≤ ${size}`).join(', ');
    fail(fn, arg, `a ${d}-D box {${names.join(', ')}} of integers with ${bounds}`, describeBox(copy));
  }
  return box;
}

/** {@link checkBox} without the message: the fresh box, or undefined when the copy does not fit `spatial`. */
export function fitBox(copy: Readonly<Record<string, unknown>>, spatial: readonly number[]): AnyBox | undefined {
  const d = spatial.length;
  const names = COORDS[d - 1];
  const lo: number[] = [];
  const hi: number[] = [];
  let ok = Object.keys(copy).length === names.length;
  for (let i = 0; ok && i < d; i++) {
    const start = copy[names[i]];
    const end = copy[names[i + d]];
    ok =
      Number.isInteger(start) &&
      Number.isInteger(end) &&
      (start as number) >= 0 &&
      (start as number) <= (end as number) &&
      (end as number) <= spatial[i];
    lo.push(start as number);
    hi.push(end as number);
  }
  return ok ? makeBox(lo, hi) : undefined;
}

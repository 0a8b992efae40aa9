import { describeValue, fail } from './validate.js';

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

/** Where a box may lie: the paper's centre-and-clip, or always fully inside the batch. */
export type Placement = 'center-clip' | 'inside';

export const PLACEMENTS: readonly Placement[] = ['center-clip', 'inside'];

/** The box that pastes nothing (2-D). */
export const EMPTY_BOX: Readonly<Box> = Object.freeze({ y1: 0, x1: 0, y2: 0, x2: 0 });

/** Coordinate names of a box with `d` spatial axes: the starts, outermost first, then the ends. */
const COORDS = [
  ['x1', 'x2'],
  ['y1', 'x1', 'y2', 'x2'],
  ['z1', 'y1', 'x1', 'z2', 'y2', 'x2'],
] as const;

/** Builds a box of `lo.length` axes from its starts and ends, outermost axis first. */
export function makeBox(lo: readonly number[], hi: readonly number[]): AnyBox {
  const names = COORDS[lo.length - 1];
  const box: Record<string, number> = {};
  names.forEach((name, i) => (box[name] = i < lo.length ? lo[i] : hi[i - lo.length]));
  return box as unknown as AnyBox;
}

/** The empty box of a batch with `d` spatial axes. */
export function emptyBox(d: number): AnyBox {
  const zeros = new Array<number>(d).fill(0);
  return makeBox(zeros, zeros);
}

/** A box's starts and ends, outermost axis first; its rank is read from its own keys. */
export function boxBounds(box: AnyBox): { lo: number[]; hi: number[] } {
  const b = box as unknown as Record<string, number>;
  // Own keys only: `in` would see a polluted Object.prototype.z1 and read every box as 3-D.
  const names = COORDS[Object.hasOwn(b, 'z1') ? 2 : Object.hasOwn(b, 'y1') ? 1 : 0];
  const d = names.length / 2;
  return { lo: names.slice(0, d).map((k) => b[k]), hi: names.slice(d).map((k) => b[k]) };
}

/** λ that exactly matches a box: the share of the batch's positions left untouched. */
export function lamOfBox(box: AnyBox, spatial: readonly number[]): number {
  const { lo, hi } = boxBounds(box);
  let volume = 1;
  let total = 1;
  lo.forEach((l, i) => {
    volume *= hi[i] - l;
    total *= spatial[i];
  });
  return 1 - volume / total;
}

/** Boxes in the kernels' flat form: z1, y1, x1, z2, y2, x2 per box, missing axes as [0, 1). */
export function kernelBoxes(boxes: readonly AnyBox[]): Int32Array {
  const flat = new Int32Array(boxes.length * 6);
  boxes.forEach((box, i) => {
    const { lo, hi } = boxBounds(box);
    const pad = 3 - lo.length;
    for (let a = 0; a < 3; a++) {
      flat[6 * i + a] = a < pad ? 0 : lo[a - pad];
      flat[6 * i + 3 + a] = a < pad ? 1 : hi[a - pad];
    }
  });
  return flat;
}

/** How a box was given, for messages: `{y1: 0, x1: 2, y2: 5, x2: 9}`. */
function describeBox(record: Record<string, unknown>): string {
  const shown = Object.keys(record).map((k) => `${k}: ${describeValue(record[k])}`);
  return `{${shown.join(', ')}}`;
}

/**
 * Copies a user's box once (its own enumerable keys, each read once) without judging it: the batch it
 * belongs to is not known yet. {@link checkBox} judges the copy.
 */
export function copyBox(fn: string, arg: string, value: unknown): Readonly<Record<string, unknown>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(fn, arg, 'a box object', describeValue(value));
  }
  // No prototype: a coordinate the user left out must not be found on a polluted Object.prototype.
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) copy[key] = (value as Record<string, unknown>)[key];
  return Object.freeze(copy);
}

/**
 * Checks a copied box against a batch's spatial sizes: exactly the coordinates of that rank (no `z1` on a
 * 2-D batch), integers with 0 ≤ start ≤ end ≤ size on every axis. Returns a fresh plain box.
 */
export function checkBox(fn: string, arg: string, copy: Readonly<Record<string, unknown>>, spatial: readonly number[]): AnyBox {
  const d = spatial.length;
  const names = COORDS[d - 1];
  const foreign = ['z1', 'z2', 'y1', 'y2', 'x1', 'x2'].filter((k) => !(names as readonly string[]).includes(k));
  const ok =
    names.every((k) => Object.hasOwn(copy, k) && typeof copy[k] === 'number' && Number.isInteger(copy[k])) &&
    foreign.every((k) => !Object.hasOwn(copy, k)) &&
    spatial.every((size, i) => {
      const lo = copy[names[i]] as number;
      const hi = copy[names[i + d]] as number;
      return lo >= 0 && lo <= hi && hi <= size;
    });
  if (!ok) {
    const bounds = spatial.map((size, i) => `0 ≤ ${names[i]} ≤ ${names[i + d]} ≤ ${size}`).join(', ');
    fail(fn, arg, `a ${d}-D box {${names.join(', ')}} of integers with ${bounds}`, describeBox(copy));
  }
  return makeBox(
    names.slice(0, d).map((k) => copy[k] as number),
    names.slice(d).map((k) => copy[k] as number),
  );
}

import type { Box } from '../plan/box.js';
import type { PlanBoxes } from '../plan/plan.js';
import { readMinVisible, readObjects, readPlanBoxes, type ObjectSnapshot } from './read_objects.js';

/**
 * One object of a detection target: a box in pixel coordinates (floats allowed), rows `[y1, y2)` and
 * columns `[x1, x2)`. Any other fields of your own object type (class, id, score…) are carried over:
 * `cutmixObjects` takes and returns your type, e.g. `interface Detection { y1; x1; y2; x2; label: number }`.
 */
export interface ObjectBox {
  /** Top edge (inclusive), a finite number. */
  y1: number;
  /** Left edge (inclusive), a finite number. */
  x1: number;
  /** Bottom edge (exclusive), ≥ y1; equal to y1 for a horizontal line or a point. */
  y2: number;
  /** Right edge (exclusive), ≥ x1; equal to x1 for a vertical line or a point. */
  x2: number;
}

/** Options of {@link cutmixObjects}. Unknown keys are rejected; inherited keys are ignored. */
export interface CutMixObjectsOptions {
  /**
   * Share of an object's area that must stay visible for it to be kept, in [0, 1]; `undefined` means
   * the default, 0.1. Why 0.1: Ultralytics' CutMix keeps a pasted object when at least 10% of its area
   * lies in the cut (`bbox_ioa ≥ 0.1`), the share its geometric transforms also keep; albumentations'
   * `min_visibility` defaults to 0 (any visible sliver). A sliver under a tenth of an object rarely
   * shows the class it would be labelled with, so it is dropped; pass 0 to keep every visible part.
   */
  minVisible?: number;
}

/**
 * Moves detection boxes with a CutMix plan, so they match the mixed images: sample n keeps its own
 * objects that stay visible outside its cut box B, and gains its partner's objects that show inside B,
 * each cut to B.
 *
 * For sample n, with B = `plan.boxes[n]` and p = `plan.partners[n]`:
 * - its own objects whose area outside B is ≥ `minVisible` × their area, unchanged;
 * - then p's objects intersected with B, kept (as the intersection) when the intersection's area is
 *   ≥ `minVisible` × the object's area.
 *
 * An object with nothing visible is dropped whatever `minVisible` is (so `minVisible: 0` keeps every
 * visible sliver, as albumentations' default). A sample whose B is empty or whose partner is itself keeps
 * its own objects unchanged: its image did not change. Objects and B are half-open, so an object that
 * ends where B begins (`x2 === B.x1`) does not overlap it.
 *
 * Zero-area objects (a line or a point) are measured in their own dimension: a horizontal line
 * `y1 === y2` by its length, lying in B where its row y1 is in `[B.y1, B.y2)`; a point counts 1 and lies
 * in B iff `(y1, x1)` does. The same rules then apply: a point is kept by its own sample iff it lies
 * outside B and taken from the partner iff it lies inside.
 *
 * Every value is read exactly once, checked, and then only that copy is used. Objects, boxes and the
 * plan are read by their own enumerable properties (inherited ones and getters on a class's prototype
 * are not seen); so are options, where inherited keys are ignored. Every returned object is new: its
 * fields are a shallow copy of the input object's own enumerable string-keyed fields; the input is never
 * modified. Each sample lists its own kept objects first, then its partner's, both in input order.
 *
 * @example
 * ```ts
 * import { cutmixObjects } from 'tfjs-cutmix';
 *
 * const objects = [
 *   [{ y1: 2, x1: 2, y2: 10, x2: 10, cls: 'cat' }], // sample 0
 *   [{ y1: 0, x1: 16, y2: 16, x2: 32, cls: 'dog' }], // sample 1
 * ];
 * // Sample 0 gets rows [0, 16) × columns [8, 24) of sample 1; sample 1 is not mixed.
 * // (With images: `const plan = cutmixBatch(images, labels, { seed: 1 })`.)
 * const plan = { boxes: [{ y1: 0, x1: 8, y2: 16, x2: 24 }, { y1: 0, x1: 0, y2: 0, x2: 0 }], partners: [1, 0] };
 * const mixed = cutmixObjects(objects, plan);
 * // mixed[0]: the cat (3/4 of it outside the cut) and the dog's half inside the cut:
 * //   [{ y1: 2, x1: 2, y2: 10, x2: 10, cls: 'cat' }, { y1: 0, x1: 16, y2: 16, x2: 24, cls: 'dog' }]
 * // mixed[1]: [{ y1: 0, x1: 16, y2: 16, x2: 32, cls: 'dog' }]
 * ```
 * @param objects One array of object boxes per sample (length N), in the images' pixel coordinates.
 * @param plan The plan that mixed the images (a `cutmixBatch` result works): `boxes` (N integer
 *   half-open boxes) and `partners` (N indices in [0, N)).
 * @param options `minVisible` in [0, 1] (default 0.1, see {@link CutMixObjectsOptions.minVisible}).
 * @returns One new array of new objects per sample.
 */
export function cutmixObjects<O extends ObjectBox>(
  objects: readonly (readonly O[])[],
  plan: PlanBoxes,
  options?: CutMixObjectsOptions,
): O[][] {
  const fn = 'cutmixObjects';
  const { boxes, partners } = readPlanBoxes(fn, plan);
  const samples = readObjects(fn, 'objects', objects, partners.length);
  return moveObjects(samples, boxes, partners, readMinVisible(options, fn)) as O[][];
}

/** {@link cutmixObjects} on objects already read: per sample, the kept own objects then the partner's. */
export function moveObjects(
  samples: ObjectSnapshot[][],
  boxes: readonly Box[],
  partners: Int32Array,
  minVisible: number,
): ObjectBox[][] {
  return samples.map((own, n) => {
    const box = boxes[n];
    const p = partners[n];
    if (p === n || box.y1 === box.y2 || box.x1 === box.x2) return own.map((o) => build(o));
    const out: ObjectBox[] = [];
    for (const o of own) {
      const { inside, total } = measure(o, box);
      const outside = total - inside;
      if (outside > 0 && outside >= minVisible * total) out.push(build(o));
    }
    for (const o of samples[p]) {
      const { inside, total } = measure(o, box);
      if (inside > 0 && inside >= minVisible * total) out.push(build(o, box));
    }
    return out;
  });
}

/** An object's measure (area, length of a line, 1 for a point) and the part of it inside B. */
function measure(o: ObjectSnapshot, box: Box): { inside: number; total: number } {
  const [iy, ty] = axis(o.y1, o.y2, box.y1, box.y2);
  const [ix, tx] = axis(o.x1, o.x2, box.x1, box.x2);
  return { inside: iy * ix, total: ty * tx };
}

/** Along one axis: [overlap with `[lo, hi)`, own extent]; a zero-extent axis is a point of extent 1. */
function axis(a: number, b: number, lo: number, hi: number): [number, number] {
  if (a === b) return [lo <= a && a < hi ? 1 : 0, 1];
  return [Math.max(0, Math.min(b, hi) - Math.max(a, lo)), b - a];
}

/** A new object from a snapshot; with `cut`, its coordinates become its intersection with `cut`. */
function build(o: ObjectSnapshot, cut?: Box): ObjectBox {
  // fromEntries defines own data properties: a `__proto__` field stays a field, not a prototype.
  const out = Object.fromEntries(o.fields) as unknown as ObjectBox;
  if (cut) {
    out.y1 = Math.max(o.y1, cut.y1);
    out.x1 = Math.max(o.x1, cut.x1);
    out.y2 = Math.min(o.y2, cut.y2);
    out.x2 = Math.min(o.x2, cut.x2);
  }
  return out;
}

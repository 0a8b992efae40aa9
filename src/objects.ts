import type { Box } from './box.js';
import type { PlanBoxes } from './plan.js';
import { assertInRange, describeValue, fail, readOptions } from './validate.js';

const FN = 'cutmixObjects';

/**
 * One object of a detection target: a box in pixel coordinates (floats allowed), rows `[y1, y2)` and
 * columns `[x1, x2)`, plus any extra fields (class, id, score…), which are carried over.
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
  [extra: string]: unknown;
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

const DEFAULT_MIN_VISIBLE = 0.1;

/** An object as read once: its coordinates and every own enumerable field, in key order. */
export interface ObjectSnapshot {
  y1: number;
  x1: number;
  y2: number;
  x2: number;
  fields: [string, unknown][];
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
export function cutmixObjects(
  objects: ObjectBox[][],
  plan: PlanBoxes<Box>,
  options?: CutMixObjectsOptions,
): ObjectBox[][] {
  const { boxes, partners } = readPlan(plan);
  const samples = readObjects(FN, 'objects', objects, partners.length);
  return moveObjects(samples, boxes, partners, readMinVisible(options));
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
  const out = Object.fromEntries(o.fields) as ObjectBox;
  if (cut) {
    out.y1 = Math.max(o.y1, cut.y1);
    out.x1 = Math.max(o.x1, cut.x1);
    out.y2 = Math.min(o.y2, cut.y2);
    out.x2 = Math.min(o.x2, cut.x2);
  }
  return out;
}

/** Reads one own enumerable property once (a getter is called once); anything else reads as undefined. */
function readOwn(target: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(target, key);
  if (!d || !d.enumerable) return undefined;
  return 'value' in d ? d.value : d.get?.call(target);
}

function isRecord(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `[0, n)` of an array once each, after reading its length once. */
function readArray(arr: ArrayLike<unknown>, n: number): unknown[] {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = arr[i];
  return out;
}

function readPlan(plan: unknown): { boxes: Box[]; partners: Int32Array } {
  if (!isRecord(plan)) {
    fail(FN, 'plan', 'a plan with boxes and partners (a cutmixBatch result works)', describeValue(plan));
  }
  const rawPartners = readOwn(plan, 'partners');
  if (!(Array.isArray(rawPartners) || rawPartners instanceof Int32Array)) {
    fail(FN, 'plan.partners', 'an Int32Array or number[] of partner indices', describeValue(rawPartners));
  }
  const given = rawPartners as ArrayLike<unknown>;
  const n = given.length;
  const partners = new Int32Array(n);
  readArray(given, n).forEach((p, i) => {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p >= n) {
      fail(FN, `plan.partners[${i}]`, `an integer in [0, ${n})`, describeValue(p));
    }
    partners[i] = p;
  });
  const rawBoxes = readOwn(plan, 'boxes');
  if (!Array.isArray(rawBoxes)) fail(FN, 'plan.boxes', `an array of ${n} boxes`, describeValue(rawBoxes));
  const length = rawBoxes.length;
  if (length !== n) fail(FN, 'plan.boxes.length', `${n} (one box per sample)`, String(length));
  const boxes = readArray(rawBoxes, n).map((b, i) => readPlanBox(b, `plan.boxes[${i}]`));
  return { boxes, partners };
}

function readPlanBox(b: unknown, arg: string): Box {
  if (!isRecord(b)) fail(FN, arg, 'a box { y1, x1, y2, x2 }', describeValue(b));
  const [y1, x1, y2, x2] = ['y1', 'x1', 'y2', 'x2'].map((k) => readOwn(b, k));
  const start = (v: unknown, k: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      fail(FN, `${arg}.${k}`, 'an integer ≥ 0', describeValue(v));
    }
    return v;
  };
  const end = (v: unknown, k: string, from: number, fromKey: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < from) {
      fail(FN, `${arg}.${k}`, `an integer ≥ ${fromKey} (${from})`, describeValue(v));
    }
    return v;
  };
  const y1n = start(y1, 'y1');
  const x1n = start(x1, 'x1');
  return { y1: y1n, x1: x1n, y2: end(y2, 'y2', y1n, 'y1'), x2: end(x2, 'x2', x1n, 'x1') };
}

/** {@link readObjects} for an adapter's batch: detection boxes are 2-D, so the batch must be too. */
export function readBatchObjects(
  fn: string,
  arg: string,
  objects: unknown,
  batch: { n: number; spatial: readonly number[] },
): ObjectSnapshot[][] {
  if (batch.spatial.length !== 2)
    fail(fn, arg, 'given only with a 2-D batch (object boxes are 2-D)', `a ${batch.spatial.length}-D batch`);
  return readObjects(fn, arg, objects, batch.n);
}

/** Reads and checks one array of object boxes per sample (`arg` names it for `fn`'s messages), once. */
export function readObjects(fn: string, arg: string, objects: unknown, n: number): ObjectSnapshot[][] {
  if (!Array.isArray(objects)) {
    fail(fn, arg, `an array of ${n} per-sample object arrays`, describeValue(objects));
  }
  const length = objects.length;
  if (length !== n) fail(fn, `${arg}.length`, `${n} (one array per sample)`, String(length));
  return readArray(objects, n).map((sample, i) => {
    if (!Array.isArray(sample)) fail(fn, `${arg}[${i}]`, 'an array of object boxes', describeValue(sample));
    return readArray(sample, sample.length).map((o, j) => readObject(fn, o, `${arg}[${i}][${j}]`));
  });
}

function readObject(fn: string, o: unknown, arg: string): ObjectSnapshot {
  if (!isRecord(o)) fail(fn, arg, 'an object box { y1, x1, y2, x2, … }', describeValue(o));
  const fields = Object.entries(o); // own enumerable string keys, each value read once
  const coord = (key: string): unknown => fields.find(([k]) => k === key)?.[1];
  const finite = (v: unknown, k: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(fn, `${arg}.${k}`, 'a finite number', describeValue(v));
    return v;
  };
  const y1 = finite(coord('y1'), 'y1');
  const x1 = finite(coord('x1'), 'x1');
  const y2 = finite(coord('y2'), 'y2');
  const x2 = finite(coord('x2'), 'x2');
  if (y2 < y1) fail(fn, `${arg}.y2`, `≥ y1 (${y1})`, describeValue(y2));
  if (x2 < x1) fail(fn, `${arg}.x2`, `≥ x1 (${x1})`, describeValue(x2));
  return { y1, x1, y2, x2, fields };
}

/** `options.minVisible`, read once from the options' own keys (inherited keys are ignored). */
export function readMinVisible(options: unknown, fn = FN, arg = 'options'): number {
  const { minVisible = DEFAULT_MIN_VISIBLE } = readOptions(fn, arg, options, ['minVisible']);
  assertInRange(fn, `${arg}.minVisible`, minVisible, 0, 1);
  return minVisible;
}

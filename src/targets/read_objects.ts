import type { Box } from '../plan/box.js';
import { isRecord, readArray, readOwn, readPlanParts } from '../plan/read_plan.js';
import { assertInRange, describeValue, fail, readOptions } from '../common/validate.js';

/**
 * Reading detection targets once, at the boundary: the objects, the plan's boxes and partners, and
 * `minVisible`, each value read exactly once into plain own data (inherited keys and getters on a
 * prototype are not seen) and checked before anything is built.
 */

/** `minVisible` when not given: see `CutMixObjectsOptions`. */
const DEFAULT_MIN_VISIBLE = 0.1;

/** An object as read once: its coordinates and every own enumerable field, in key order. */
export interface ObjectSnapshot {
  y1: number;
  x1: number;
  y2: number;
  x2: number;
  fields: [string, unknown][];
}

/** A plan's boxes and partners for object boxes: N integer 2-D boxes and N indices in [0, N). */
export function readPlanBoxes(fn: string, plan: unknown): { boxes: Box[]; partners: Int32Array } {
  const { boxes, partners } = readPlanParts(fn, plan);
  return { boxes: boxes.map((b, i) => readPlanBox(fn, b, `plan.boxes[${i}]`)), partners };
}

function readPlanBox(fn: string, b: unknown, arg: string): Box {
  if (!isRecord(b)) fail(fn, arg, 'a box { y1, x1, y2, x2 }', describeValue(b));
  // Object boxes are 2-D: a plan for signals or volumes cannot move them.
  if (Object.hasOwn(b, 'z1') || Object.hasOwn(b, 'z2') || !Object.hasOwn(b, 'y1')) {
    fail(
      fn,
      arg,
      'a 2-D box { y1, x1, y2, x2 } (object boxes need a plan for a 2-D batch)',
      `{${Object.keys(b).join(', ')}}`,
    );
  }
  const [y1, x1, y2, x2] = ['y1', 'x1', 'y2', 'x2'].map((k) => readOwn(b, k));
  const start = (v: unknown, k: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      fail(fn, `${arg}.${k}`, 'an integer ≥ 0', describeValue(v));
    }
    return v;
  };
  const end = (v: unknown, k: string, from: number, fromKey: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < from) {
      fail(fn, `${arg}.${k}`, `an integer ≥ ${fromKey} (${from})`, describeValue(v));
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
export function readMinVisible(options: unknown, fn: string, arg = 'options'): number {
  const { minVisible = DEFAULT_MIN_VISIBLE } = readOptions(fn, arg, options, ['minVisible']);
  assertInRange(fn, `${arg}.minVisible`, minVisible, 0, 1);
  return minVisible;
}

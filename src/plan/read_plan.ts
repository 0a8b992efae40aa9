import { checkPartners, copyPartners } from './partners.js';
import { describeValue, fail } from '../common/validate.js';

/** Reads one own enumerable property once (a getter runs once); anything else reads as undefined. */
export function readOwn(target: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(target, key);
  if (!d || !d.enumerable) return undefined;
  return 'value' in d ? d.value : d.get?.call(target);
}

/** A non-null, non-array object. */
export function isRecord(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Elements `[0, n)` of an array-like, each read once. */
export function readArray(values: ArrayLike<unknown>, n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => values[i]);
}

/**
 * A plan as `applyCutmix` and `cutmixObjects` read it, once, from its own keys (inherited ones are not a
 * plan's): N partners, indices in [0, N), and N boxes, copied as given for the caller to judge against what
 * it moves. N is `samples` when given (the batch the plan must fit), else the number of partners.
 */
export function readPlanParts(fn: string, plan: unknown, samples?: number): { boxes: unknown[]; partners: Int32Array } {
  if (!isRecord(plan)) fail(fn, 'plan', 'a plan { boxes, partners } (a cutmixBatch result works)', describeValue(plan));
  const given = copyPartners(fn, 'plan.partners', readOwn(plan, 'partners'));
  const n = samples ?? given.length;
  const partners = checkPartners(fn, 'plan.partners', given, n);
  const boxes = readOwn(plan, 'boxes');
  if (!Array.isArray(boxes)) fail(fn, 'plan.boxes', `an array of ${n} boxes`, describeValue(boxes));
  const length = boxes.length;
  if (length !== n) fail(fn, 'plan.boxes.length', `${n} (one box per sample)`, String(length));
  return { boxes: readArray(boxes, n), partners };
}

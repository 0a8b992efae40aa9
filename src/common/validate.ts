import { Tensor } from '@tensorflow/tfjs-core';

/**
 * Argument checks shared by every public function. All of them run before the first tensor is
 * allocated and throw a plain `Error` with one template:
 * `Error in <fn>: <arg> must be <expected>, but got <received>.`
 */

/** Renders a received value for an error message: short, and unambiguous about its type. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (Object.is(value, -0)) return '-0';
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'boolean') return String(value);
  // A bigint is shown with its suffix: "must be a number, but got 1" would contradict itself.
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value instanceof Tensor) {
    if (value.isDisposed) return 'a disposed tensor';
    return `${/^[aeiou]/.test(value.dtype) ? 'an' : 'a'} ${value.dtype} tensor of shape [${value.shape.join(',')}]`;
  }
  // A DataView is a view without a length.
  if (value instanceof DataView) return 'a DataView';
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return typeof value;
}

/** Throws the package's one error template. */
export function fail(fn: string, arg: string, expected: string, received: string): never {
  failMust(fn, arg, `be ${expected}`, received);
}

/** The same template with a verb other than "be" (`labels must have 8 rows …`). */
export function failMust(fn: string, arg: string, requirement: string, received: string): never {
  throw new Error(`Error in ${fn}: ${arg} must ${requirement}, but got ${received}.`);
}

export function assertInRange(
  fn: string,
  arg: string,
  value: unknown,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    fail(fn, arg, `a number in [${min}, ${max}]`, describeValue(value));
  }
}

export function assertPositiveInteger(fn: string, arg: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    fail(fn, arg, 'a positive integer', describeValue(value));
  }
}

export function assertOneOf<T extends string>(
  fn: string,
  arg: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(fn, arg, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, describeValue(value));
  }
}

export function assertFunction(
  fn: string,
  arg: string,
  value: unknown,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') fail(fn, arg, 'a function', describeValue(value));
}

/** A live (not disposed) tfjs tensor. */
export function assertTensor(fn: string, arg: string, value: unknown): asserts value is Tensor {
  if (!(value instanceof Tensor)) fail(fn, arg, 'a tf.Tensor', describeValue(value));
  if (value.isDisposed) fail(fn, arg, 'a live tensor', 'a disposed tensor');
}

/** Built-in objects whose content is not in own keys: read as options they would silently look empty. */
const CONTAINERS = [Map, Set, WeakMap, WeakSet, Date, RegExp, Promise, Error, Number, String, Boolean, ArrayBuffer];

/**
 * A Map, Date, array, typed array, tensor…: an object that is not an options record (no property is read).
 * A tensor's own keys are its internals, which would otherwise be reported as unknown options; it is
 * recognised by its prototype, since `instanceof Tensor` reads properties (tfjs's `Symbol.hasInstance`).
 */
function isBuiltinContainer(value: object): boolean {
  return (
    Array.isArray(value) ||
    ArrayBuffer.isView(value) ||
    Object.prototype.isPrototypeOf.call(Tensor.prototype, value) ||
    CONTAINERS.some((C) => value instanceof C)
  );
}

/**
 * Reads an options object exactly once, at the boundary: its own enumerable string keys, each value read
 * once, into a frozen plain object. Inherited keys (a prototype's, or a polluted `Object.prototype`'s) are
 * not options and are ignored; an unknown own key is an error, so a typo never falls back to a default
 * (`allowed` null: any key, for options that name targets). `undefined` reads as `{}`.
 */
export function readOptions(
  fn: string,
  arg: string,
  options: unknown,
  allowed: readonly string[] | null,
): Readonly<Record<string, unknown>> {
  const read: Record<string, unknown> = Object.create(null);
  if (options === undefined) return Object.freeze(read);
  if (options === null || typeof options !== 'object' || isBuiltinContainer(options)) {
    fail(fn, arg, 'an options object', describeValue(options));
  }
  for (const key of Object.keys(options)) {
    if (allowed !== null && !allowed.includes(key))
      fail(fn, `${arg} key '${key}'`, `one of ${allowed.join(', ')}`, 'an unknown key');
    read[key] = (options as Record<string, unknown>)[key];
  }
  return Object.freeze(read);
}

/** How a key of `base` is written in a message: `options.masks`, or `options['a b']` when not an identifier. */
export function keyPath(base: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key).replace(/^"|"$/g, "'")}]`;
}

/** A boolean option. */
export function assertBoolean(fn: string, arg: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') fail(fn, arg, 'a boolean', describeValue(value));
}

/**
 * Copies an array-like of numbers once (a plain array, or a typed array) into a plain array, so that later
 * checks and uses see the same values. Elements are read once each, in order.
 */
export function copyNumbers(fn: string, arg: string, value: unknown, expected: string): number[] {
  if (!(Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)))) {
    fail(fn, arg, expected, describeValue(value));
  }
  const source = value as ArrayLike<unknown>;
  const length = source.length;
  const out = new Array<number>(length);
  for (let i = 0; i < length; i++) {
    const v = source[i];
    if (typeof v !== 'number') fail(fn, `${arg}[${i}]`, 'a number', describeValue(v));
    out[i] = v;
  }
  return out;
}

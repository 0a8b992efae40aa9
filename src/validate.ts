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
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (value instanceof Tensor) {
    return value.isDisposed ? 'a disposed tensor' : `a ${value.dtype} tensor of shape [${value.shape.join(',')}]`;
  }
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

export function assertFiniteNumber(fn: string, arg: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(fn, arg, 'a finite number', describeValue(value));
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

/** Rejects option keys the function does not know, so that a typo never silently falls back to a default. */
export function assertOptions(fn: string, arg: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(fn, arg, 'an options object', describeValue(options));
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      fail(fn, `${arg} key '${key}'`, `one of ${allowed.join(', ')}`, 'an unknown key');
    }
  }
}

/** Reads a λ given as a number or a per-sample array, checking each value is in [0, 1]. */
export function readLam(fn: string, arg: string, lam: unknown, n: number): Float32Array {
  if (typeof lam === 'number') {
    assertInRange(fn, arg, lam, 0, 1);
    return new Float32Array(n).fill(lam);
  }
  if (!(lam instanceof Float32Array || lam instanceof Float64Array || Array.isArray(lam))) {
    fail(fn, arg, 'a number in [0, 1] or a Float32Array of per-sample values', describeValue(lam));
  }
  const values = lam as ArrayLike<unknown>;
  if (values.length !== n) fail(fn, `${arg}.length`, `${n} (one λ per sample)`, String(values.length));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    assertInRange(fn, `${arg}[${i}]`, values[i], 0, 1);
    out[i] = values[i] as number;
  }
  return out;
}

/** The dtypes a pure-copy paste can carry. */
export const IMAGE_DTYPES = ['float32', 'int32'] as const;

/** A rank-4 float32/int32 image batch with non-empty height and width. */
export function assertImages(
  fn: string,
  arg: string,
  images: unknown,
  dataFormat: 'NCHW' | 'NHWC',
): asserts images is Tensor {
  assertTensor(fn, arg, images);
  if (images.rank !== 4) fail(fn, arg, `rank 4 (${dataFormat})`, `rank ${images.rank}`);
  if (!(IMAGE_DTYPES as readonly string[]).includes(images.dtype)) {
    fail(fn, `${arg}.dtype`, 'float32 or int32', images.dtype);
  }
  const [hAxis, wAxis] = dataFormat === 'NCHW' ? [2, 3] : [1, 2];
  if (images.shape[hAxis] < 1)
    fail(fn, `${arg} height (dim ${hAxis} of ${dataFormat})`, '≥ 1', String(images.shape[hAxis]));
  if (images.shape[wAxis] < 1)
    fail(fn, `${arg} width (dim ${wAxis} of ${dataFormat})`, '≥ 1', String(images.shape[wAxis]));
}

/** Class indices `[N]` or one-hot/soft targets `[N, K]`, one row per sample. */
export function assertLabels(
  fn: string,
  arg: string,
  labels: unknown,
  n: number,
  rowsOf = 'images',
): asserts labels is Tensor {
  assertTensor(fn, arg, labels);
  if (labels.rank !== 1 && labels.rank !== 2) {
    fail(fn, arg, 'rank 1 (class indices [N]) or rank 2 (one-hot or soft [N, K])', `rank ${labels.rank}`);
  }
  if (labels.dtype !== 'int32' && labels.dtype !== 'float32')
    fail(fn, `${arg}.dtype`, 'int32 or float32', labels.dtype);
  if (labels.shape[0] !== n) failMust(fn, arg, `have ${n} rows to match ${rowsOf}`, String(labels.shape[0]));
}

import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect } from 'vitest';

/** Arbitraries of malformed arguments and the clean-error check shared by the fuzz tests. */

/** Values that are never a usable number. */
// `undefined` is absent (a default applies), so it is never among the bad values.
export const notANumber = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, null, true, '', '1', [], {}, [1], () => 1),
  fc.string(),
  fc.object({ maxDepth: 1 }),
);
export const notAnInteger = fc.oneof(
  notANumber,
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v)),
);
export const outsideUnit = fc.oneof(
  notANumber,
  fc.double({ min: 1, minExcluded: true, noNaN: true }),
  fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
);
export const nonPositive = fc.oneof(notANumber, fc.double({ max: 0, noNaN: true }));
export const badString = fc.oneof(
  fc
    .string()
    .filter(
      (s) =>
        !['batch', 'elem', 'pair', 'permutation', 'flip', 'roll', 'center-clip', 'inside']
          .concat(['NCW', 'NWC', 'NCHW', 'NHWC', 'NCDHW', 'NDHWC'])
          .includes(s),
    ),
  notANumber,
);
export const unknownKey = fc
  .string({ minLength: 1 })
  .filter(
    (k) =>
      !/^(alpha|rng|seed|mode|partner|partners|lam|box|prob|dataFormat|placement|ratioMinMax|numClasses|labelSmoothing|__proto__|constructor)$/.test(
        k,
      ),
  );
export const badRatio = fc.oneof(
  notANumber,
  fc.tuple(fc.double({ noNaN: true }), fc.double({ noNaN: true })).filter(([a, b]) => !(a > 0 && a <= b && b <= 1)),
  fc.array(fc.double({ min: 0.1, max: 1 }), { minLength: 3, maxLength: 4 }),
);
export const badRng = fc.oneof(
  notANumber.filter((v) => typeof v !== 'function'),
  fc.constantFrom(
    () => 1,
    () => -0.5,
    () => NaN,
    () => '0.5',
  ),
);

/** Bad tensors are made inside the property and disposed there; `kind` picks which. */
export type BadTensorKind =
  'disposed' | 'rank1' | 'rank2' | 'rank3' | 'rank5' | 'rank6' | 'bool' | 'string' | 'array' | 'wrongN' | 'zeroHW';
// Ranks 3–5 are batches of 1-, 2- and 3-D samples; 2 and 6 never are.
export const badImagesKind = fc.constantFrom<BadTensorKind>(
  'disposed',
  'rank2',
  'rank6',
  'bool',
  'string',
  'array',
  'zeroHW',
);
export const badLabelsKind = fc.constantFrom<BadTensorKind>('disposed', 'rank3', 'bool', 'string', 'array', 'wrongN');

export function makeBad(kind: BadTensorKind, n: number): unknown {
  switch (kind) {
    case 'disposed': {
      const t = tf.zeros([n, 1, 2, 2]);
      t.dispose();
      return t;
    }
    case 'rank1':
      return tf.zeros([n]);
    case 'rank2':
      return tf.zeros([n, 2]);
    case 'rank3':
      return tf.zeros([n, 2, 2]);
    case 'rank6':
      return tf.zeros([n, 1, 2, 2, 1, 1]);
    case 'rank5':
      return tf.zeros([n, 1, 2, 2, 1]);
    case 'bool':
      return tf.zeros([n, 1, 2, 2], 'bool');
    case 'string':
      return tf.tensor(
        Array.from({ length: n }, () => 'a'),
        [n],
        'string',
      );
    case 'array':
      return [
        [1, 2],
        [3, 4],
      ];
    case 'wrongN':
      return tf.zeros([n + 1], 'int32');
    case 'zeroHW':
      return tf.zeros([n, 1, 0, 2]);
  }
}

export function expectCleanError(call: () => unknown, fnName: string, argName: string): void {
  const before = tf.memory().numTensors;
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error, `${fnName} accepted a bad ${argName}`).toBeInstanceOf(Error);
  expect((error as Error).constructor).toBe(Error);
  expect((error as Error).message.startsWith(`Error in ${fnName}: `), (error as Error).message).toBe(true);
  expect((error as Error).message, (error as Error).message).toContain(argName);
  expect(tf.memory().numTensors).toBe(before);
}

export function withTensors<T>(make: () => T, body: (t: T) => void): void {
  const made = make();
  try {
    body(made);
  } finally {
    tf.dispose(Object.values(made as object).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  }
}

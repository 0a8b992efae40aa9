import { describe, expect, it } from 'vitest';
import {
  assertBoolean,
  assertFunction,
  assertInRange,
  assertOneOf,
  assertPositiveInteger,
  copyNumbers,
  describeValue,
  fail,
  failMust,
  keyPath,
  readOptions,
} from '../../src/common/validate.js';

/** A Proxy over `target` that counts `ownKeys` calls and `get`s per key. */
function countingProxy<T extends object>(
  target: T,
): { proxy: T; gets: Map<PropertyKey, number>; ownKeys: () => number } {
  const gets = new Map<PropertyKey, number>();
  let ownKeys = 0;
  const proxy = new Proxy(target, {
    get(t, key, receiver) {
      gets.set(key, (gets.get(key) ?? 0) + 1);
      return Reflect.get(t, key, receiver);
    },
    ownKeys(t) {
      ownKeys++;
      return Reflect.ownKeys(t);
    },
  });
  return { proxy, gets, ownKeys: () => ownKeys };
}

class Foo {}

describe('describeValue', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [NaN, 'NaN'],
    [-0, '-0'],
    [0, '0'],
    [1.5, '1.5'],
    [-Infinity, '-Infinity'],
    ['abc', '"abc"'],
    ['x'.repeat(40), `"${'x'.repeat(40)}"`],
    ['x'.repeat(41), `"${'x'.repeat(40)}…"`],
    [true, 'true'],
    [10n, '10n'],
    [() => 1, 'a function'],
    [new Float32Array(3), 'Float32Array of length 3'],
    [[1, 2], 'an array of length 2'],
    [{}, 'an object'],
    [Object.create(null), 'an object'],
    [new Map(), 'a Map'],
    [new Foo(), 'a Foo'],
    [Symbol('s'), 'symbol'],
  ])('renders %s as %s', (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });
});

describe('keyPath', () => {
  it('writes an identifier key with a dot and any other key in brackets, whole', () => {
    expect(keyPath('options', 'masks')).toBe('options.masks');
    expect(keyPath('options', '$depth_2')).toBe('options.$depth_2');
    // A key that only starts like an identifier is not one: the whole key is quoted.
    expect(keyPath('options', 'my mask')).toBe("options['my mask']");
    expect(keyPath('options', 'a-b')).toBe("options['a-b']");
    expect(keyPath('options', '2d')).toBe("options['2d']");
  });
});

describe('the error template', () => {
  it('fail and failMust throw a plain Error with the one template, word for word', () => {
    expect(() => fail('f', 'arg', 'a thing', 'other')).toThrow(
      new Error('Error in f: arg must be a thing, but got other.'),
    );
    expect(() => failMust('f', 'labels', 'have 8 rows to match images', '7')).toThrow(
      new Error('Error in f: labels must have 8 rows to match images, but got 7.'),
    );
    try {
      fail('f', 'a', 'b', 'c');
    } catch (e) {
      expect((e as Error).constructor).toBe(Error);
    }
  });

  it.each([
    [() => assertInRange('f', 'a', NaN, 0, 1), 'Error in f: a must be a number in [0, 1], but got NaN.'],
    [() => assertInRange('f', 'a', 1.0000001, 0, 1), 'Error in f: a must be a number in [0, 1], but got 1.0000001.'],
    [() => assertInRange('f', 'a', null, 0, 1), 'Error in f: a must be a number in [0, 1], but got null.'],
    [() => assertPositiveInteger('f', 'a', 0), 'Error in f: a must be a positive integer, but got 0.'],
    [() => assertPositiveInteger('f', 'a', 2.5), 'Error in f: a must be a positive integer, but got 2.5.'],
    [() => assertOneOf('f', 'a', 'c', ['a', 'b']), "Error in f: a must be one of 'a', 'b', but got \"c\"."],
    [() => assertOneOf('f', 'a', 1, ['a']), "Error in f: a must be one of 'a', but got 1."],
    [() => assertFunction('f', 'a', {}), 'Error in f: a must be a function, but got an object.'],
    [() => assertBoolean('f', 'a', 0), 'Error in f: a must be a boolean, but got 0.'],
  ])('assertion %# fails with its message', (call, message) => {
    expect(call).toThrow(new Error(message));
  });

  it('accepts the edges of what it allows', () => {
    expect(() => assertInRange('f', 'a', 0, 0, 1)).not.toThrow();
    expect(() => assertInRange('f', 'a', 1, 0, 1)).not.toThrow();
    expect(() => assertPositiveInteger('f', 'a', 1)).not.toThrow();
  });
});

describe('readOptions', () => {
  it('reads undefined as an empty, frozen, prototype-free record', () => {
    const o = readOptions('f', 'options', undefined, ['a']);
    expect(Object.keys(o)).toEqual([]);
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.getPrototypeOf(o)).toBe(null);
  });

  it.each([
    [null, 'null'],
    [5, '5'],
    ['a', '"a"'],
    [[1], 'an array of length 1'],
    [new Float32Array(1), 'Float32Array of length 1'],
  ])('rejects %s as options', (value, shown) => {
    expect(() => readOptions('f', 'options', value, ['a'])).toThrow(
      new Error(`Error in f: options must be an options object, but got ${shown}.`),
    );
  });

  it('rejects an unknown own key, even one whose value is undefined', () => {
    expect(() => readOptions('f', 'options', { a: 1, b: undefined }, ['a'])).toThrow(
      new Error("Error in f: options key 'b' must be one of a, but got an unknown key."),
    );
    expect(readOptions('f', 'options', { anything: 1 }, null)).toEqual({ anything: 1 });
  });

  it('keeps own enumerable string keys only: inherited, non-enumerable and symbol keys are not options', () => {
    const source = Object.create({ a: 'inherited' });
    Object.defineProperty(source, 'b', { value: 'hidden', enumerable: false });
    source[Symbol('c')] = 'symbol';
    source.d = 'own';
    const o = readOptions('f', 'options', source, ['a', 'b', 'd']);
    expect(Reflect.ownKeys(o)).toEqual(['d']);
    expect(o.a).toBeUndefined();
  });

  it('lists the keys once and reads each value once (a Proxy and a changing getter)', () => {
    let reads = 0;
    const target = {
      get a() {
        reads++;
        return reads === 1 ? 'first' : 'second';
      },
      b: 2,
    };
    const { proxy, gets, ownKeys } = countingProxy(target);
    const o = readOptions('f', 'options', proxy, ['a', 'b']);
    expect(o.a).toBe('first');
    expect(o.a).toBe('first');
    expect(reads).toBe(1);
    expect(ownKeys()).toBe(1);
    expect(Object.fromEntries(gets)).toEqual({ a: 1, b: 1 });
  });
});

describe('copyNumbers', () => {
  it('copies arrays and typed arrays once: length once, each element once', () => {
    const { proxy, gets } = countingProxy([0.25, 0.5, 0.75]);
    expect(copyNumbers('f', 'lam', proxy, 'numbers')).toEqual([0.25, 0.5, 0.75]);
    expect(Object.fromEntries(gets)).toEqual({ length: 1, 0: 1, 1: 1, 2: 1 });
    expect(copyNumbers('f', 'lam', Int32Array.of(1, 2), 'numbers')).toEqual([1, 2]);
  });

  it.each<[unknown, string]>([
    [new DataView(new ArrayBuffer(4)), 'Error in f: lam must be numbers, but got a DataView.'],
    [{ length: 1, 0: 1 }, 'Error in f: lam must be numbers, but got an object.'],
    [[0.5, '1'], 'Error in f: lam[1] must be a number, but got "1".'],
    [BigInt64Array.of(1n), 'Error in f: lam[0] must be a number, but got 1n.'],
  ])('rejects %s', (value, message) => {
    expect(() => copyNumbers('f', 'lam', value, 'numbers')).toThrow(new Error(message));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBox, cloneBox, copyBox, emptyBox, kernelBoxes, lamOfBox, makeBox } from '../../src/plan/box.js';

/** Sets `Object.prototype[key]` for the duration of `body` only; returns what body returned. */
function withPolluted<T>(key: string, value: unknown, body: () => T): T {
  const proto = Object.prototype as Record<string, unknown>;
  proto[key] = value;
  try {
    return body();
  } finally {
    delete proto[key];
  }
}

/** Runs `body`, returning its result or the thrown Error's message. */
function outcome<T>(body: () => T): T | string {
  try {
    return body();
  } catch (e) {
    return (e as Error).message;
  }
}

const axes = fc.integer({ min: 1, max: 3 });

describe('box geometry', () => {
  it('names coordinates per rank, starts then ends, outermost axis first', () => {
    expect(makeBox([1], [2])).toEqual({ x1: 1, x2: 2 });
    expect(Object.keys(makeBox([1, 2], [3, 4]))).toEqual(['y1', 'x1', 'y2', 'x2']);
    expect(makeBox([1, 2, 3], [4, 5, 6])).toEqual({ z1: 1, y1: 2, x1: 3, z2: 4, y2: 5, x2: 6 });
    expect(emptyBox(3)).toEqual({ z1: 0, y1: 0, x1: 0, z2: 0, y2: 0, x2: 0 });
  });

  it('kernelBoxes reads back what makeBox built, on every rank; cloneBox copies it', () => {
    fc.assert(
      fc.property(
        axes.chain((d) =>
          fc.tuple(
            fc.array(fc.nat(), { minLength: d, maxLength: d }),
            fc.array(fc.nat(), { minLength: d, maxLength: d }),
          ),
        ),
        ([lo, hi]) => {
          const box = makeBox(lo, hi);
          const pad = 3 - lo.length;
          const padded = (values: number[], fill: number) => [...new Array<number>(pad).fill(fill), ...values];
          expect(Array.from(kernelBoxes([box]))).toEqual([...padded(lo, 0), ...padded(hi, 1)]);
          const copy = cloneBox(box);
          expect(copy).toEqual(box);
          expect(copy).not.toBe(box);
        },
      ),
    );
  });

  it('lamOfBox is 1 − volume/total exactly, 1 for an empty box and 0 for the full one', () => {
    expect(lamOfBox({ x1: 2, x2: 5 }, [10])).toBe(0.7);
    expect(lamOfBox({ y1: 1, x1: 1, y2: 4, x2: 3 }, [6, 4])).toBe(1 - 6 / 24);
    expect(lamOfBox({ z1: 0, y1: 0, x1: 0, z2: 2, y2: 3, x2: 5 }, [4, 6, 10])).toBe(1 - 30 / 240);
    expect(lamOfBox(emptyBox(2), [7, 9])).toBe(1);
    expect(lamOfBox(makeBox([0, 0, 0], [3, 4, 5]), [3, 4, 5])).toBe(0);
    // An empty box on one axis empties the volume whatever the others span.
    expect(lamOfBox({ y1: 2, x1: 0, y2: 2, x2: 9 }, [5, 9])).toBe(1);
  });

  it('kernelBoxes pads missing outer axes with [0, 1): z1, y1, x1, z2, y2, x2 per box', () => {
    const flat = kernelBoxes([{ x1: 2, x2: 5 }, { y1: 1, x1: 2, y2: 3, x2: 4 }, makeBox([1, 2, 3], [4, 5, 6])]);
    expect(Array.from(flat)).toEqual([0, 0, 2, 1, 1, 5, 0, 1, 2, 1, 3, 4, 1, 2, 3, 4, 5, 6]);
  });
});

describe('copyBox and checkBox', () => {
  it("copies a box's own enumerable keys once each, ignoring inherited ones, into a frozen copy", () => {
    let reads = 0;
    const box = Object.create({ x2: 99 });
    Object.defineProperty(box, 'x1', {
      enumerable: true,
      get: () => (++reads === 1 ? 1 : 1e9),
    });
    const copy = copyBox('f', 'options.box', box);
    expect(copy).toEqual({ x1: 1 });
    expect(reads).toBe(1);
    expect(Object.isFrozen(copy)).toBe(true);
  });

  it.each([
    [null, 'null'],
    [[0, 0, 1, 1], 'an array of length 4'],
    [3, '3'],
  ])('copyBox rejects %j', (value, shown) => {
    expect(() => copyBox('f', 'options.box', value)).toThrow(
      new Error(`Error in f: options.box must be a box object, but got ${shown}.`),
    );
  });

  it('checkBox returns a fresh plain box of the batch rank', () => {
    const box = checkBox('f', 'b', { x2: 4, y2: 3, x1: 1, y1: 0 }, [5, 6]);
    expect(box).toEqual({ y1: 0, x1: 1, y2: 3, x2: 4 });
    expect(Object.keys(box)).toEqual(['y1', 'x1', 'y2', 'x2']);
    expect(checkBox('f', 'b', { x1: 0, x2: 0 }, [1])).toEqual({ x1: 0, x2: 0 });
  });

  const ONE_D = 'a 1-D box {x1, x2} of integers with 0 ≤ x1 ≤ x2 ≤ 8';
  const TWO_D = 'a 2-D box {y1, x1, y2, x2} of integers with 0 ≤ y1 ≤ y2 ≤ 4, 0 ≤ x1 ≤ x2 ≤ 5';
  const THREE_D =
    'a 3-D box {z1, y1, x1, z2, y2, x2} of integers with 0 ≤ z1 ≤ z2 ≤ 2, 0 ≤ y1 ≤ y2 ≤ 3, 0 ≤ x1 ≤ x2 ≤ 4';
  it.each([
    [{ x1: 0, x2: 9 }, [8], ONE_D, '{x1: 0, x2: 9}'],
    [{ x1: 3, x2: 2 }, [8], ONE_D, '{x1: 3, x2: 2}'],
    [{ x1: -1, x2: 2 }, [8], ONE_D, '{x1: -1, x2: 2}'],
    [{ x1: 0.5, x2: 2 }, [8], ONE_D, '{x1: 0.5, x2: 2}'],
    [{ x1: 0, x2: 2, y1: 0 }, [8], ONE_D, '{x1: 0, x2: 2, y1: 0}'],
    [{ y1: 0, x1: 0, y2: 5, x2: 1 }, [4, 5], TWO_D, '{y1: 0, x1: 0, y2: 5, x2: 1}'],
    [{ y1: 0, x1: 0, y2: 1 }, [4, 5], TWO_D, '{y1: 0, x1: 0, y2: 1}'],
    [{ y1: 0, x1: 0, y2: 1, x2: '1' }, [4, 5], TWO_D, '{y1: 0, x1: 0, y2: 1, x2: "1"}'],
    [{ z1: 0, y1: 0, x1: 0, z2: 1, y2: 1, x2: 1 }, [4, 5], TWO_D, '{z1: 0, y1: 0, x1: 0, z2: 1, y2: 1, x2: 1}'],
    [{ y1: 0, x1: 0, y2: 1, x2: 1 }, [2, 3, 4], THREE_D, '{y1: 0, x1: 0, y2: 1, x2: 1}'],
    [{ z1: 0, y1: 0, x1: 0, z2: 3, y2: 1, x2: 1 }, [2, 3, 4], THREE_D, '{z1: 0, y1: 0, x1: 0, z2: 3, y2: 1, x2: 1}'],
  ])('checkBox rejects %j on %j', (box, spatial, expected, shown) => {
    expect(() => checkBox('f', 'options.box', copyBox('f', 'options.box', box), spatial)).toThrow(
      new Error(`Error in f: options.box must be ${expected}, but got ${shown}.`),
    );
  });
});

describe('boxes ignore a polluted Object.prototype', () => {
  it('reads a 2-D box as 2-D when Object.prototype.z1 is set (λ stays exact, not NaN)', () => {
    const result = withPolluted('z1', 0, () => ({
      clone: cloneBox({ y1: 1, x1: 1, y2: 3, x2: 4 }),
      lam: lamOfBox(makeBox([1, 1], [3, 4]), [4, 6]),
      flat: Array.from(kernelBoxes([makeBox([1, 1], [3, 4])])),
    }));
    expect(result).toEqual({ clone: { y1: 1, x1: 1, y2: 3, x2: 4 }, lam: 0.75, flat: [0, 1, 1, 1, 3, 4] });
  });

  it('accepts a valid 2-D box when Object.prototype.z1 is set', () => {
    const got = withPolluted('z1', 0, () =>
      outcome(() => checkBox('f', 'b', copyBox('f', 'b', { y1: 0, x1: 0, y2: 1, x2: 1 }), [2, 2])),
    );
    expect(got).toEqual({ y1: 0, x1: 0, y2: 1, x2: 1 });
  });

  it('never fills a missing coordinate from Object.prototype', () => {
    const got = withPolluted('y1', 0, () =>
      outcome(() => checkBox('f', 'b', copyBox('f', 'b', { x1: 0, y2: 1, x2: 1 }), [2, 2])),
    );
    expect(got).toBe(
      'Error in f: b must be a 2-D box {y1, x1, y2, x2} of integers with 0 ≤ y1 ≤ y2 ≤ 2, 0 ≤ x1 ≤ x2 ≤ 2, but got {x1: 0, y2: 1, x2: 1}.',
    );
  });

  it('reads a 1-D box as 1-D when Object.prototype.y1 is set', () => {
    expect(withPolluted('y1', 0, () => lamOfBox({ x1: 2, x2: 5 }, [10]))).toBe(0.7);
  });
});
